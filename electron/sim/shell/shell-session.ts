/**
 * A simulated node's login shell as a terminal sees it: a line discipline (echo, backspace,
 * Ctrl-C, Ctrl-U, arrow-key history), the prompt `root@node1:~# `, and hidden-input prompts
 * for commands that ask for a password. Bytes go in through `write`, text comes out through
 * `onOutput`; `run` executes one command line without a terminal (lab solves, tests).
 */

export interface ShellIo {
  /** Writes command output; `\n` becomes CRLF on the terminal. */
  write(text: string): void;
  /** Asks for one line of input; with `echo: false` nothing of what is typed shows (as `read -s`). */
  readLine(prompt: string, options?: { echo?: boolean }): Promise<string>;
  /** Fires when the user presses Ctrl-C while the command runs (or the connection drops). */
  readonly signal: AbortSignal;
  /** Text piped into the command (`… | grep x`); undefined when it reads from the terminal. */
  readonly stdin?: string;
  /** Standard output goes into a pipe, not the terminal (`ls` prints one name per line then). */
  readonly stdoutPiped?: boolean;
  /** True on a terminal; false for scripted `run` (no screen to clear, nothing to repeat). */
  readonly interactive: boolean;
  /** The login session the command runs in (history, `exit`, `ssh`). */
  readonly session: SessionControl;
}

export interface SessionControl {
  /** Command lines entered in this terminal, oldest first. */
  history(): readonly string[];
  /** `exit`/`logout`: ends the current login once the command line has finished. */
  logout(): void;
  /** `ssh <host>` without a command: a login on another host on top of this one. */
  login(host: ShellLogin): void;
  /** Clears the screen (`clear`). */
  clear(): void;
}

/** One login (the node's own, or an ssh hop): its prompt host, what runs its lines, its banner. */
export interface ShellLogin {
  hostname: string;
  runner: CommandLineRunner;
  banner: string;
  /** The login's working directory, for the prompt (`/root` shows as `~`). */
  cwd?: () => string;
}

/**
 * How a session learns that the machine under a login went away (power off, reset, reboot):
 * a boot token per host, undefined while the host is down, and a change notification.
 */
export interface LoginLiveness {
  bootToken(hostname: string): number | undefined;
  onChange(listener: () => void): () => void;
  /** The login to offer again when the first host is back (a fresh runner, same host). */
  relogin(hostname: string): ShellLogin;
}

/** Runs one command line; resolves with its exit status. */
export type CommandLineRunner = (line: string, io: ShellIo) => Promise<number>;

interface PendingRead {
  echo: boolean;
  resolve: (line: string) => void;
  reject: (error: Error) => void;
}

interface LoginLevel extends ShellLogin {
  bootToken: number | undefined;
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
  /** Logins, the node's own first; ssh hops on top. Empty while the first host is down. */
  private readonly levels: LoginLevel[] = [];
  /** Host whose return the terminal waits for after its connection closed. */
  private disconnectedFrom: string | undefined;
  private logoutRequested = false;
  /** Bumped when a connection drops, so output of a command that was running there is lost. */
  private generation = 0;
  private readonly stopWatching: (() => void) | undefined;
  lastExitCode = 0;

  constructor(
    hostname: string,
    runner: CommandLineRunner,
    /** Printed by `start()` before the first prompt (the login banner). */
    banner = `Linux ${hostname}\n\n`,
    private readonly liveness?: LoginLiveness,
  ) {
    this.levels.push(this.level({ hostname, runner, banner }));
    this.stopWatching = liveness?.onChange(() => this.checkConnections());
  }

  /** The host the terminal is logged in to now (the last ssh hop). */
  get hostname(): string {
    return this.levels.at(-1)?.hostname ?? this.disconnectedFrom ?? '';
  }

  get prompt(): string {
    const cwd = this.levels.at(-1)?.cwd?.() ?? '/root';
    return `root@${this.hostname}:${cwd === '/root' ? '~' : cwd.replace(/^\/root\//, '~/')}# `;
  }

  /** Prints the banner and the first prompt. */
  start(): void {
    this.emit(this.levels[0]?.banner ?? '');
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

  /**
   * Runs a command line as if typed, without echo; returns its output and exit status. `ssh` and
   * `exit` move between hosts as they do on the terminal.
   */
  async run(line: string, answers: string[] = []): Promise<{ output: string; exitCode: number }> {
    let output = '';
    const queue = [...answers];
    const level = this.levels.at(-1);
    if (!level) return { output: `Connection to ${this.disconnectedFrom ?? ''} closed.\n`, exitCode: 255 };
    const generation = this.generation;
    const io: ShellIo = {
      write: (text) => {
        if (generation === this.generation) output += text;
      },
      readLine: async (prompt) => {
        output += prompt;
        const answer = queue.shift();
        if (answer === undefined) throw new Error('no input available for the prompt');
        output += '\n';
        return answer;
      },
      signal: new AbortController().signal,
      interactive: false,
      session: this.control(() => undefined),
    };
    const exitCode = await level.runner(line, io);
    this.lastExitCode = exitCode;
    if (generation !== this.generation) output += `Connection to ${level.hostname} closed.\n`;
    output += this.finishLogout();
    return { output, exitCode };
  }

  /** Called once when the session ends (`close()`, or Ctrl-D / `exit` at the first login). */
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
    this.stopWatching?.();
    for (const listener of this.closeListeners) listener();
    this.closeListeners.clear();
    this.abort?.abort(new Error('session closed'));
    this.pendingRead?.reject(new Error('session closed'));
    this.listeners.clear();
  }

  private level(login: ShellLogin): LoginLevel {
    return { ...login, bootToken: this.liveness?.bootToken(login.hostname) };
  }

  private control(clear: () => void): SessionControl {
    return {
      history: () => this.history,
      logout: () => {
        this.logoutRequested = true;
      },
      login: (login) => {
        this.levels.push(this.level(login));
        this.emit(login.banner);
      },
      clear,
    };
  }

  /** After a line that ran `exit`: leaves the current login (the terminal closes after the first). */
  private finishLogout(): string {
    if (!this.logoutRequested) return '';
    this.logoutRequested = false;
    const left = this.levels.pop();
    if (!left) return '';
    if (this.levels.length > 0) return `Connection to ${left.hostname} closed.\n`;
    this.close();
    return '';
  }

  /** A host under a login went down or rebooted: its connection (and every hop above) closes. */
  private checkConnections(): void {
    if (this.closed || !this.liveness) return;
    if (this.levels.length === 0) {
      const host = this.disconnectedFrom;
      if (host !== undefined && this.liveness.bootToken(host) !== undefined) {
        this.disconnectedFrom = undefined;
        this.line = '';
        const login = this.level(this.liveness.relogin(host));
        this.levels.push(login);
        this.emit(`${login.banner}${this.prompt}`);
      }
      return;
    }
    const lost = this.levels.findIndex((l) => this.liveness!.bootToken(l.hostname) !== l.bootToken);
    if (lost === -1) return;
    this.generation++;
    this.abort?.abort(new Error('connection closed'));
    const read = this.pendingRead;
    this.pendingRead = undefined;
    read?.reject(new Error('connection closed'));
    const closed = this.levels.splice(lost).reverse();
    let text = this.line !== '' || this.busy ? '\n' : '';
    for (const level of closed) text += `Connection to ${level.hostname} closed.\n`;
    this.line = '';
    this.typeAhead = '';
    if (this.levels.length === 0) this.disconnectedFrom = closed.at(-1)!.hostname;
    if (!this.busy && this.levels.length > 0) text += this.prompt;
    this.emit(text);
  }

  private key(char: string): void {
    if (this.levels.length === 0) return; // the connection is closed: keys go nowhere
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
        this.logoutRequested = true;
        const text = this.finishLogout();
        if (!this.closed) this.emit(`${text}${this.prompt}`);
      }
      return;
    }
    if (char < ' ') return;
    this.line += char;
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
    const level = this.levels.at(-1);
    if (!level) return;
    this.busy = true;
    this.abort = new AbortController();
    const generation = this.generation;
    const live = (): boolean => generation === this.generation;
    const io: ShellIo = {
      write: (text) => {
        if (live()) this.emit(text);
      },
      readLine: (prompt, options) =>
        new Promise<string>((resolve, reject) => {
          if (!live()) return reject(new Error('connection closed'));
          this.emit(prompt);
          this.pendingRead = { echo: options?.echo ?? true, resolve, reject };
        }),
      signal: this.abort.signal,
      interactive: true,
      session: this.control(() => this.emit('\x1b[H\x1b[2J\x1b[3J')),
    };
    try {
      this.lastExitCode = await level.runner(line, io);
    } catch (error) {
      if (live()) this.emit(`${error instanceof Error ? error.message : String(error)}\n`);
      this.lastExitCode = 130;
    } finally {
      this.busy = false;
      this.pendingRead = undefined;
      this.abort = undefined;
    }
    if (this.closed) return;
    if (!live()) {
      // The connection dropped while the command ran: the prompt of what is left, if anything.
      if (this.levels.length > 0) this.emit(this.prompt);
      return;
    }
    const text = this.finishLogout();
    if (this.closed) return;
    this.emit(`${text}${this.prompt}`);
    const pending = this.typeAhead;
    this.typeAhead = '';
    if (pending !== '') this.write(pending);
  }

  private emit(text: string): void {
    const data = text.replace(/\r?\n/g, '\r\n');
    for (const listener of this.listeners) listener(data);
  }
}
