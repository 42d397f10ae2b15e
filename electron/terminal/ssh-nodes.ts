/**
 * ssh to lab nodes (solves and terminals) with pinned host keys: one connection per node, opened
 * on first use; its host key goes to `confirmHostKey`, which throws to refuse it.
 */
import { createHash } from 'node:crypto';
import { Client, type ClientChannel } from 'ssh2';

import { ApiError } from '../contract/errors.ts';
import type { ShellRunner } from '../lab/shell-runner.ts';
import type { PtyLike, PtySpawner } from './pty.ts';

export interface SshNode {
  name: string;
  address: string;
}

/** OpenSSH's notation for a host key: `SHA256:<base64 without padding>`. */
export function sshKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** One ssh connection per node, logged in as root with `password`. */
export class SshNodes implements ShellRunner, PtySpawner {
  private readonly connections = new Map<string, Promise<Client>>();
  /** The connected client behind each settled entry of `connections`. */
  private readonly live = new Map<string, Client>();

  constructor(
    private readonly machines: SshNode[],
    private readonly targetOf: (machine: SshNode) => { host: string; port: number },
    private readonly password: string,
    private readonly confirmHostKey: (node: string, fingerprint: string) => Promise<void>,
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
          this.confirmHostKey(node, sshKeyFingerprint(key)).then(
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
