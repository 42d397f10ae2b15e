/**
 * One terminal session: output batched (~16 ms, one message per frame instead of one per byte)
 * and kept in a bounded scroll-back that is replayed when the renderer reloads.
 */
import type { PtyLike } from './pty.ts';

export interface SessionOptions {
  id: string;
  node: string;
  pty: PtyLike;
  onData: (data: string) => void;
  onExit: (code: number) => void;
  batchMs?: number;
  scrollbackBytes?: number;
  /** Timer functions (injectable for tests). */
  setTimer?: (fn: () => void, ms: number) => unknown;
}

export class TerminalSession {
  readonly id: string;
  readonly node: string;
  readonly #pty: PtyLike;
  readonly #options: Required<Omit<SessionOptions, 'id' | 'node' | 'pty'>>;
  #chunks: string[] = [];
  #scrollback = '';
  #pending = '';
  #flushScheduled = false;
  #exited = false;
  readonly #unsubscribe: (() => void)[];

  constructor(options: SessionOptions) {
    this.id = options.id;
    this.node = options.node;
    this.#pty = options.pty;
    this.#options = {
      onData: options.onData,
      onExit: options.onExit,
      batchMs: options.batchMs ?? 16,
      scrollbackBytes: options.scrollbackBytes ?? 256 * 1024,
      setTimer: options.setTimer ?? ((fn, ms) => setTimeout(fn, ms)),
    };
    this.#unsubscribe = [
      this.#pty.onData((data) => this.#receive(data)),
      this.#pty.onExit((code) => {
        this.#flush();
        this.#exited = true;
        this.#options.onExit(code);
      }),
    ];
  }

  get exited(): boolean {
    return this.#exited;
  }

  get scrollback(): string {
    return this.#scrollback + this.#pending;
  }

  write(data: string): void {
    if (!this.#exited) this.#pty.write(data);
  }

  /** Shows text on the screen (and in the scroll-back) without sending it to the shell. */
  note(text: string): void {
    if (!this.#exited) this.#receive(text);
  }

  resize(cols: number, rows: number): void {
    if (!this.#exited) this.#pty.resize(cols, rows);
  }

  close(): void {
    for (const off of this.#unsubscribe) off();
    if (!this.#exited) this.#pty.kill();
    this.#exited = true;
  }

  #receive(data: string): void {
    this.#chunks.push(data);
    this.#pending += data;
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    this.#options.setTimer(() => this.#flush(), this.#options.batchMs);
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#chunks.length === 0) return;
    const batch = this.#chunks.join('');
    this.#chunks = [];
    this.#scrollback += this.#pending;
    this.#pending = '';
    const limit = this.#options.scrollbackBytes;
    if (this.#scrollback.length > limit) {
      // Cut at a line boundary so the replay does not start mid escape sequence.
      const cut = this.#scrollback.indexOf('\n', this.#scrollback.length - limit - 1);
      this.#scrollback = this.#scrollback.slice(cut === -1 ? this.#scrollback.length - limit : cut + 1);
    }
    this.#options.onData(batch);
  }
}
