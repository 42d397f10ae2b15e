/** Errors cross the contract as `{code, message}` only; never a stack trace. */

export const API_ERROR_CODES = [
  'bad-request', // params failed validation
  'unknown-method',
  'not-found',
  'conflict', // wrong state for the call (e.g. no lab open)
  'backend-unavailable',
  'forbidden',
  'proxmox', // a Proxmox node answered with an error: the message is its own text
  'internal',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiErrorInfo {
  code: ApiErrorCode;
  message: string;
  details?: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toInfo(): ApiErrorInfo {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isApiErrorInfo(value: unknown): value is ApiErrorInfo {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ApiErrorInfo).code === 'string' &&
    typeof (value as ApiErrorInfo).message === 'string'
  );
}
