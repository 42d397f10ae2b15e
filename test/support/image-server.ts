/**
 * A loopback HTTP server that serves files the way download.proxmox.com and cloud.debian.org do
 * where it matters to the downloader: Content-Length, ETag, byte ranges (206 with Content-Range,
 * 416 past the end), If-Range (a changed file answers 200 with the whole body), 404 for the rest.
 * Faults are scripted per path: cut the connection after N bytes, trickle slowly, stall.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedFile {
  body: Buffer;
  etag?: string;
}

export type Fault =
  /** Send this many body bytes, then destroy the socket (once). */
  | { kind: 'cut-after'; bytes: number }
  /** Send the body in chunks of `chunk` bytes with `delayMs` between them. */
  | { kind: 'trickle'; chunk: number; delayMs: number }
  /** Send the headers and this many bytes, then nothing (the socket stays open). */
  | { kind: 'stall-after'; bytes: number };

export interface RecordedRequest {
  path: string;
  range?: string;
  ifRange?: string;
}

export class ImageServer {
  readonly files = new Map<string, ServedFile>();
  readonly faults = new Map<string, Fault[]>();
  readonly requests: RecordedRequest[] = [];
  private server?: Server;
  private readonly open = new Set<ServerResponse>();

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  serve(path: string, body: Buffer | string, etag?: string): void {
    const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body);
    this.files.set(path, {
      body: buffer,
      etag: etag ?? `"${createHash('sha1').update(buffer).digest('hex')}"`,
    });
  }

  /** Faults apply to the next requests of `path`, one each, in order. */
  fault(path: string, ...faults: Fault[]): void {
    this.faults.set(path, [...(this.faults.get(path) ?? []), ...faults]);
  }

  requestsFor(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const range = req.headers.range;
    const ifRange = req.headers['if-range'] as string | undefined;
    this.requests.push({ path, ...(range ? { range } : {}), ...(ifRange ? { ifRange } : {}) });
    const file = this.files.get(path);
    if (!file || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const size = file.body.length;
    let start = 0;
    let status = 200;
    const match = range ? /^bytes=(\d+)-$/.exec(range) : null;
    if (match && (!ifRange || ifRange === file.etag)) {
      start = Number(match[1]);
      if (start >= size) {
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
      status = 206;
    }
    const body = file.body.subarray(start);
    res.writeHead(status, {
      'content-length': String(body.length),
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      ...(file.etag ? { etag: file.etag } : {}),
      ...(status === 206 ? { 'content-range': `bytes ${start}-${size - 1}/${size}` } : {}),
    });
    const fault = this.faults.get(path)?.shift();
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    if (!fault) {
      res.end(body);
      return;
    }
    if (fault.kind === 'cut-after' || fault.kind === 'stall-after') {
      const part = body.subarray(0, fault.bytes);
      await new Promise<void>((resolve) => res.write(part, () => resolve()));
      if (fault.kind === 'cut-after') res.socket?.destroySoon();
      return;
    }
    for (let offset = 0; offset < body.length && !res.destroyed; offset += fault.chunk) {
      await new Promise<void>((resolve) =>
        res.write(body.subarray(offset, offset + fault.chunk), () => resolve()),
      );
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    }
    res.end();
  }
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function digestOf(algorithm: 'md5' | 'sha256' | 'sha512', data: Buffer | string): string {
  return createHash(algorithm).update(data).digest('hex');
}
