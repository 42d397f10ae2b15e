/** Why an image could not be had: one kind per thing the user can act on, and a sentence saying what to do. */
export type ImageErrorKind =
  | 'unknown-image'
  | 'offline'
  | 'not-found'
  | 'http'
  | 'stalled'
  | 'aborted'
  | 'checksum-mismatch'
  | 'checksum-unavailable'
  | 'not-cached'
  | 'file';

export class ImageError extends Error {
  override readonly name = 'ImageError';
  constructor(
    readonly kind: ImageErrorKind,
    message: string,
    readonly details: {
      image?: string;
      url?: string;
      file?: string;
      quarantined?: string;
      /** The connection broke after some bytes: a new request can resume. */
      resumable?: boolean;
    } = {},
  ) {
    super(message);
  }
}

const OFFLINE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNRESET',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** The network error code (ECONNREFUSED, …) anywhere in an error's cause chain. */
export function networkErrorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && OFFLINE_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
