/**
 * The shape of one simulated CLI tool (`qm`, `pvecm`, …): subcommands with the real usage line,
 * positional arguments and options (taken from the API schema where the real tool does so),
 * and the context they run in: the local node's REST API, the local-node access, the terminal.
 */
import type { PveApi, PveParams } from '../../pve/api.ts';
import type { ApiSchema } from '../http/api-schema.ts';
import type { OptionSpec, ParsedArgs } from './command-line.ts';
import type { LocalNodeAccess } from './local-node.ts';
import type { ShellIo, ShellLogin } from './shell-session.ts';

export interface CommandContext {
  node: string;
  api: PveApi;
  local: LocalNodeAccess;
  schema: ApiSchema;
  io: ShellIo;
  /** This login's state: the working directory. */
  login: { cwd: string };
  /** Runs a command line in this login (`watch`, `ssh host command`). */
  runLine(line: string, io: ShellIo): Promise<number>;
  /** A fresh login on another node of the datacenter (`ssh`). */
  loginOn(node: string): ShellLogin & { runLine(line: string, io: ShellIo): Promise<number> };
}

/** A command that is not a Proxmox CLI tool (`ls`, `grep`, `ssh`, …): bash-style, own arguments. */
export type ShellCommand = (ctx: CommandContext, args: string[]) => Promise<number>;

export interface SubCommand {
  /** One or more words after the program name, e.g. `start` or `crm-command node-maintenance enable`. */
  name: string;
  /** Usage line without the program name, e.g. `start <vmid> [OPTIONS]`. */
  usage: string;
  args: string[];
  options(schema: ApiSchema): OptionSpec[];
  /** Whether the tool of this release has the subcommand (e.g. `rules` only from PVE 9). */
  available?(schema: ApiSchema): boolean;
  run(ctx: CommandContext, parsed: ParsedArgs): Promise<number>;
}

export interface CliProgram {
  name: string;
  subcommands: SubCommand[];
}

/** Options of an API endpoint as the CLI offers them (path and positional parameters removed). */
export function endpointOptions(
  schema: ApiSchema,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  exclude: string[] = [],
): OptionSpec[] {
  const endpoint = schema.endpoint(method, path);
  if (!endpoint) return [];
  const skip = new Set([...exclude, ...[...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!)]);
  return Object.entries(endpoint.parameters)
    .filter(([name]) => !skip.has(name))
    .map(([name, p]) => ({ name, boolean: p.type === 'boolean' }));
}

/** The local node's API, called as the CLI tools do (no failover: it is this node's shell). */
export function callLocal<T>(
  ctx: CommandContext,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  params?: PveParams,
): Promise<T> {
  return ctx.api.request<T>({
    method,
    path,
    node: ctx.node,
    signal: ctx.io.signal,
    ...(params ? { params } : {}),
  });
}

/** Waits for a task and prints its log the way a CLI tool running it in the foreground would. */
export async function followTask(
  ctx: CommandContext,
  upid: string,
  alreadyPrinted: ReadonlySet<string> = new Set(),
): Promise<boolean> {
  const result = await ctx.api.waitForTask(upid, { signal: ctx.io.signal });
  const taskNode = upid.split(':')[1] ?? ctx.node;
  const log = await ctx.api.request<{ n: number; t: string }[]>({
    method: 'GET',
    path: `/nodes/${taskNode}/tasks/${encodeURIComponent(upid)}/log`,
    params: { limit: 1000 },
    node: ctx.node,
    signal: ctx.io.signal,
  });
  const shown = new Set(alreadyPrinted);
  for (const line of log) {
    if (line.t === 'TASK OK' || line.t.startsWith('TASK ERROR:') || line.t === 'no content') continue;
    if (alreadyPrinted.has(line.t)) continue;
    shown.add(line.t);
    ctx.io.write(`${line.t}\n`);
  }
  // The error is the task's last word; print it unless the log already said it.
  if (!result.ok && !shown.has(result.exitstatus)) ctx.io.write(`${result.exitstatus}\n`);
  return result.ok;
}
