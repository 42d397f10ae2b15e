/**
 * The command interpreter behind a simulated node's shell: finds the tool and subcommand, parses
 * arguments CLIHandler-style, runs it against the node's REST API, and prints failures the way
 * the real tools do (`400 not enough arguments` + usage, `Parameter verification failed.` with
 * one line per parameter, Proxmox's error message, `command not found`).
 */
import type { PveApi } from '../../pve/api.ts';
import { PveError } from '../../pve/api.ts';
import type { ApiSchema } from '../http/api-schema.ts';
import { ParameterError, parseArgs, tokenize, UsageError } from './command-line.ts';
import type { CliProgram, CommandContext, SubCommand } from './command.ts';
import { haManager } from './commands/ha-manager.ts';
import { pvecm } from './commands/pvecm.ts';
import { pvesm } from './commands/pvesm.ts';
import { qm } from './commands/qm.ts';
import type { LocalNodeAccess } from './local-node.ts';
import { ShellSession, type CommandLineRunner, type ShellIo } from './shell-session.ts';

export const PROGRAMS: readonly CliProgram[] = [pvecm, pvesm, qm, haManager];

export interface NodeShellOptions {
  node: string;
  /** A client for this node's API (the shell always calls its own node). */
  api: PveApi;
  local: LocalNodeAccess;
  schema: ApiSchema;
}

export function openNodeShell(options: NodeShellOptions): ShellSession {
  return new ShellSession(
    options.node,
    createCommandRunner(options),
    loginBanner(options.node, options.schema.major),
  );
}

export function createCommandRunner(options: NodeShellOptions): CommandLineRunner {
  return async (line, io) => {
    let tokens: string[];
    try {
      tokens = tokenize(line);
    } catch (error) {
      io.write(`-bash: ${(error as Error).message}\n`);
      return 2;
    }
    const [command, ...rest] = tokens;
    if (command === undefined) return 0;
    const ctx: CommandContext = {
      node: options.node,
      api: options.api,
      local: options.local,
      schema: options.schema,
      io,
    };
    const builtin = BUILTINS[command];
    if (builtin) return builtin(ctx, rest);
    const program = PROGRAMS.find((p) => p.name === command);
    if (!program) {
      io.write(`-bash: ${command}: command not found\n`);
      return 127;
    }
    return runProgram(ctx, program, rest);
  };
}

async function runProgram(ctx: CommandContext, fullProgram: CliProgram, tokens: string[]): Promise<number> {
  const program = {
    ...fullProgram,
    subcommands: fullProgram.subcommands.filter((s) => s.available?.(ctx.schema) ?? true),
  };
  const sub = findSubcommand(program, tokens);
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
        while (n < words.length && words[n] === tokens[n]) n++;
        return n;
      }),
    );
    const unknown = tokens.slice(0, known + 1).join(' ');
    ctx.io.write(`ERROR: unknown command '${program.name} ${unknown}'\n${programUsage(program)}`);
    return 255;
  }
  const usage = `${program.name} ${sub.usage}`;
  try {
    const parsed = parseArgs(tokens.slice(sub.name.split(' ').length), sub.args, sub.options(ctx.schema));
    return await sub.run(ctx, parsed);
  } catch (error) {
    return reportFailure(ctx.io, error, usage);
  }
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

type Builtin = (ctx: CommandContext, args: string[]) => Promise<number>;

const BUILTINS: Record<string, Builtin> = {
  async help(ctx) {
    ctx.io.write(
      [
        'Simulated Proxmox VE shell. Available commands:',
        ...PROGRAMS.flatMap((p) =>
          p.subcommands.filter((s) => s.available?.(ctx.schema) ?? true).map((s) => `  ${p.name} ${s.usage}`),
        ),
        '  hostname',
        '  pveversion',
        '  ip a | ip route',
        '  help',
        '',
      ].join('\n'),
    );
    return 0;
  },
  async pveversion(ctx) {
    try {
      const version = await ctx.api.request<{ version: string; repoid: string; release: string }>({
        method: 'GET',
        path: '/version',
        node: ctx.node,
        signal: ctx.io.signal,
      });
      ctx.io.write(
        `pve-manager/${version.version}/${version.repoid} (running kernel: ${kernelOf(ctx.schema.major)})\n`,
      );
      return 0;
    } catch (error) {
      return reportFailure(ctx.io, error, 'pveversion');
    }
  },
  async hostname(ctx) {
    ctx.io.write(`${ctx.node}\n`);
    return 0;
  },
  async ip(ctx, args) {
    const sub = args[0] ?? '';
    const show = args[1] === undefined || args[1] === 'show' || args[1] === 'list';
    const ip = ctx.local.nodeIp(ctx.node);
    if (['a', 'addr', 'address'].includes(sub) && show) {
      ctx.io.write(ipAddress(ctx.node, ip));
      return 0;
    }
    if (['r', 'ro', 'route'].includes(sub) && show) {
      const net = ip.split('.').slice(0, 3).join('.');
      ctx.io.write(
        `default via ${net}.1 dev vmbr0 proto kernel onlink \n${net}.0/24 dev vmbr0 proto kernel scope link src ${ip} \n`,
      );
      return 0;
    }
    ctx.io.write('Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\nwhere  OBJECT := { address | route }\n');
    return 255;
  },
};

/** The kernel each release ships, as `uname` and the login banner show it. */
function kernelOf(major: 8 | 9): string {
  return major === 8 ? '6.8.12-9-pve' : '6.14.8-2-pve';
}

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

function ipAddress(node: string, ip: string): string {
  // A stable locally administered MAC per node, like Proxmox's BC:24:11 prefix.
  const hash = [...node].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  const mac = `bc:24:11:${[hash >>> 16, hash >>> 8, hash].map((b) => (b & 0xff).toString(16).padStart(2, '0')).join(':')}`;
  return [
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000',
    '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
    '    inet 127.0.0.1/8 scope host lo',
    '       valid_lft forever preferred_lft forever',
    '    inet6 ::1/128 scope host noprefixroute',
    '       valid_lft forever preferred_lft forever',
    '2: nic0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast master vmbr0 state UP group default qlen 1000',
    `    link/ether ${mac} brd ff:ff:ff:ff:ff:ff`,
    '    altname enp0s3',
    '3: vmbr0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000',
    `    link/ether ${mac} brd ff:ff:ff:ff:ff:ff`,
    `    inet ${ip}/24 scope global vmbr0`,
    '       valid_lft forever preferred_lft forever',
    '',
  ].join('\n');
}
