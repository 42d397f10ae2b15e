/** Classifies and words the network errors undici and node:tls report. */

const CONNECT_PHASE_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNRESET_BEFORE_TLS',
]);

/** True when the request cannot have reached the server (so retrying a write elsewhere is safe). */
export function isConnectPhaseError(error: unknown): boolean {
  const code = errorCode(error);
  if (CONNECT_PHASE_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /before secure TLS connection was established/.test(message);
}

export function describeNetworkError(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect timeout';
    case 'EHOSTUNREACH':
      return 'no route to host';
    default:
      if (/before secure TLS connection was established/.test(message))
        return 'connection closed during TLS handshake';
      return code && !message.includes(code) ? `${message} (${code})` : message;
  }
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : '';
}
