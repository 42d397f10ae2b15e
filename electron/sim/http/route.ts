/**
 * The seam between the simulator's HTTP server (auth, TLS, validation, envelopes) and the
 * model's endpoint handlers. A handler sees validated, coerced parameters and returns the
 * value that goes into `{"data": …}`; it throws SimApiError for Proxmox-style failures.
 */

export interface SimRequestContext {
  /** Node whose API server received the call (the "local" node, as on a real cluster). */
  node: string;
  /** Authenticated user id, e.g. `root@pam` (for tokens: `root@pam!lab`). */
  user: string;
  /** Path placeholders, e.g. `{ node: 'node1', vmid: '100' }`. */
  pathParams: Record<string, string>;
  /** Query/body parameters, validated and coerced against pve-apidoc.json. */
  params: Record<string, unknown>;
  /** For multipart uploads (`…/storage/{storage}/upload`): the uploaded file's name and size in bytes. */
  upload?: { filename: string; size: number; checksum?: string };
}

export interface SimRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path exactly as in pve-apidoc.json, e.g. `/nodes/{node}/qemu/{vmid}/status/start`. */
  path: string;
  handle(ctx: SimRequestContext): unknown;
}

/** A failure as Proxmox reports it: HTTP status, status-line message, optional per-parameter errors. */
export class SimApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string>,
  ) {
    super(message);
    this.name = 'SimApiError';
  }
}
