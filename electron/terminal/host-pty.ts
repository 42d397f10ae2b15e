/**
 * A terminal on the learner's own computer (for the courses' `ssh root@192.168.56.11` on the
 * VirtualBox backend): the user's login shell in a node-pty pseudo-terminal. node-pty is a
 * native module, imported on first use so the engine still loads where it has no binary.
 */
import { homedir } from 'node:os';

import type * as NodePtyModule from 'node-pty';

import type { PtyLike, PtySpawner } from './pty.ts';

export interface HostCommand {
  file: string;
  args: string[];
}

/** The user's shell: $SHELL (else /bin/bash), PowerShell on Windows. */
export function defaultHostShell(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
): HostCommand {
  if (platform === 'win32') return { file: 'powershell.exe', args: [] };
  return { file: env.SHELL || '/bin/bash', args: [] };
}

type NodePty = typeof NodePtyModule;

let loaded: Promise<NodePty> | undefined;

/** node-pty, loaded once; a clear error where its native binary is missing. */
export function loadNodePty(): Promise<NodePty> {
  loaded ??= import('node-pty')
    .then((m) => ((m as { default?: NodePty }).default ?? m) as NodePty)
    .catch((error: unknown) => {
      loaded = undefined;
      throw new Error(
        `The terminal on this computer needs node-pty, which could not be loaded here (${error instanceof Error ? error.message : String(error)}).`,
      );
    });
  return loaded;
}

export class HostPtySpawner implements PtySpawner {
  constructor(
    private readonly command: HostCommand = defaultHostShell(),
    private readonly options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
  ) {}

  /** `node` is ignored: there is one host. */
  async open(_node: string, size: { cols: number; rows: number }): Promise<PtyLike> {
    const pty = await loadNodePty();
    const child = pty.spawn(this.command.file, this.command.args, {
      name: 'xterm-256color',
      cols: size.cols,
      rows: size.rows,
      cwd: this.options.cwd ?? homedir(),
      env: { ...(this.options.env ?? process.env), TERM: 'xterm-256color' } as Record<string, string>,
    });
    return {
      write: (data) => child.write(data),
      resize: (cols, rows) => child.resize(cols, rows),
      onData: (listener) => {
        const sub = child.onData(listener);
        return () => sub.dispose();
      },
      onExit: (listener) => {
        const sub = child.onExit(({ exitCode }) => listener(exitCode));
        return () => sub.dispose();
      },
      kill: () => child.kill(),
    };
  }
}
