/**
 * The one Proxmox VE client, for real and simulated clusters alike: ticket + CSRF or API-token
 * auth, TLS pinned per node, timeouts and AbortSignal on every call, and failover: when the node
 * in use stops answering, the next call (and a read in flight) moves to another node within ~2 s.
 */
import { randomUUID } from 'node:crypto';
import { Agent, fetch, FormData, type Response } from 'undici';
import type { Clock } from '../clock/clock.ts';
import { realClock } from '../clock/clock.ts';
import {
  PveError,
  type PveApi,
  type PveClientFactory,
  type PveClientOptions,
  type PveNodeEndpoint,
  type PveParams,
  type PveRequest,
  type PveUpload,
  type TaskResult,
} from './api.ts';
import { normalizeFingerprint, pinnedIdentityCheck, probeCertificate } from './tls-pinning.ts';
import { describeNetworkError, isConnectPhaseError } from './network-errors.ts';

export type HttpPveApiOptions = PveClientOptions;

interface Session {
  ticket: string;
  csrf: string;
}

/** The whole call's time limit (all attempts together). */
interface Deadline {
  signal: AbortSignal;
  ms: number;
}

interface NodeLink {
  endpoint: PveNodeEndpoint;
  /** The pinned agent, created once per node (concurrent calls share the pending probe). */
  agent?: Promise<Agent>;
  session?: Session;
  /** A login in progress, shared by concurrent calls. */
  loggingIn?: Promise<Session>;
  /** performance.now() of the last answer (any status) from this node. */
  lastAnswerAt: number;
  /** performance.now() until which this node is skipped. */
  suspectUntil: number;
}

const API_PREFIX = '/api2/json';

export class HttpPveApi implements PveApi {
  private readonly links = new Map<string, NodeLink>();
  private current: string | undefined;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly failoverAfterMs: number;
  private readonly suspectForMs: number;
  private closed = false;

  constructor(private readonly options: HttpPveApiOptions) {
    this.clock = options.clock ?? realClock;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.failoverAfterMs = options.failoverAfterMs ?? 800;
    this.suspectForMs = options.suspectForMs ?? 5_000;
    for (const endpoint of options.endpoints) this.addEndpoint(endpoint);
  }

  get currentNode(): string | undefined {
    return this.current;
  }

  endpoints(): PveNodeEndpoint[] {
    return [...this.links.values()].map((link) => link.endpoint);
  }

  /** Adds (or updates) a node, e.g. once it joined the cluster. */
  addEndpoint(endpoint: PveNodeEndpoint): void {
    const existing = this.links.get(endpoint.name);
    if (
      existing &&
      existing.endpoint.url === endpoint.url &&
      existing.endpoint.fingerprint === endpoint.fingerprint
    )
      return;
    void existing?.agent?.then((agent) => agent.close()).catch(() => undefined);
    // A copy: the caller may change its object later; only addEndpoint changes what we pin.
    this.links.set(endpoint.name, { endpoint: { ...endpoint }, suspectUntil: 0, lastAnswerAt: 0 });
    this.current ??= endpoint.name;
  }

  async request<T = unknown>(req: PveRequest & { body?: RequestBody }): Promise<T> {
    const call = `${req.method} ${req.path}`;
    if (this.closed) throw new PveError('aborted', call, undefined, `${call}: the client is closed`);
    if (req.signal?.aborted) throw new PveError('aborted', call, req.node, `${call}: aborted`);
    const release = this.clock.hold(`pve ${call}`);
    const limitMs = req.timeoutMs ?? this.timeoutMs;
    const deadline: Deadline = { signal: AbortSignal.timeout(limitMs), ms: limitMs };
    const signal = req.signal ? AbortSignal.any([req.signal, deadline.signal]) : deadline.signal;
    try {
      return (await this.send(req, call, signal, deadline)) as T;
    } finally {
      release();
    }
  }

  /** See {@link PveUpload}: a streamed multipart upload with progress; resolves with the UPID. */
  async uploadFile(upload: PveUpload): Promise<string> {
    const path = `/nodes/${encodeURIComponent(upload.node)}/storage/${encodeURIComponent(upload.storage)}/upload`;
    const fields: [string, string][] = [['content', upload.content]];
    if (upload.checksum) {
      fields.push(['checksum-algorithm', upload.checksum.algorithm], ['checksum', upload.checksum.value]);
    }
    return this.request<string>({
      method: 'POST',
      path,
      node: upload.node,
      body: new MultipartBody(fields, 'filename', upload.filename, upload.file, upload.onProgress),
      timeoutMs: upload.timeoutMs ?? 30 * 60_000,
      ...(upload.signal ? { signal: upload.signal } : {}),
    });
  }

  upload(upload: PveUpload): Promise<string> {
    return this.uploadFile(upload);
  }

  async waitForTask(
    upid: string,
    options: { signal?: AbortSignal; timeoutMs?: number; pollMs?: number } = {},
  ): Promise<TaskResult> {
    const node = upid.split(':')[1];
    if (!node) throw new PveError('http', `waitForTask ${upid}`, undefined, `not a task id (UPID): ${upid}`);
    const path = `/nodes/${node}/tasks/${encodeURIComponent(upid)}/status`;
    const deadline = this.clock.now() + (options.timeoutMs ?? 600_000);
    // Ask the task's own node when we know it: a standalone node's tasks are known only there.
    const pin = this.links.has(node) ? { node } : {};
    let restarts = 0;
    for (;;) {
      let status: { status: string; exitstatus?: string };
      try {
        status = await this.request<{ status: string; exitstatus?: string }>({
          method: 'GET',
          path,
          ...pin,
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (error) {
        // The task's node may restart pveproxy meanwhile (a cluster join does): a status read is
        // safe to repeat, a few times.
        if (
          !(error instanceof PveError) ||
          error.kind !== 'unreachable' ||
          ++restarts > 5 ||
          options.signal?.aborted
        )
          throw error;
        await this.clock.sleep(options.pollMs ?? 500, options.signal).catch(() => undefined);
        continue;
      }
      if (status.status === 'stopped') {
        const exitstatus = status.exitstatus ?? 'unknown';
        return { upid, exitstatus, ok: exitstatus === 'OK' };
      }
      if (this.clock.now() >= deadline) {
        throw new PveError(
          'timeout',
          `waitForTask ${upid}`,
          node,
          `task ${upid} still running after ${options.timeoutMs ?? 600_000} ms`,
        );
      }
      try {
        await this.clock.sleep(options.pollMs ?? 500, options.signal);
      } catch {
        throw new PveError('aborted', `waitForTask ${upid}`, node, `waiting for task ${upid} was aborted`);
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const agents = [...this.links.values()].flatMap((link) => (link.agent ? [link.agent] : []));
    for (const link of this.links.values()) link.agent = undefined;
    await Promise.all(agents.map((agent) => agent.then((a) => a.close()).catch(() => undefined)));
  }

  /** Tries nodes in order (current first) until one answers, or fails naming every node tried. */
  private async send(
    req: PveRequest & { body?: RequestBody },
    call: string,
    signal: AbortSignal,
    deadline: Deadline,
  ): Promise<unknown> {
    if (req.node !== undefined) {
      const link = this.links.get(req.node);
      if (!link) throw new PveError('unreachable', call, req.node, `${call}: unknown node ${req.node}`);
      return this.attemptWithRelogin(link, req, call, signal, deadline, false);
    }
    const order = this.nodeOrder();
    if (order.length === 0)
      throw new PveError('unreachable', call, undefined, `${call}: no Proxmox VE node configured`);
    const failures: PveError[] = [];
    const isRead = req.method === 'GET';
    for (const [index, link] of order.entries()) {
      const more = index < order.length - 1;
      try {
        const data = await this.attemptWithRelogin(link, req, call, signal, deadline, more && isRead);
        this.current = link.endpoint.name;
        return data;
      } catch (error) {
        if (!(error instanceof PveError)) throw error;
        const movable =
          (error.kind === 'unreachable' && (isRead || connectPhaseFailures.has(error))) ||
          (error.kind === 'timeout' && isRead && !deadline.signal.aborted && !req.signal?.aborted);
        if (!movable || !more) {
          if (failures.length > 0 && (error.kind === 'unreachable' || error.kind === 'timeout')) {
            throw new PveError(
              error.kind,
              call,
              error.node,
              `${call}: no node answered (${[...failures, error].map((f) => f.message).join('; ')})`,
            );
          }
          throw error;
        }
        link.suspectUntil = performance.now() + this.suspectForMs;
        failures.push(error);
      }
    }
    throw new PveError('unreachable', call, undefined, `${call}: no node answered`);
  }

  /** Live nodes first (current, then the others in order), then suspects as a last resort. */
  private nodeOrder(): NodeLink[] {
    const now = performance.now();
    const all = [...this.links.values()];
    const current = this.current === undefined ? undefined : this.links.get(this.current);
    const ordered = current ? [current, ...all.filter((l) => l !== current)] : all;
    return [...ordered.filter((l) => l.suspectUntil <= now), ...ordered.filter((l) => l.suspectUntil > now)];
  }

  private async attemptWithRelogin(
    link: NodeLink,
    req: PveRequest & { body?: RequestBody },
    call: string,
    signal: AbortSignal,
    deadline: Deadline,
    quick: boolean,
  ): Promise<unknown> {
    const retryOn401 = this.options.credentials.kind === 'password' && link.session !== undefined;
    try {
      return await this.attempt(link, req, call, signal, deadline, quick);
    } catch (error) {
      // The node's endpoint was replaced while the call was in flight (a new certificate after a
      // cluster join, announced through addEndpoint): try once more with what we know now.
      const replaced = this.links.get(link.endpoint.name);
      if (
        replaced !== undefined &&
        replaced !== link &&
        error instanceof PveError &&
        (error.kind === 'pinning' || error.kind === 'unreachable' || error.kind === 'auth')
      ) {
        return this.attemptWithRelogin(replaced, req, call, signal, deadline, quick);
      }
      // A node that joined a cluster presents a new certificate (from the cluster's CA). Adopt it
      // only when a member we already trust, over its pinned connection, vouches for it.
      if (error instanceof PveError && error.kind === 'pinning' && !this.vouching.has(link.endpoint.name)) {
        const adopted = await this.adoptVouchedCertificate(link, signal);
        if (adopted) return this.attemptWithRelogin(adopted, req, call, signal, deadline, quick);
      }
      // An expired ticket (2 h lifetime, or a restarted cluster): log in again once.
      if (retryOn401 && error instanceof PveError && error.kind === 'auth' && error.status === 401) {
        link.session = undefined;
        return this.attempt(link, req, call, signal, deadline, quick);
      }
      throw error;
    }
  }

  private readonly vouching = new Set<string>();

  /**
   * The node's certificate changed. Ask the other nodes we trust (pinned) for the node's
   * `ssl_fingerprint` (`GET /nodes`); when one reports exactly what the node now presents, pin that.
   */
  private async adoptVouchedCertificate(link: NodeLink, signal: AbortSignal): Promise<NodeLink | undefined> {
    const name = link.endpoint.name;
    this.vouching.add(name);
    try {
      const probed = await probeCertificate(link.endpoint.url, this.failoverAfterMs, signal).catch(
        () => undefined,
      );
      if (!probed) return undefined;
      const presented = normalizeFingerprint(probed.fingerprint);
      for (const other of this.links.values()) {
        if (other.endpoint.name === name || other.agent === undefined) continue;
        const nodes = await this.request<{ node: string; ssl_fingerprint?: string }[]>({
          method: 'GET',
          path: '/nodes',
          node: other.endpoint.name,
          signal,
        }).catch(() => undefined);
        const vouched = nodes?.find((n) => n.node === name)?.ssl_fingerprint;
        if (vouched !== undefined && normalizeFingerprint(vouched) === presented) {
          this.addEndpoint({ ...link.endpoint, fingerprint: probed.fingerprint });
          return this.links.get(name);
        }
      }
      return undefined;
    } finally {
      this.vouching.delete(name);
    }
  }

  private async attempt(
    link: NodeLink,
    req: PveRequest & { body?: RequestBody },
    call: string,
    signal: AbortSignal,
    deadline: Deadline,
    quick: boolean,
  ): Promise<unknown> {
    const headers: Record<string, string> = {};
    const credentials = this.options.credentials;
    if (credentials.kind === 'token') {
      headers['Authorization'] = `PVEAPIToken=${credentials.tokenId}=${credentials.secret}`;
    } else {
      let session = link.session;
      if (!session) {
        link.loggingIn ??= this.loginFor(call, link, signal, deadline).finally(
          () => (link.loggingIn = undefined),
        );
        session = await link.loggingIn;
      }
      headers['Cookie'] = `PVEAuthCookie=${encodeURIComponent(session.ticket)}`;
      if (req.method !== 'GET') headers['CSRFPreventionToken'] = session.csrf;
    }
    return this.exchange(
      link,
      req.method,
      req.path,
      req.body ?? req.params,
      headers,
      call,
      signal,
      deadline,
      quick,
    );
  }

  /** Logs in on behalf of `call`; network failures are reported as failures of that call. */
  private async loginFor(
    call: string,
    link: NodeLink,
    signal: AbortSignal,
    deadline: Deadline,
  ): Promise<Session> {
    try {
      return await this.login(link, signal, deadline);
    } catch (error) {
      if (!(error instanceof PveError) || error.kind === 'auth' || error.kind === 'http') throw error;
      const detail = error.message.slice(error.message.indexOf(': ') + 2);
      const wrapped = new PveError(
        error.kind,
        call,
        error.node,
        `${call} on ${link.endpoint.name}: ${detail}`,
        error.status,
      );
      if (connectPhaseFailures.has(error)) connectPhaseFailures.add(wrapped);
      throw wrapped;
    }
  }

  private async login(link: NodeLink, signal: AbortSignal, deadline: Deadline): Promise<Session> {
    const credentials = this.options.credentials;
    if (credentials.kind !== 'password') throw new Error('login needs password credentials');
    const call = 'POST /access/ticket';
    const data = (await this.exchange(
      link,
      'POST',
      '/access/ticket',
      { username: credentials.username, password: credentials.password },
      {},
      call,
      signal,
      deadline,
      false,
    )) as { ticket?: string; CSRFPreventionToken?: string } | null;
    if (!data?.ticket || !data.CSRFPreventionToken) {
      throw new PveError(
        'auth',
        call,
        link.endpoint.name,
        `${call} on ${link.endpoint.name}: no ticket in the reply`,
      );
    }
    link.session = { ticket: data.ticket, csrf: data.CSRFPreventionToken };
    return link.session;
  }

  private async exchange(
    link: NodeLink,
    method: string,
    path: string,
    params: PveParams | RequestBody | undefined,
    headers: Record<string, string>,
    call: string,
    signal: AbortSignal,
    deadline: Deadline,
    quick: boolean,
  ): Promise<unknown> {
    const node = link.endpoint.name;
    const where = `${call} on ${node}`;
    const agent = await this.agentFor(link, call, signal);
    let url = `${link.endpoint.url.replace(/\/+$/, '')}${API_PREFIX}${path}`;
    let body: string | FormData | AsyncIterable<Uint8Array> | undefined;
    let duplex: { duplex: 'half' } | undefined;
    if (params instanceof FormData) {
      body = params; // multipart: undici sets the content type with its boundary
    } else if (params instanceof MultipartBody) {
      // A fresh stream per attempt (a relogin sends the body again).
      body = params.open();
      duplex = { duplex: 'half' };
      headers['Content-Type'] = params.contentType;
      headers['Content-Length'] = String(params.length);
    } else {
      const form = encodeParams(params);
      if (method === 'GET' || method === 'DELETE') {
        if (form.size > 0) url += `?${form.toString()}`;
      } else {
        body = form.toString();
        headers['Content-Type'] = 'application/x-www-form-urlencoded';
      }
    }
    // A read may give up on a node that stopped answering, to ask another one. A node that answered
    // anything during the last window is alive, only busy: keep waiting for it.
    const attempt = new AbortController();
    const onAbort = (): void => attempt.abort(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    let silentTimer: ReturnType<typeof setTimeout> | undefined;
    if (quick) {
      const check = (): void => {
        if (performance.now() - link.lastAnswerAt < this.failoverAfterMs)
          silentTimer = setTimeout(check, this.failoverAfterMs);
        else attempt.abort(new Error('node silent'));
      };
      silentTimer = setTimeout(check, this.failoverAfterMs);
    }
    const attemptSignal = attempt.signal;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers,
        body,
        dispatcher: agent,
        signal: attemptSignal,
        ...duplex,
      });
      link.lastAnswerAt = performance.now();
      text = await response.text();
    } catch (error) {
      if (deadline.signal.aborted) {
        throw new PveError('timeout', call, node, `${where}: no answer within ${deadline.ms} ms`);
      }
      if (signal.aborted) throw new PveError('aborted', call, node, `${where}: aborted`);
      if (attemptSignal.aborted) {
        throw new PveError(
          'timeout',
          call,
          node,
          `${where}: the node stopped answering (nothing for ${this.failoverAfterMs} ms)`,
        );
      }
      const cause = (error as { cause?: unknown }).cause ?? error;
      if (isPinningError(cause)) {
        throw new PveError(
          'pinning',
          call,
          node,
          `${where}: TLS pinning failed - ${describeNetworkError(cause)}`,
        );
      }
      throw unreachable(call, node, `${where}: ${describeNetworkError(cause)}`, isConnectPhaseError(cause));
    } finally {
      clearTimeout(silentTimer);
      signal.removeEventListener('abort', onAbort);
    }
    let parsed: { data?: unknown; errors?: Record<string, string>; message?: string } = {};
    try {
      parsed = text === '' ? {} : (JSON.parse(text) as typeof parsed);
    } catch {
      // not JSON (a proxy's error page): fall back to the status line
    }
    if (response.status >= 200 && response.status < 300) return parsed.data ?? null;
    const message = (response.statusText || parsed.message || `HTTP ${response.status}`).trim();
    const details = parsed.errors
      ? ` (${Object.entries(parsed.errors)
          .map(([key, value]) => `${key}: ${String(value).trim()}`)
          .join('; ')})`
      : '';
    const kind = response.status === 401 ? 'auth' : 'http';
    throw new PveError(
      kind,
      call,
      node,
      `${where}: ${response.status} ${message}${details}`,
      response.status,
      parsed.errors,
      message,
    );
  }

  /** One undici Agent per node, created after the node's certificate matched its pinned fingerprint. */
  private agentFor(link: NodeLink, call: string, signal: AbortSignal): Promise<Agent> {
    if (!link.agent) {
      const pending = this.createAgent(link, call, signal);
      link.agent = pending;
      // A failed probe is not cached: the next call probes again (the node may be back).
      pending.catch(() => {
        if (link.agent === pending) link.agent = undefined;
      });
    }
    return link.agent;
  }

  private async createAgent(link: NodeLink, call: string, signal: AbortSignal): Promise<Agent> {
    const { endpoint } = link;
    const where = `${call} on ${endpoint.name}`;
    let probed;
    try {
      probed = await probeCertificate(endpoint.url, this.failoverAfterMs, signal);
    } catch (error) {
      if (signal.aborted) throw new PveError('aborted', call, endpoint.name, `${where}: aborted`);
      throw unreachable(call, endpoint.name, `${where}: ${describeNetworkError(error)}`, true);
    }
    const expected = normalizeFingerprint(endpoint.fingerprint);
    if (normalizeFingerprint(probed.fingerprint) !== expected) {
      throw new PveError(
        'pinning',
        call,
        endpoint.name,
        `${where}: TLS pinning failed - the node presents certificate ${probed.fingerprint}, expected ${expected}`,
      );
    }
    const ca = endpoint.caPem ? [...probed.chainPem, endpoint.caPem] : probed.chainPem;
    link.lastAnswerAt = performance.now();
    return new Agent({
      connect: {
        ca,
        // Proxmox nodes send only their own certificate, signed by the cluster's CA. The pinned
        // leaf itself is then the trust anchor (the fingerprint is checked on every handshake).
        allowPartialTrustChain: true,
        checkServerIdentity: pinnedIdentityCheck(expected),
        timeout: this.failoverAfterMs,
      } as PinnedConnectOptions,
      // A few keep-alive connections per node, as a browser would; more calls queue on them.
      connections: 6,
      keepAliveTimeout: 4_000,
    });
  }
}

type RequestBody = FormData | MultipartBody;

/** undici's TLS connect options plus Node's `allowPartialTrustChain` (Node ≥ 20.18, not in every typing). */
type PinnedConnectOptions = NonNullable<Agent.Options['connect']> & { allowPartialTrustChain?: boolean };

/**
 * multipart/form-data with a known length: text fields, then one file part streamed from a Blob,
 * reporting progress as chunks go out.
 */
class MultipartBody {
  readonly contentType: string;
  readonly length: number;
  private readonly head: Uint8Array;
  private readonly tail: Uint8Array;

  constructor(
    fields: [string, string][],
    fileField: string,
    filename: string,
    private readonly file: Blob,
    private readonly onProgress?: (sent: number, total: number) => void,
  ) {
    const boundary = `----nestlab${randomUUID().replaceAll('-', '')}`;
    this.contentType = `multipart/form-data; boundary=${boundary}`;
    const quote = (s: string): string => s.replace(/["\\\r\n]/g, (c) => encodeURIComponent(c));
    let head = '';
    for (const [name, value] of fields) {
      head += `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`;
    }
    head +=
      `--${boundary}\r\nContent-Disposition: form-data; name="${quote(fileField)}"; filename="${quote(filename)}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n';
    this.head = new TextEncoder().encode(head);
    this.tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
    this.length = this.head.length + file.size + this.tail.length;
  }

  async *open(): AsyncIterable<Uint8Array> {
    let sent = 0;
    const report = (chunk: Uint8Array): Uint8Array => {
      sent += chunk.length;
      this.onProgress?.(sent, this.length);
      return chunk;
    };
    yield report(this.head);
    for await (const chunk of this.file.stream() as unknown as AsyncIterable<Uint8Array>) yield report(chunk);
    yield report(this.tail);
  }
}

/** Failures that happened before the request was sent, so a write may safely go to another node. */
const connectPhaseFailures = new WeakSet<PveError>();

function unreachable(call: string, node: string, message: string, connectPhase: boolean): PveError {
  const failure = new PveError('unreachable', call, node, message);
  if (connectPhase) connectPhaseFailures.add(failure);
  return failure;
}

function encodeParams(params: PveParams | undefined): URLSearchParams {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined) continue;
    form.append(key, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
  return form;
}

function isPinningError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code ?? '';
  return /fingerprint/.test(message) || /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code);
}

/** The real client factory, passed by composition roots to the simulator (which may not import this file). */
export const httpPveClients: PveClientFactory = {
  create: (options) => new HttpPveApi(options),
  probeCertificate: (url, timeoutMs, signal) => probeCertificate(url, timeoutMs, signal),
};
