/**
 * The command interpreter behind a simulated node's shell: finds the tool and subcommand, parses
 * arguments CLIHandler-style, runs it against the node's REST API, and prints failures the way
 * the real tools do (`400 not enough arguments` + usage, `Parameter verification failed.` with
 * one line per parameter, Proxmox's error message, `command not found`).
 */
import type { PveApi } from '../../pve/api.ts';
import { PveError } from '../../pve/api.ts';
import type { ApiSchema } from '../http/api-schema.ts';
import { ParameterError, parseArgs, UsageError } from './command-line.ts';
import type { CliProgram, CommandContext, ShellCommand, SubCommand } from './command.ts';
import { coreutils } from './commands/coreutils.ts';
import { haManager } from './commands/ha-manager.ts';
import { network } from './commands/network.ts';
import { pvecm } from './commands/pvecm.ts';
import { pvesh } from './commands/pvesh.ts';
import { pvesm } from './commands/pvesm.ts';
import { qm } from './commands/qm.ts';
import { kernelOf, system } from './commands/system.ts';
import type { LocalNodeAccess } from './local-node.ts';
import { parseCommandLine, type Pipeline } from './shell-grammar.ts';
import { ShellSession, type CommandLineRunner, type ShellIo, type ShellLogin } from './shell-session.ts';

export const PROGRAMS: readonly CliProgram[] = [pvecm, pvesm, qm, haManager];

export interface NodeShellOptions {
  node: string;
  /** A client for this node's API (the shell always calls its own node). */
  api: PveApi;
  local: LocalNodeAccess;
  schema: ApiSchema;
}

/** A terminal logged in to `node`: closes like an ssh session when the node goes down, and comes back after it boots. */
export function openNodeShell(options: NodeShellOptions): ShellSession {
  const first = createLogin(options, options.node);
  return new ShellSession(first.hostname, first.runner, first.banner, {
    bootToken: (host) => options.local.bootToken(host),
    onChange: (listener) => options.local.onMachinesChange(listener),
    relogin: (host) => createLogin(options, host),
  });
}

/** One login on `node`: its working directory and the line runner (grammar, pipes, commands). */
export function createLogin(
  options: NodeShellOptions,
  node: string,
): ShellLogin & { runLine: CommandLineRunner } {
  const login = { cwd: '/root' };
  let lastExit = 0;
  const runLine: CommandLineRunner = async (line, io) => {
    let items;
    try {
      items = parseCommandLine(line, lastExit);
    } catch (error) {
      io.write(`-bash: ${(error as Error).message}\n`);
      return (lastExit = 2);
    }
    let status = lastExit;
    for (const item of items) {
      if (item.after === '&&' && status !== 0) continue;
      if (item.after === '||' && status === 0) continue;
      status = await runPipeline(item.pipeline, io);
      lastExit = status;
      if (io.signal.aborted) break;
    }
    return status;
  };
  const context = (io: ShellIo): CommandContext => ({
    node,
    api: options.api,
    local: options.local,
    schema: options.schema,
    io,
    login,
    runLine,
    loginOn: (target) => createLogin(options, target),
  });
  const runPipeline = async (pipeline: Pipeline, io: ShellIo): Promise<number> => {
    let stdin: string | undefined;
    let status = 0;
    const last = pipeline.commands.length - 1;
    for (const [i, command] of pipeline.commands.entries()) {
      let captured = '';
      const stageIo: ShellIo = {
        ...io,
        write:
          i < last ? (text) => void (captured += text) : command.discardOutput ? () => undefined : io.write,
        ...(stdin !== undefined ? { stdin } : {}),
        stdoutPiped: i < last || io.stdoutPiped === true,
      };
      if (i > 0 && stdin === undefined) delete (stageIo as { stdin?: string }).stdin;
      status = await runSimpleCommand(context(stageIo), command.words);
      stdin = captured;
      if (io.signal.aborted) return 130;
    }
    return status;
  };
  return {
    hostname: node,
    runner: runLine,
    runLine,
    banner: loginBanner(node, options.schema.major),
    cwd: () => login.cwd,
  };
}

/** @deprecated kept for callers that need only a runner; prefer `createLogin`. */
export function createCommandRunner(options: NodeShellOptions): CommandLineRunner {
  return createLogin(options, options.node).runner;
}

async function runSimpleCommand(ctx: CommandContext, words: string[]): Promise<number> {
  const [command, ...rest] = words;
  if (command === undefined) return 0;
  const shellCommand = SHELL_COMMANDS[command];
  if (shellCommand) {
    try {
      return await shellCommand(ctx, rest);
    } catch (error) {
      return reportFailure(ctx.io, error, command);
    }
  }
  const program = PROGRAMS.find((p) => p.name === command);
  if (program) return runProgram(ctx, program, rest);
  if (command === 'pvesh') return pvesh(ctx, rest);
  ctx.io.write(`-bash: ${command}: command not found\n`);
  return 127;
}

async function runProgram(ctx: CommandContext, fullProgram: CliProgram, tokens: string[]): Promise<number> {
  const program = {
    ...fullProgram,
    subcommands: fullProgram.subcommands.filter((s) => s.available?.(ctx.schema) ?? true),
  };
  const resolved = expandCommandWords(program, tokens);
  const sub = findSubcommand(program, resolved);
  if (!sub) {
    if (tokens.length === 0 || tokens[0] === 'help') {
      ctx.io.write(programUsage(program));
      return tokens.length === 0 ? 255 : 0;
    }
    // Like CLIHandler: name the words up to the first one that matches no command.
    const known = Math.max(
      0,
      ...program.subcommands.map((s) => {
        const words = s.name.split(' ');
        let n = 0;
        while (n < words.length && words[n] === resolved[n]) n++;
        return n;
      }),
    );
    const unknown = resolved.slice(0, known + 1).join(' ');
    ctx.io.write(`ERROR: unknown command '${program.name} ${unknown}'\n${programUsage(program)}`);
    return 255;
  }
  const usage = `${program.name} ${sub.usage}`;
  try {
    const parsed = parseArgs(resolved.slice(sub.name.split(' ').length), sub.args, sub.options(ctx.schema));
    return await sub.run(ctx, parsed);
  } catch (error) {
    return reportFailure(ctx.io, error, usage);
  }
}

/**
 * CLIHandler's `expand_command_name`: at each level of the command tree a word may be any unique
 * prefix of a command (`pvecm stat` → `pvecm status`, `ha-manager crm-command node-m en`).
 */
export function expandCommandWords(program: CliProgram, tokens: string[]): string[] {
  const names = program.subcommands.map((s) => s.name.split(' '));
  const resolved = [...tokens];
  for (let level = 0; level < resolved.length; level++) {
    const candidates = new Set(
      names
        .filter((words) => words.length > level && words.slice(0, level).every((w, i) => w === resolved[i]))
        .map((words) => words[level]!),
    );
    if (candidates.size === 0) break;
    const word = resolved[level]!;
    if (candidates.has(word)) continue;
    const matching = [...candidates].filter((c) => c.startsWith(word));
    if (matching.length !== 1) break;
    resolved[level] = matching[0]!;
  }
  return resolved;
}

function findSubcommand(program: CliProgram, tokens: string[]): SubCommand | undefined {
  let best: SubCommand | undefined;
  for (const sub of program.subcommands) {
    const words = sub.name.split(' ');
    if (words.every((w, i) => tokens[i] === w) && (!best || words.length > best.name.split(' ').length))
      best = sub;
  }
  return best;
}

function programUsage(program: CliProgram): string {
  const lines = program.subcommands.map((s) => `       ${program.name} ${s.usage}`);
  return `USAGE: ${program.name} <COMMAND> [ARGS] [OPTIONS]\n${lines.join('\n')}\n`;
}

function reportFailure(io: ShellIo, error: unknown, usage: string): number {
  if (io.signal.aborted) return 130; // Ctrl-C: the terminal already shows ^C
  if (error instanceof UsageError) {
    io.write(`${[...error.preamble, `400 ${error.message}`, usage].join('\n')}\n`);
    return 255;
  }
  if (error instanceof ParameterError) {
    io.write(`400 Parameter verification failed.\n${errorLines(error.errors)}${usage}\n`);
    return 255;
  }
  if (error instanceof PveError) {
    if (error.status === 400 && error.errors) {
      io.write(`400 Parameter verification failed.\n${errorLines(error.errors)}${usage}\n`);
    } else if (error.reason !== undefined) {
      io.write(`${error.reason}\n`);
    } else {
      io.write(`${error.message}\n`);
    }
    return 255;
  }
  io.write(`${error instanceof Error ? error.message : String(error)}\n`);
  return 255;
}

function errorLines(errors: Record<string, string>): string {
  return Object.entries(errors)
    .map(([key, message]) => `${key}: ${message.trim()}\n`)
    .join('');
}

const help: ShellCommand = async (ctx) => {
  ctx.io.write(
    [
      'Simulated Proxmox VE shell. Available commands:',
      ...PROGRAMS.flatMap((p) =>
        p.subcommands.filter((s) => s.available?.(ctx.schema) ?? true).map((s) => `  ${p.name} ${s.usage}`),
      ),
      '  pvesh get|create|set|delete <api-path> [OPTIONS]',
      `  ${Object.keys(SHELL_COMMANDS).sort().join(' ')}`,
      '',
    ].join('\n'),
  );
  return 0;
};

const SHELL_COMMANDS: Record<string, ShellCommand> = {
  ...coreutils,
  ...network,
  ...system,
  help,
};

function loginBanner(node: string, major: 8 | 9): string {
  return [
    `Linux ${node} ${kernelOf(major)} #1 SMP PREEMPT_DYNAMIC PMX ${kernelOf(major).replace('-pve', '')} x86_64`,
    '',
    'The programs included with the Debian GNU/Linux system are free software;',
    'the exact distribution terms for each program are described in the',
    'individual files in /usr/share/doc/*/copyright.',
    '',
    'Debian GNU/Linux comes with ABSOLUTELY NO WARRANTY, to the extent',
    'permitted by applicable law.',
    '',
  ].join('\n');
}
