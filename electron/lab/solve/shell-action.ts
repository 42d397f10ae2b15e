import type { ShellAction } from '../script/schema.ts';
import type { ActionHandler } from './solve-deps.ts';

const TAIL_LINES = 5;

/** A command in a node's shell, with scripted answers; a wrong exit code fails with the output's tail. */
export const runShellAction: ActionHandler<ShellAction> = async (action, deps) => {
  const command = await deps.cache.renderText(action.command, deps.context);
  const input: string[] = [];
  for (const line of action.input) input.push(await deps.cache.renderText(line, deps.context));
  const result = await deps.shell.run(action.node, command, { input, signal: deps.signal });
  if (result.exitCode !== action.expectExitCode) {
    const tail = result.output.trimEnd().split('\n').slice(-TAIL_LINES).join('\n');
    throw new Error(
      `"${command}" exited with ${result.exitCode}, expected ${action.expectExitCode}:\n${tail}`,
    );
  }
  return result;
};
