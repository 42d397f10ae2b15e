/**
 * A shell on a lab node (the simulated shell, or ssh to a real node), as solves use it.
 * `input` lines are typed in order at the prompts the command asks.
 */
export interface ShellRunner {
  run(
    node: string,
    command: string,
    options?: { input?: string[]; signal?: AbortSignal },
  ): Promise<{ output: string; exitCode: number }>;
}
