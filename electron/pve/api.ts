/**
 * The Proxmox VE API as the lab engine sees it: one generic request call (checks are
 * "method + path + params + expression") with auth, node failover, pinning and timeouts
 * handled underneath. Implemented by HttpPveApi for real and simulated clusters alike.
 */
import type { Clock } from '../clock/clock.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export type PveParams = Record<string, string | number | boolean | undefined>;

export interface PveRequest {
  method: HttpMethod;
  /** Path below /api2/json, e.g. `/cluster/status`. */
  path: string;
  params?: PveParams;
  /** Send to this node only (no failover), e.g. for `/cluster/config/join` on the joining node. */
  node?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface PveNodeEndpoint {
  name: string;
  /** Base URL, e.g. https://127.0.0.1:8006 */
  url: string;
  /** SHA-256 certificate fingerprint, `AB:CD:…` (32 pairs). TLS is pinned to it. */
  fingerprint: string;
  /**
   * PEM of the CA that issued the node's certificate, when the node does not send it
   * (a real cluster's /etc/pve/pve-root-ca.pem). Not needed for self-signed certificates.
   */
  caPem?: string;
}

export type PveCredentials =
  | { kind: 'password'; username: string; password: string }
  | { kind: 'token'; tokenId: string; secret: string };

export type PveErrorKind =
  'http' | 'unreachable' | 'timeout' | 'auth' | 'pinning' | 'aborted' | 'task-failed';

export class PveError extends Error {
  constructor(
    readonly kind: PveErrorKind,
    /** e.g. `POST /cluster/config` */
    readonly call: string,
    readonly node: string | undefined,
    message: string,
    readonly status?: number,
    readonly errors?: Record<string, string>,
    /** Proxmox's own message (the HTTP status line), without call and node, when the node answered. */
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'PveError';
  }
}

export interface TaskResult {
  upid: string;
  exitstatus: string;
  ok: boolean;
}

/** A file upload to `POST /nodes/{node}/storage/{storage}/upload` (multipart). */
export interface PveUpload {
  node: string;
  storage: string;
  content: 'iso' | 'vztmpl' | 'import';
  filename: string;
  /** The file, e.g. `await fs.openAsBlob(path)` (streamed, not read into memory). */
  file: Blob;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface PveApi {
  request<T = unknown>(req: PveRequest): Promise<T>;
  /** Polls a UPID until it stops; resolves with its exit status (does not throw on failure). */
  waitForTask(upid: string, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<TaskResult>;
  /** Uploads a file to a node's storage; resolves with the task's UPID. Optional for fakes. */
  upload?(upload: PveUpload): Promise<string>;
  /** The node the client currently talks to. */
  readonly currentNode: string | undefined;
  /** Nodes known to the client (added as a cluster forms). */
  endpoints(): PveNodeEndpoint[];
  close(): Promise<void>;
}

/** What every Proxmox client is built from. */
export interface PveClientOptions {
  endpoints: PveNodeEndpoint[];
  credentials: PveCredentials;
  /** Time source for task polling and the holds a virtual clock needs while a call is in flight. */
  clock?: Clock;
  /** Whole-call limit in ms (default 30 000). */
  timeoutMs?: number;
  /**
   * How long a node may take to accept a connection, or to answer a read, before the client moves
   * to another node (default 800 ms; a node that went silent is left within 2 × 800 ms).
   */
  failoverAfterMs?: number;
  /** How long a node is skipped after it failed to answer (default 5 000 ms, wall time). */
  suspectForMs?: number;
}

/**
 * How Proxmox clients are made and a node's certificate is read. The composition root passes the
 * real one (`httpPveClients`, pve/http-client.ts) to code that must not build it itself: the
 * simulator talks to its own HTTPS nodes through it, exactly as the app does.
 */
export interface PveClientFactory {
  create(options: PveClientOptions): PveApi;
  /** The certificate a node presents (what `pvecm add` shows before joining). */
  probeCertificate(url: string, timeoutMs: number, signal?: AbortSignal): Promise<{ fingerprint: string }>;
}
