/**
 * A lab run against real Proxmox VE nodes installed in VirtualBox: the VirtualBox driver attached
 * to the lab's machines, the Proxmox API over HTTPS pinned per node, and ssh to each node for
 * solves and terminals. Every certificate and ssh host key is trusted on first use only after the
 * `trust` callback (the user) confirms its fingerprint; a pinned one that changes is refused.
 */
import { createHash } from 'node:crypto';
import { Client, type ClientChannel } from 'ssh2';

import { realClock } from '../../clock/clock.ts';
import { ApiError } from '../../contract/errors.ts';
import type { HypervisorDriver, TopologySpec } from '../../hypervisor/driver.ts';
import type { ShellRunner } from '../../lab/shell-runner.ts';
import type { LabFile, LabProfile } from '../../lab/script/schema.ts';
import {
  PveError,
  type PveApi,
  type PveNodeEndpoint,
  type PveRequest,
  type PveUpload,
  type TaskResult,
} from '../../pve/api.ts';
import { HttpPveApi } from '../../pve/http-client.ts';
import { normalizeFingerprint, probeCertificate } from '../../pve/tls-pinning.ts';
import type { PtyLike, PtySpawner } from '../../terminal/pty.ts';
import type { LabEnvironment } from '../lab-environment.ts';
import { topologySpecFor } from '../lab-topology.ts';

export type TrustKind = 'tls-certificate' | 'ssh-host-key';

/** Asks the user whether `fingerprint` really is `node`'s; resolves true only when confirmed. */
export type TrustCallback = (node: string, fingerprint: string, kind: TrustKind) => Promise<boolean>;

/** What the environment needs from VirtualBox: a driver that can address an existing lab. */
export interface VirtualBoxHandle {
  driver: HypervisorDriver & { attach(topology: TopologySpec): Promise<void> };
  close(): Promise<void>;
}

export interface VirtualBoxEnvironmentOptions {
  lab: LabFile;
  profile: LabProfile;
  trust: TrustCallback;
  signal?: AbortSignal;
  /** Default: `startLocalVirtualBox()` (vboxwebsrv on this host). */
  startVirtualBox?: () => Promise<VirtualBoxHandle>;
  /** The node's API base URL. Default `https://<address>:8006`. */
  apiUrl?: (node: string, address: string) => string;
  /** Where the node's ssh listens. Default `<address>:22`. */
  sshTarget?: (node: string, address: string) => { host: string; port: number };
  /**
   * Fingerprints confirmed before (key `tls:<node>` or `ssh:<node>`); confirmed ones are added.
   * A node presenting anything else is refused without asking.
   */
  pins?: Map<string, string>;
  /** Per-node wait for a TLS handshake or an ssh connection, ms (default 5 000). */
  connectTimeoutMs?: number;
}

interface PveMachine {
  name: string;
  address: string;
}

function firstAddress(machine: LabProfile['machines'][number]): string {
  const cidr = machine.nics.find((n) => n.address)?.address;
  return cidr ? (cidr.split('/')[0] ?? cidr) : '';
}

/** OpenSSH's notation for a host key: `SHA256:<base64 without padding>`. */
export function sshKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** Trust on first use, shared by certificates and host keys. */
class TrustStore {
  private asking: Promise<unknown> = Promise.resolve();
  private readonly refused = new Map<string, string>();

  constructor(
    private readonly pins: Map<string, string>,
    private readonly ask: TrustCallback,
  ) {}

  async confirm(node: string, fingerprint: string, kind: TrustKind): Promise<void> {
    const key = `${kind === 'tls-certificate' ? 'tls' : 'ssh'}:${node}`;
    const what = kind === 'tls-certificate' ? 'TLS certificate' : 'ssh host key';
    const same = (a: string, b: string): boolean =>
      kind === 'tls-certificate' ? normalizeFingerprint(a) === normalizeFingerprint(b) : a === b;
    const pinned = this.pins.get(key);
    if (pinned !== undefined) {
      if (same(pinned, fingerprint)) return;
      throw new ApiError(
        'forbidden',
        `node ${node}: its ${what} changed (now ${fingerprint}, trusted ${pinned}); refusing to connect. ` +
          'If the node was reinstalled, start a new run and confirm its new fingerprint.',
      );
    }
    const refusal = (): ApiError =>
      new ApiError(
        'forbidden',
        `node ${node}: ${what} ${fingerprint} was not confirmed; refusing to connect`,
      );
    // Asked once: checks retry every few seconds, and a "no" must not come back as a new question.
    if (this.refused.get(key) === fingerprint) throw refusal();
    // One question at a time: a terminal cannot ask about two nodes at once.
    const turn = this.asking.then(() => this.ask(node, fingerprint, kind));
    this.asking = turn.catch(() => undefined);
    if (!(await turn)) {
      this.refused.set(key, fingerprint);
      throw refusal();
    }
    this.pins.set(key, fingerprint);
  }
}

/**
 * The Proxmox client over the nodes confirmed so far. A node that did not answer at start is
 * probed (and confirmed) before the first call that needs it.
 */
const RELOOK_MS = 5_000;

class TrustedPveApi implements PveApi {
  private readonly pending = new Map<string, Promise<void>>();
  private lastLookAt = 0;

  constructor(
    private readonly http: HttpPveApi,
    private readonly machines: PveMachine[],
    private readonly urlOf: (machine: PveMachine) => string,
    private readonly trust: TrustStore,
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
        await this.trust.confirm(node, probed.fingerprint, 'tls-certificate');
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

/** One ssh connection per node, opened on first use, its host key confirmed through `trust`. */
class SshNodes implements ShellRunner, PtySpawner {
  private readonly connections = new Map<string, Promise<Client>>();
  /** The connected client behind each settled entry of `connections`. */
  private readonly live = new Map<string, Client>();

  constructor(
    private readonly machines: PveMachine[],
    private readonly targetOf: (machine: PveMachine) => { host: string; port: number },
    private readonly password: string,
    private readonly trust: TrustStore,
    private readonly timeoutMs: number,
  ) {}

  async run(
    node: string,
    command: string,
    options: { input?: string[]; signal?: AbortSignal } = {},
  ): Promise<{ output: string; exitCode: number }> {
    const channel = await this.openChannel(node, command, (client, done) => client.exec(command, done));
    return new Promise((resolve, reject) => {
      let output = '';
      let exitCode = -1;
      const onAbort = (): void => {
        channel.close();
        reject(new Error(`ssh ${node} "${command}": aborted`));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      channel.on('data', (data: Buffer) => (output += data.toString()));
      channel.stderr.on('data', (data: Buffer) => (output += data.toString()));
      channel.on('exit', (code: number | null) => (exitCode = code ?? -1));
      channel.on('close', () => {
        options.signal?.removeEventListener('abort', onAbort);
        resolve({ output, exitCode });
      });
      // Answers go in as standard input, one line per prompt, like `printf … | command`.
      for (const line of options.input ?? []) channel.write(`${line}\n`);
      channel.end();
    });
  }

  async open(node: string, size: { cols: number; rows: number }): Promise<PtyLike> {
    const channel = await this.openChannel(node, 'shell', (client, done) =>
      client.shell({ cols: size.cols, rows: size.rows, term: 'xterm-256color' }, done),
    );
    return {
      write: (data) => channel.write(data),
      resize: (cols, rows) => channel.setWindow(rows, cols, 0, 0),
      onData: (listener) => {
        const onData = (data: Buffer): void => listener(data.toString());
        channel.on('data', onData);
        channel.stderr.on('data', onData);
        return () => {
          channel.off('data', onData);
          channel.stderr.off('data', onData);
        };
      },
      onExit: (listener) => {
        let code = 0;
        const onExit = (c: number | null): void => {
          code = c ?? 0;
        };
        const onClose = (): void => listener(code);
        channel.on('exit', onExit);
        channel.on('close', onClose);
        return () => {
          channel.off('exit', onExit);
          channel.off('close', onClose);
        };
      },
      kill: () => channel.close(),
    };
  }

  async close(): Promise<void> {
    const clients = [...this.connections.values()];
    this.connections.clear();
    this.live.clear();
    await Promise.all(clients.map((c) => c.then((client) => client.end()).catch(() => undefined)));
  }

  /** Opens a channel; a connection the node dropped (a reboot) is replaced once, silently. */
  private async openChannel(
    node: string,
    what: string,
    open: (client: Client, done: (error: Error | undefined, channel: ClientChannel) => void) => void,
  ): Promise<ClientChannel> {
    const attempt = async (): Promise<ClientChannel> => {
      const client = await this.connect(node);
      return new Promise<ClientChannel>((resolve, reject) => {
        try {
          open(client, (error, channel) => (error ? reject(error) : resolve(channel)));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }).catch((error: Error) => {
        this.forget(node, client);
        throw error;
      });
    };
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof ApiError) throw error; // a refused host key: never ask twice
      try {
        return await attempt();
      } catch (error) {
        throw error instanceof ApiError ? error : sshError(node, what, error as Error);
      }
    }
  }

  private forget(node: string, client: Client): void {
    if (this.live.get(node) === client) {
      this.live.delete(node);
      this.connections.delete(node);
    }
    client.end();
  }

  private connect(node: string): Promise<Client> {
    const existing = this.connections.get(node);
    if (existing) return existing;
    const machine = this.machines.find((m) => m.name === node);
    if (!machine) return Promise.reject(new Error(`ssh ${node}: not a Proxmox node of this lab`));
    const target = this.targetOf(machine);
    const connecting = new Promise<Client>((resolve, reject) => {
      const client = new Client();
      let refusal: unknown;
      client.once('ready', () => {
        this.live.set(node, client);
        resolve(client);
      });
      // Kept for the connection's whole life: a node powered off mid-run must not crash the app.
      // After 'ready' the reject is a no-op; the next use opens a new connection.
      client.on('error', (error) => {
        if (this.connections.get(node) === connecting) this.connections.delete(node);
        if (this.live.get(node) === client) this.live.delete(node);
        reject(refusal ?? sshError(node, `connect ${target.host}:${target.port}`, error));
      });
      client.once('close', () => {
        if (this.connections.get(node) === connecting) this.connections.delete(node);
        if (this.live.get(node) === client) this.live.delete(node);
      });
      client.connect({
        host: target.host,
        port: target.port,
        username: 'root',
        password: this.password,
        readyTimeout: this.timeoutMs,
        hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
          this.trust.confirm(node, sshKeyFingerprint(key), 'ssh-host-key').then(
            () => verify(true),
            (error: unknown) => {
              refusal = error;
              verify(false);
            },
          );
        },
      });
    });
    this.connections.set(node, connecting);
    return connecting;
  }
}

function sshError(node: string, what: string, error: Error): Error {
  return new Error(`ssh ${node} (${what}): ${error.message}`);
}

export async function createVirtualBoxLabEnvironment(
  options: VirtualBoxEnvironmentOptions,
): Promise<LabEnvironment> {
  const { lab, profile } = options;
  if (!profile.backends.includes('virtualbox')) {
    throw new ApiError('conflict', `Profile "${profile.id}" of lab "${lab.id}" does not run on VirtualBox.`);
  }
  const password = typeof lab.vars.rootPassword === 'string' ? lab.vars.rootPassword : undefined;
  if (!password) {
    throw new ApiError(
      'conflict',
      `lab "${lab.id}": vars.rootPassword is needed to log in to the installed nodes`,
    );
  }
  const machines: PveMachine[] = profile.machines
    .filter((m) => m.kind === 'pve')
    .map((m) => ({ name: m.name, address: firstAddress(m) }));
  const timeoutMs = options.connectTimeoutMs ?? 5_000;
  const trust = new TrustStore(options.pins ?? new Map(), options.trust);
  const apiUrl = options.apiUrl ?? ((_node, address) => `https://${address}:8006`);
  const sshTarget = options.sshTarget ?? ((_node, address) => ({ host: address, port: 22 }));

  const start =
    options.startVirtualBox ??
    (async () => (await import('../../hypervisor/virtualbox/local-virtualbox.ts')).startLocalVirtualBox());
  const vbox = await start();
  const http = new HttpPveApi({
    endpoints: [],
    credentials: { kind: 'password', username: 'root@pam', password },
    clock: realClock,
  });
  const pve = new TrustedPveApi(http, machines, (m) => apiUrl(m.name, m.address), trust, timeoutMs);
  const ssh = new SshNodes(machines, (m) => sshTarget(m.name, m.address), password, trust, timeoutMs);
  const close = async (): Promise<void> => {
    await ssh.close();
    await pve.close();
    await vbox.close();
  };
  try {
    await vbox.driver.attach(topologySpecFor(lab, profile));
    await pve.addReachable(options.signal);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    backend: 'virtualbox',
    pve,
    driver: vbox.driver,
    shell: ssh,
    ptys: ssh,
    clock: realClock,
    machines: profile.machines.map((m) => ({ name: m.name, kind: m.kind, address: firstAddress(m) })),
    close,
  };
}
