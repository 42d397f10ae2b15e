/**
 * A simulated node's login shell as a terminal sees it: a line discipline (echo, backspace,
 * Ctrl-C, Ctrl-U, arrow-key history), the prompt `root@node1:~# `, and hidden-input prompts
 * for commands that ask for a password. Bytes go in through `write`, text comes out through
 * `onOutput`; `run` executes one command line without a terminal (lab solves, tests).
 */

export interface ShellIo {
  /** Writes command output; `\n` becomes CRLF on the terminal. */
  write(text: string): void;
  /** Asks for one line of input; with `echo: false` nothing is echoed (as a real password prompt). */
  readLine(prompt: string, options?: { echo?: boolean }): Promise<string>;
  /** Fires when the user presses Ctrl-C while the command runs. */
  readonly signal: AbortSignal;
}

/** Runs one command line; resolves with its exit status. */
export type CommandLineRunner = (line: string, io: ShellIo) => Promise<number>;

interface PendingRead {
  echo: boolean;
  resolve: (line: string) => void;
  reject: (error: Error) => void;
}

const CTRL_C = '\x03';
const CTRL_D = '\x04';
const CTRL_U = '\x15';
const BACKSPACE = new Set(['\x7f', '\b']);

export class ShellSession {
  private readonly listeners = new Set<(data: string) => void>();
  private readonly closeListeners = new Set<() => void>();
  private readonly history: string[] = [];
  private historyIndex = 0;
  private line = '';
  private busy = false;
  private pendingRead: PendingRead | undefined;
  private abort: AbortController | undefined;
  private escape = '';
  private typeAhead = '';
  private closed = false;
  lastExitCode = 0;

  constructor(
    readonly hostname: string,
    private readonly runner: CommandLineRunner,
    /** Printed by `start()` before the first prompt (the login banner). */
    private readonly banner = `Linux ${hostname}\n\n`,
  ) {}

  get prompt(): string {
    return `root@${this.hostname}:~# `;
  }

  /** Prints the banner and the first prompt. */
  start(): void {
    this.emit(this.banner);
    this.emit(this.prompt);
  }

  onOutput(listener: (data: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Commands entered so far, oldest first. */
  commandHistory(): readonly string[] {
    return this.history;
  }

  /** Feeds keyboard bytes from the terminal. */
  write(data: string): void {
    if (this.closed) return;
    for (const char of data) this.key(char);
  }

  /** Runs a command line as if typed, without echo; returns its output and exit status. */
  async run(line: string, answers: string[] = []): Promise<{ output: string; exitCode: number }> {
    let output = '';
    const queue = [...answers];
    const io: ShellIo = {
      write: (text) => {
        output += text;
      },
      readLine: async (prompt) => {
        output += prompt;
        const answer = queue.shift();
        if (answer === undefined) throw new Error('no input available for the prompt');
        output += '\n';
        return answer;
      },
      signal: new AbortController().signal,
    };
    const exitCode = await this.runner(line, io);
    this.lastExitCode = exitCode;
    return { output, exitCode };
  }

  /** Called once when the session ends (`close()`, or Ctrl-D at an empty prompt). */
  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const listener of this.closeListeners) listener();
    this.closeListeners.clear();
    this.abort?.abort(new Error('session closed'));
    this.pendingRead?.reject(new Error('session closed'));
    this.listeners.clear();
  }

  private key(char: string): void {
    if (this.escape !== '' || char === '\x1b') {
      this.escape += char;
      if (this.escape.length >= 3 || (this.escape.length === 2 && this.escape[1] !== '[')) {
        const sequence = this.escape;
        this.escape = '';
        if (!this.pendingRead && !this.busy) this.arrow(sequence);
      }
      return;
    }
    if (char === CTRL_C) {
      if (this.pendingRead) {
        const read = this.pendingRead;
        this.pendingRead = undefined;
        this.line = '';
        this.emit('^C\n');
        this.abort?.abort(new Error('interrupted'));
        read.reject(new Error('interrupted'));
        return;
      }
      if (this.busy) {
        this.typeAhead = '';
        this.emit('^C\n');
        this.abort?.abort(new Error('interrupted'));
        return;
      }
      this.line = '';
      this.emit(`^C\n${this.prompt}`);
      return;
    }
    if (this.busy && !this.pendingRead) {
      this.typeAhead += char; // typed while a command runs: replayed at the next prompt, as a tty does
      return;
    }
    if (char === '\r' || char === '\n') {
      this.enter();
      return;
    }
    if (BACKSPACE.has(char)) {
      if (this.line.length > 0) {
        this.line = this.line.slice(0, -1);
        if (this.pendingRead?.echo !== false) this.emit('\b \b');
      }
      return;
    }
    if (char === CTRL_U) {
      if (this.pendingRead?.echo !== false) this.emit('\b \b'.repeat(this.line.length));
      this.line = '';
      return;
    }
    if (char === CTRL_D) {
      if (this.line === '' && !this.pendingRead) {
        this.emit('logout\n');
        this.close();
      }
      return;
    }
    if (char < ' ') return;
    this.line += char;
    // Like a real terminal's password prompt (passwd, ssh): nothing is echoed, not even '*'.
    if (this.pendingRead?.echo !== false) this.emit(char);
  }

  private arrow(sequence: string): void {
    if (sequence === '\x1b[A' && this.historyIndex > 0) this.historyIndex--;
    else if (sequence === '\x1b[B' && this.historyIndex < this.history.length) this.historyIndex++;
    else return;
    const replacement = this.history[this.historyIndex] ?? '';
    this.emit('\b \b'.repeat(this.line.length) + replacement);
    this.line = replacement;
  }

  private enter(): void {
    const line = this.line;
    this.line = '';
    this.emit('\n');
    if (this.pendingRead) {
      const read = this.pendingRead;
      this.pendingRead = undefined;
      read.resolve(line);
      return;
    }
    if (line.trim() === '') {
      this.emit(this.prompt);
      return;
    }
    if (this.history.at(-1) !== line) this.history.push(line);
    this.historyIndex = this.history.length;
    void this.execute(line);
  }

  private async execute(line: string): Promise<void> {
    this.busy = true;
    this.abort = new AbortController();
    const io: ShellIo = {
      write: (text) => this.emit(text),
      readLine: (prompt, options) =>
        new Promise<string>((resolve, reject) => {
          this.emit(prompt);
          this.pendingRead = { echo: options?.echo ?? true, resolve, reject };
        }),
      signal: this.abort.signal,
    };
    try {
      this.lastExitCode = await this.runner(line, io);
    } catch (error) {
      this.emit(`${error instanceof Error ? error.message : String(error)}\n`);
      this.lastExitCode = 130;
    } finally {
      this.busy = false;
      this.pendingRead = undefined;
      this.abort = undefined;
    }
    if (this.closed) return;
    this.emit(this.prompt);
    const pending = this.typeAhead;
    this.typeAhead = '';
    if (pending !== '') this.write(pending);
  }

  private emit(text: string): void {
    const data = text.replace(/\r?\n/g, '\r\n');
    for (const listener of this.listeners) listener(data);
  }
}
