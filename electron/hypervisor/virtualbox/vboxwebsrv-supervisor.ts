/**
 * Runs vboxwebsrv as the user's child process: loopback only, a free port, VBoxAuthSimple with the
 * per-user secret, no idle timeout (we own it). Ready means a logon works. If it dies it is restarted
 * with growing back-off; after too many failures in a row it gives up and says so. VMs keep running
 * across restarts (they belong to VBoxSVC). spawn, the probe and the clock are injected for tests.
 */
import net from 'node:net';
import type { Readable } from 'node:stream';
import type { Clock } from '../../clock/clock.ts';
import { HypervisorError } from '../driver.ts';
import { probeVBoxWebService } from './soap-probe.ts';
import type { VBoxCredentials } from './vbox-connection.ts';

export interface SupervisedChild {
  readonly pid?: number;
  readonly stdout?: Readable | null;
  readonly stderr?: Readable | null;
  kill(signal?: NodeJS.Signals): boolean;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
}

export type SpawnChild = (
  command: string,
  args: string[],
  options: { windowsHide: boolean; stdio: ['ignore', 'pipe', 'pipe'] },
) => SupervisedChild;

export type SupervisorStatus = 'stopped' | 'starting' | 'ready' | 'restarting' | 'failed';

export interface SupervisorOptions {
  vboxwebsrv: string;
  spawn: SpawnChild;
  clock: Clock;
  /** Username and secret, already registered with VirtualBox (see vbox-auth-secret.ts). */
  credentials: () => Promise<{ username: string; password: string }>;
  findFreePort?: () => Promise<number>;
  probe?: (url: string, username: string, password: string) => Promise<unknown>;
  readyTimeoutMs?: number;
  probeIntervalMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Consecutive failed starts before giving up. */
  maxFailures?: number;
  log?: (line: string) => void;
  platform?: NodeJS.Platform;
}

/** The command line: never `-A null`, always loopback, no websession timeout. */
export function vboxwebsrvArgs(port: number): string[] {
  return [
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--authentication',
    'VBoxAuthSimple',
    '--timeout',
    '0',
  ];
}

/**
 * A bind failure: vboxweb.cpp's queue pumper logs `#### SOAP FAULT: <text> [<detail>]` and returns, but
 * the process keeps running without a listening socket — waiting for a logon would only time out.
 */
export function bindFailureIn(line: string): string | undefined {
  return /#### SOAP FAULT: (.*)$/.exec(line)?.[1]?.trim();
}

/** The listening port was taken (by a foreign process) between our free-port check and the bind. */
export class PortTakenError extends HypervisorError {
  constructor(message: string) {
    super('unreachable', message);
    this.name = 'PortTakenError';
  }
}

export function backoffDelay(failures: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, failures - 1));
}

export function findFreeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export class VboxwebsrvSupervisor {
  private child?: SupervisedChild;
  private childExit?: Promise<string>;
  private currentStatus: SupervisorStatus = 'stopped';
  private current?: VBoxCredentials;
  private failures = 0;
  private stopping = false;
  private readonly stopController = new AbortController();
  private readonly statusListeners = new Set<
    (status: SupervisorStatus, credentials?: VBoxCredentials) => void
  >();
  private supervising?: Promise<void>;

  constructor(private readonly options: SupervisorOptions) {}

  get status(): SupervisorStatus {
    return this.currentStatus;
  }

  /** Where to connect now (the port changes when the service is restarted). */
  get credentials(): VBoxCredentials | undefined {
    return this.current;
  }

  onStatus(listener: (status: SupervisorStatus, credentials?: VBoxCredentials) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  private setStatus(status: SupervisorStatus): void {
    this.currentStatus = status;
    for (const listener of this.statusListeners) listener(status, this.current);
  }

  /** Starts the service and resolves once a logon works; restarts it in the background afterwards. */
  async start(): Promise<VBoxCredentials> {
    if (this.currentStatus === 'ready' && this.current) return this.current;
    this.setStatus('starting');
    let exited: Promise<string>;
    for (let attempt = 1; ; attempt++) {
      try {
        ({ exited } = await this.launch());
        break;
      } catch (error) {
        // Another port is tried at once; a taken port is not the service failing.
        if (error instanceof PortTakenError && attempt < 3) continue;
        this.setStatus('failed');
        throw error;
      }
    }
    this.supervising = this.supervise(exited);
    return this.current!;
  }

  /** Spawns once and waits for readiness; `exited` settles when that child exits (boxed: async would flatten it). */
  private async launch(): Promise<{ exited: Promise<string> }> {
    const o = this.options;
    const { username, password } = await o.credentials();
    const port = await (o.findFreePort ?? findFreeLoopbackPort)();
    const url = `http://127.0.0.1:${port}/`;
    const args = vboxwebsrvArgs(port);
    o.log?.(`starting ${o.vboxwebsrv} ${args.join(' ')}`);
    const child = o.spawn(o.vboxwebsrv, args, { windowsHide: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let bindFailure: string | undefined;
    let wakeProbe: (() => void) | undefined;
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) =>
        chunk
          .split(/\r?\n/)
          .filter(Boolean)
          .forEach((line) => {
            o.log?.(`vboxwebsrv: ${line}`);
            const failure = bindFailureIn(line);
            if (failure && bindFailure === undefined) {
              bindFailure = failure;
              wakeProbe?.();
            }
          }),
      );
    }
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) =>
        resolve(signal ? `killed by ${signal}` : `exited with code ${code}`),
      );
      child.once('error', (error) => resolve(`could not start: ${error.message}`));
    });
    this.childExit = exited;
    let exitReason: string | undefined;
    void exited.then((reason) => (exitReason = reason));

    const deadline = o.clock.now() + (o.readyTimeoutMs ?? 15_000);
    let lastError = 'no answer yet';
    for (;;) {
      if (bindFailure !== undefined) {
        child.kill();
        await exited;
        throw new PortTakenError(`vboxwebsrv could not listen on 127.0.0.1:${port}: ${bindFailure}`);
      }
      if (exitReason !== undefined) {
        throw new HypervisorError(
          'unreachable',
          `vboxwebsrv ${exitReason} before it accepted a logon (${lastError})`,
        );
      }
      try {
        await (o.probe ?? probeVBoxWebService)(url, username, password);
        break;
      } catch (error) {
        lastError = (error as Error).message;
        const kind = (error as { kind?: string }).kind;
        if (kind === 'auth-failed') {
          child.kill();
          throw new HypervisorError('auth-failed', `vboxwebsrv refused NestLab's logon: ${lastError}`);
        }
      }
      if (o.clock.now() >= deadline) {
        child.kill();
        throw new HypervisorError(
          'unreachable',
          `vboxwebsrv did not accept a logon within ${o.readyTimeoutMs ?? 15_000} ms (${lastError})`,
        );
      }
      // Woken early when the output reports a bind failure.
      const early = new AbortController();
      wakeProbe = () => early.abort();
      await o.clock
        .sleep(o.probeIntervalMs ?? 250, AbortSignal.any([this.stopController.signal, early.signal]))
        .catch((error: unknown) => {
          if (!early.signal.aborted) throw error;
        });
      wakeProbe = undefined;
    }
    this.current = { url, username, password };
    this.failures = 0;
    this.setStatus('ready');
    return { exited };
  }

  private async supervise(exited: Promise<string>): Promise<void> {
    const o = this.options;
    for (;;) {
      const reason = await exited;
      if (this.stopping) return;
      o.log?.(`vboxwebsrv ${reason}; restarting`);
      this.current = undefined;
      this.setStatus('restarting');
      for (;;) {
        this.failures += 1;
        if (this.failures > (o.maxFailures ?? 6)) {
          o.log?.(`vboxwebsrv failed ${this.failures - 1} times in a row; giving up`);
          this.setStatus('failed');
          return;
        }
        try {
          await o.clock.sleep(
            backoffDelay(this.failures, o.backoffInitialMs ?? 1000, o.backoffMaxMs ?? 30_000),
            this.stopController.signal,
          );
        } catch {
          return; // stopped while waiting
        }
        try {
          ({ exited } = await this.launch());
          break;
        } catch (error) {
          if (this.stopping) return;
          o.log?.((error as Error).message);
        }
      }
    }
  }

  /** Stops the service (SIGTERM lets it clean up on POSIX; Windows has only TerminateProcess). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopController.abort(new HypervisorError('cancelled', 'vboxwebsrv supervisor stopped'));
    const child = this.child;
    const gone = this.childExit;
    this.child = undefined;
    if (child && gone) {
      child.kill((this.options.platform ?? process.platform) === 'win32' ? undefined : 'SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(killTimer);
    }
    await this.supervising;
    this.current = undefined;
    this.setStatus('stopped');
  }
}
