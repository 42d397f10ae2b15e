import type { ShellRunner } from '../../../../electron/lab/shell-runner.ts';

export interface ShellCall {
  node: string;
  command: string;
  input: string[];
}

/** Answers commands with a scripted function and records them. */
export class FakeShell implements ShellRunner {
  readonly calls: ShellCall[] = [];
  constructor(
    private readonly answer: (call: ShellCall) => { output: string; exitCode: number } = () => ({
      output: '',
      exitCode: 0,
    }),
  ) {}

  async run(
    node: string,
    command: string,
    options?: { input?: string[]; signal?: AbortSignal },
  ): Promise<{ output: string; exitCode: number }> {
    const call = { node, command, input: options?.input ?? [] };
    this.calls.push(call);
    await new Promise<void>((r) => setImmediate(r));
    return this.answer(call);
  }
}
