/**
 * Process-level last resort for every entry point (Electron main, `nestlab web`, `nestlab sim serve`,
 * the other CLI commands). Each request path catches its own errors; this is for what slips through.
 *
 * - A rejected promise nobody awaited: a server logs it with its context and keeps serving (the
 *   request that caused it has failed, the others are unaffected); a one-shot command stops with a
 *   one-line message instead of hanging or printing a stack.
 * - An uncaught exception: the process state is unknown (Node's own advice), so every entry point
 *   prints one line and exits with status 1.
 */
export type GuardMode = 'serve' | 'command';

export interface GuardTarget {
  on(event: 'unhandledRejection', listener: (reason: unknown) => void): unknown;
  on(event: 'uncaughtException', listener: (error: Error) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
}

export interface ProcessGuardOptions {
  /** Names the entry point in every line, e.g. `nestlab sim serve`. */
  entry: string;
  mode: GuardMode;
  /** One line to the user (stderr by default). */
  report?: (line: string) => void;
  /** Details for whoever reads the log (the stack); stderr by default. */
  detail?: (text: string) => void;
  exit?: (code: number) => void;
  target?: GuardTarget;
}

export interface ProcessGuard {
  /** Switch mode, for a command that turns into a server (`nestlab web`, `nestlab sim serve`). */
  setMode(mode: GuardMode, entry?: string): void;
  uninstall(): void;
}

let installed: ProcessGuard | undefined;

export function describeFailure(reason: unknown): string {
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`.split('\n')[0]!;
  return String(reason).split('\n')[0]!;
}

export function installProcessGuard(options: ProcessGuardOptions): ProcessGuard {
  if (installed) {
    installed.setMode(options.mode, options.entry);
    return installed;
  }
  const target: GuardTarget = options.target ?? process;
  const report = options.report ?? ((line: string) => process.stderr.write(`${line}\n`));
  const detail = options.detail ?? ((text: string) => process.stderr.write(`${text}\n`));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let { mode, entry } = options;

  const onRejection = (reason: unknown): void => {
    if (mode === 'serve') {
      report(`${entry}: unexpected error, still running: ${describeFailure(reason)}`);
      if (reason instanceof Error && reason.stack) detail(reason.stack);
      return;
    }
    report(`${entry}: ${describeFailure(reason)}`);
    exit(1);
  };
  const onException = (error: Error): void => {
    report(`${entry}: stopped after an unexpected error: ${describeFailure(error)}`);
    if (error instanceof Error && error.stack) detail(error.stack);
    exit(1);
  };
  target.on('unhandledRejection', onRejection);
  target.on('uncaughtException', onException);
  const guard: ProcessGuard = {
    setMode(next, nextEntry) {
      mode = next;
      if (nextEntry) entry = nextEntry;
    },
    uninstall() {
      target.removeListener('unhandledRejection', onRejection as never);
      target.removeListener('uncaughtException', onException as never);
      if (installed === guard) installed = undefined;
    },
  };
  if (target === process) installed = guard;
  return guard;
}
