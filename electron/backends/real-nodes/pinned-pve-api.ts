/**
 * The Proxmox API of installed nodes, TLS pinned per node: each node's certificate is probed and
 * confirmed (FingerprintPins) before the first call that needs it, then every request to it is
 * pinned to that fingerprint by HttpPveApi.
 */
import { ApiError } from '../../contract/errors.ts';
import {
  PveError,
  type PveApi,
  type PveNodeEndpoint,
  type PveRequest,
  type PveUpload,
  type TaskResult,
} from '../../pve/api.ts';
import type { HttpPveApi } from '../../pve/http-client.ts';
import { probeCertificate } from '../../pve/tls-pinning.ts';
import type { FingerprintPins } from './fingerprint-pins.ts';

export interface RealNode {
  name: string;
  address: string;
}

/**
 * The Proxmox client over the nodes confirmed so far. A node that did not answer at start is
 * probed (and confirmed) before the first call that needs it.
 */
const RELOOK_MS = 5_000;

export class PinnedPveApi implements PveApi {
  private readonly pending = new Map<string, Promise<void>>();
  private lastLookAt = 0;

  constructor(
    private readonly http: HttpPveApi,
    private readonly machines: RealNode[],
    private readonly urlOf: (machine: RealNode) => string,
    private readonly pins: FingerprintPins,
    private readonly timeoutMs: number,
  ) {}

  get currentNode(): string | undefined {
    return this.http.currentNode;
  }

  endpoints(): PveNodeEndpoint[] {
    return this.http.endpoints();
  }

  /** Probes every node not added yet; unreachable ones wait for a later call, refusals throw. */
  async addReachable(signal?: AbortSignal): Promise<void> {
    const missing = this.machines.filter((m) => !this.known(m.name));
    const results = await Promise.allSettled(missing.map((m) => this.ensure(m.name, signal)));
    const refusal = results.find(
      (r): r is PromiseRejectedResult => r.status === 'rejected' && r.reason instanceof ApiError,
    );
    if (refusal) throw refusal.reason;
  }

  ensure(node: string, signal?: AbortSignal): Promise<void> {
    if (this.known(node)) return Promise.resolve();
    const machine = this.machines.find((m) => m.name === node);
    if (!machine) return Promise.resolve(); // not a lab node: the client reports it
    let probe = this.pending.get(node);
    if (!probe) {
      const url = this.urlOf(machine);
      probe = (async () => {
        const probed = await probeCertificate(url, this.timeoutMs, signal);
        await this.pins.confirm(node, probed.fingerprint, 'tls-certificate');
        this.http.addEndpoint({ name: node, url, fingerprint: probed.fingerprint });
      })().finally(() => this.pending.delete(node));
      this.pending.set(node, probe);
    }
    return probe;
  }

  async request<T = unknown>(req: PveRequest): Promise<T> {
    await this.before(`${req.method} ${req.path}`, req.node, req.signal);
    return this.http.request<T>(req);
  }

  async waitForTask(
    upid: string,
    options?: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<TaskResult> {
    await this.before(`waitForTask ${upid}`, upid.split(':')[1], options?.signal);
    return this.http.waitForTask(upid, options);
  }

  async upload(upload: PveUpload): Promise<string> {
    await this.before(`upload to ${upload.storage}`, upload.node, upload.signal);
    return this.http.upload(upload);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private known(node: string): boolean {
    return this.http.endpoints().some((e) => e.name === node);
  }

  /** A call to a named node needs that node; any other call needs at least one. */
  private async before(call: string, node: string | undefined, signal?: AbortSignal): Promise<void> {
    if (node !== undefined) {
      try {
        await this.ensure(node, signal);
      } catch (error) {
        if (error instanceof ApiError) throw error;
        const machine = this.machines.find((m) => m.name === node);
        const why = error instanceof Error ? error.message : String(error);
        // Typical while the node is still being installed: checks report it and try again later.
        throw new PveError(
          'unreachable',
          call,
          node,
          `${call}: ${node}${machine ? ` (${this.urlOf(machine)})` : ''} does not answer yet: ${why}`,
        );
      }
      return;
    }
    if (this.http.endpoints().length === 0) {
      await this.addReachable(signal);
      return;
    }
    // Some node answers: look for the others in the background, at most every few seconds, so
    // a node that is still off does not slow every call (the drill polls each second).
    const now = performance.now();
    if (now - this.lastLookAt >= RELOOK_MS && this.http.endpoints().length < this.machines.length) {
      this.lastLookAt = now;
      void this.addReachable().catch(() => undefined);
    }
  }
}
