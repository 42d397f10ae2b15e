/**
 * The terminal on the learner's own computer, for the app's lifetime (it outlives labs). Allowed
 * only when the shell says so: the desktop does; the browser host is a WebSocket server, where a
 * shell on this machine would be a remote shell, so it stays off unless started with a flag.
 */
import { ApiError } from '../contract/errors.ts';
import type { EventHub } from './event-hub.ts';
import { HostPtySpawner } from '../terminal/host-pty.ts';
import { TerminalManager } from '../terminal/manager.ts';
import type { PtySpawner } from '../terminal/pty.ts';
import type { TerminalSession } from '../terminal/session.ts';

/** Session ids of host terminals start with this; lab terminals start with `term-`. */
export const HOST_TERMINAL_PREFIX = 'host';
/** The host terminal's name where a node name would be; `@` starts no lab node's name. */
export const HOST_TERMINAL_NODE = '@host';

export class HostTerminals {
  #manager: TerminalManager | null = null;

  constructor(
    private readonly allowed: boolean,
    private readonly hub: EventHub,
    private readonly spawner: PtySpawner = new HostPtySpawner(),
  ) {}

  owns(id: string): boolean {
    return id.startsWith(`${HOST_TERMINAL_PREFIX}-`);
  }

  async open(): Promise<TerminalSession> {
    return this.#terminals().open(HOST_TERMINAL_NODE);
  }

  get(id: string): TerminalSession {
    const session = this.#terminals().get(id);
    if (!session) throw new ApiError('not-found', `No terminal "${id}" (it may have been closed).`);
    return session;
  }

  close(id: string): void {
    this.#manager?.close(id);
  }

  closeAll(): void {
    this.#manager?.closeAll();
  }

  #terminals(): TerminalManager {
    if (!this.allowed) {
      throw new ApiError(
        'forbidden',
        'The terminal on this computer is off in the browser host (it would be a shell reachable over its WebSocket). Start NestLab with --host-terminal to allow it.',
      );
    }
    this.#manager ??= new TerminalManager(
      this.spawner,
      {
        data: (id, data) => this.hub.emit('terminal.data', { id, data }),
        exit: (id, code) => this.hub.emit('terminal.exit', { id, code }),
      },
      HOST_TERMINAL_PREFIX,
    );
    return this.#manager;
  }
}
