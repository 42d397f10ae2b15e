/**
 * A client of a machine's COM1, which VirtualBox serves as a local pipe (unix socket; a named pipe on
 * Windows): connects once the VM has created it, keeps what the guest printed, waits for text, types.
 */
import net from 'node:net';
import type { Clock } from '../../clock/clock.ts';
import { HypervisorError } from '../driver.ts';

export interface SerialConsole {
  /** Everything the guest printed since connecting. */
  readonly transcript: string;
  onOutput(listener: (text: string) => void): () => void;
  write(text: string): void;
  /** Resolves with the match once the output after `from` (default: everything so far) matches. */
  waitFor(
    pattern: RegExp,
    options?: { signal?: AbortSignal; from?: number; what?: string },
  ): Promise<RegExpExecArray>;
  close(): void;
}

export async function openSerialConsole(
  machine: string,
  path: string,
  clock: Clock,
  options: { signal?: AbortSignal; retryMs?: number } = {},
): Promise<SerialConsole> {
  const socket = await connectWhenThere(machine, path, clock, options);
  let transcript = '';
  const listeners = new Set<(text: string) => void>();
  let closed: Error | undefined;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    transcript += chunk;
    for (const listener of listeners) listener(chunk);
  });
  socket.on('close', () => {
    closed ??= new HypervisorError(
      'invalid-state',
      `serial console of ${machine} closed (the machine stopped)`,
      machine,
    );
    for (const listener of listeners) listener('');
  });
  socket.on('error', () => undefined);

  return {
    get transcript() {
      return transcript;
    },
    onOutput(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    write(text) {
      socket.write(text);
    },
    waitFor(pattern, { signal, from = 0, what } = {}) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const match = pattern.exec(transcript.slice(from));
          if (match) {
            done();
            resolve(match);
            return true;
          }
          if (closed) {
            done();
            reject(
              new HypervisorError(
                'invalid-state',
                `${closed.message} before it printed ${what ?? pattern}`,
                machine,
              ),
            );
            return true;
          }
          return false;
        };
        const onAbort = (): void => {
          done();
          reject(
            new HypervisorError(
              'cancelled',
              `waiting for ${what ?? pattern} on ${machine}: cancelled`,
              machine,
            ),
          );
        };
        const done = (): void => {
          listeners.delete(check);
          signal?.removeEventListener('abort', onAbort);
        };
        if (check()) return;
        if (signal?.aborted) return onAbort();
        listeners.add(check);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    close() {
      socket.destroy();
    },
  };
}

/** VirtualBox creates the pipe when the VM process starts; until then connecting fails with ENOENT. */
async function connectWhenThere(
  machine: string,
  path: string,
  clock: Clock,
  { signal, retryMs = 200 }: { signal?: AbortSignal; retryMs?: number },
): Promise<net.Socket> {
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted)
      throw new HypervisorError('cancelled', `serial console of ${machine}: cancelled`, machine);
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        const socket = net.connect(path);
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if ((code !== 'ENOENT' && code !== 'ECONNREFUSED') || attempt >= 150) {
        throw new HypervisorError(
          'unreachable',
          `serial console of ${machine} at ${path}: ${(error as Error).message}`,
          machine,
        );
      }
      await clock.sleep(retryMs, signal);
    }
  }
}
