/**
 * JSON-RPC 2.0 over one WebSocket, as both TrueNAS services speak it: the live ISO's installer
 * (aiohttp_rpc at ws://<ip>/ws) and the 25.x middleware (wss://<ip>/api/current). Requests carry
 * positional `params`; notifications (`installation_progress`, `collection_update`) go to a listener.
 * wss:// connections are pinned to the certificate the caller confirmed, never unverified.
 */
import WebSocket from 'ws';

import { pinnedIdentityCheck } from '../../pve/tls-pinning.ts';

export interface PinnedTls {
  /** SHA-256 fingerprint of the leaf certificate, as confirmed by the user (trust on first use). */
  fingerprint: string;
  /** The chain probed at first use (leaf first), trusted as the only CAs. */
  chainPem: string[];
}

export class TrueNasRpcError extends Error {
  override readonly name = 'TrueNasRpcError';
  constructor(
    message: string,
    readonly method: string,
    readonly code?: number,
    readonly reason?: string,
  ) {
    super(message);
  }
}

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export interface RpcSocketOptions {
  tls?: PinnedTls;
  /** Per-call timeout; jobs such as `install` or `pool.create` answer only when done. */
  callTimeoutMs?: number;
  connectTimeoutMs?: number;
  signal?: AbortSignal;
}

export class JsonRpcSocket {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(method: string, params: unknown) => void>();
  private closedBecause?: string;

  private constructor(
    private readonly socket: WebSocket,
    readonly url: string,
    private readonly options: RpcSocketOptions,
  ) {
    socket.on('message', (data) => this.receive(String(data)));
    socket.on('close', (code, reason) =>
      this.fail(`connection to ${url} closed (${code}${reason.length ? ` ${String(reason)}` : ''})`),
    );
    socket.on('error', (error) => this.fail(`connection to ${url} failed: ${error.message}`));
  }

  static connect(url: string, options: RpcSocketOptions = {}): Promise<JsonRpcSocket> {
    const secure = url.startsWith('wss:');
    if (secure && !options.tls) {
      return Promise.reject(
        new TrueNasRpcError(
          `${url}: a wss:// connection needs the certificate fingerprint to pin`,
          'connect',
        ),
      );
    }
    // ws hands these to tls.connect; its own typing of checkServerIdentity is narrower than Node's.
    const tlsOptions = (secure && options.tls
      ? {
          ca: options.tls.chainPem,
          // The pinned certificate itself is the trust anchor, even when its issuer is not sent
          // (Node >= 20.18), as for the Proxmox API; the fingerprint check below decides.
          allowPartialTrustChain: true,
          checkServerIdentity: pinnedIdentityCheck(options.tls.fingerprint),
        }
      : {}) as unknown as WebSocket.ClientOptions;
    const socket = new WebSocket(url, {
      handshakeTimeout: options.connectTimeoutMs ?? 10_000,
      ...tlsOptions,
    });
    return new Promise((resolve, reject) => {
      const onAbort = (): void => socket.terminate();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('open', () => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve(new JsonRpcSocket(socket, url, options));
      });
      socket.once('error', (error) => {
        options.signal?.removeEventListener('abort', onAbort);
        reject(new TrueNasRpcError(`cannot connect to ${url}: ${error.message}`, 'connect'));
      });
      socket.once('close', () =>
        reject(
          new TrueNasRpcError(
            `cannot connect to ${url}: ${options.signal?.aborted ? 'cancelled' : 'closed'}`,
            'connect',
          ),
        ),
      );
    });
  }

  onNotification(listener: (method: string, params: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  call<T = unknown>(
    method: string,
    params: unknown[] = [],
    timeoutMs = this.options.callTimeoutMs ?? 60_000,
  ): Promise<T> {
    if (this.closedBecause)
      return Promise.reject(new TrueNasRpcError(`${method}: ${this.closedBecause}`, method));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new TrueNasRpcError(
            `${method} on ${this.url}: no answer within ${Math.round(timeoutMs / 1000)} s`,
            method,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject, timer });
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  close(): void {
    this.closedBecause ??= 'closed by NestLab';
    this.socket.close();
  }

  private receive(text: string): void {
    let message: { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (typeof message.method === 'string' && message.id === undefined) {
      for (const listener of this.listeners) listener(message.method, message.params);
      return;
    }
    const pending = typeof message.id === 'number' ? this.pending.get(message.id) : undefined;
    if (!pending) return;
    this.pending.delete(message.id as number);
    clearTimeout(pending.timer);
    if (message.error) {
      const error = message.error as {
        code?: number;
        message?: string | null;
        data?: { reason?: string } | null;
      };
      const reason = error.data?.reason ?? error.message ?? 'unknown error';
      pending.reject(
        new TrueNasRpcError(
          `${pending.method} on ${this.url} failed: ${reason}`,
          pending.method,
          error.code,
          reason,
        ),
      );
    } else {
      pending.resolve(message.result);
    }
  }

  private fail(why: string): void {
    this.closedBecause ??= why;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new TrueNasRpcError(`${pending.method}: ${why}`, pending.method));
      this.pending.delete(id);
    }
  }
}
