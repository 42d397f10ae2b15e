/**
 * Terminal sessions by id, one per node at most; they outlive renderer reloads
 * (the renderer re-opens and gets the scroll-back) and end with the lab.
 */
import type { PtySpawner } from './pty.ts';
import { TerminalSession } from './session.ts';

export interface TerminalEvents {
  data(id: string, data: string): void;
  exit(id: string, code: number): void;
}

export class TerminalManager {
  readonly #sessions = new Map<string, TerminalSession>();
  #next = 1;

  constructor(
    private readonly spawner: PtySpawner,
    private readonly events: TerminalEvents,
    /** Session ids start with this (the host terminal's must not collide with a node's). */
    private readonly idPrefix = 'term',
  ) {}

  /** Returns the node's live session, or starts one. */
  async open(node: string): Promise<TerminalSession> {
    for (const session of this.#sessions.values()) {
      if (session.node === node && !session.exited) return session;
    }
    const pty = await this.spawner.open(node, { cols: 100, rows: 30 });
    const id = `${this.idPrefix}-${this.#next++}-${node}`;
    const session = new TerminalSession({
      id,
      node,
      pty,
      onData: (data) => this.events.data(id, data),
      onExit: (code) => this.events.exit(id, code),
    });
    this.#sessions.set(id, session);
    return session;
  }

  /** The node's live session, if one is open. */
  find(node: string): TerminalSession | undefined {
    return [...this.#sessions.values()].find((s) => s.node === node && !s.exited);
  }

  get(id: string): TerminalSession | undefined {
    return this.#sessions.get(id);
  }

  close(id: string): void {
    this.#sessions.get(id)?.close();
    this.#sessions.delete(id);
  }

  closeAll(): void {
    for (const id of [...this.#sessions.keys()]) this.close(id);
  }
}
