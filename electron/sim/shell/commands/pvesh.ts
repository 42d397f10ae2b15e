/**
 * `pvesh get|create|set|delete|ls|usage <api_path>` over the node's own REST API (pve-manager
 * PVE/CLI/pvesh.pm): any route the simulated API serves works here too. A task runs in the
 * foreground (the CLI environment's synchronous fork_worker) — its log, then its UPID.
 */
import { PveError, type PveParams } from '../../../pve/api.ts';
import { formatApiResult, type FormatOptions } from '../cli-formatter.ts';
import { followTask, type CommandContext } from '../command.ts';

const METHODS = {
  get: 'GET',
  create: 'POST',
  set: 'PUT',
  delete: 'DELETE',
  ls: 'GET',
  usage: 'GET',
} as const;
type Verb = keyof typeof METHODS;

const FORMAT_OPTIONS = new Set(['output-format', 'noborder', 'noheader', 'human-readable', 'quiet']);

const USAGE = [
  'USAGE: pvesh <COMMAND> [ARGS] [OPTIONS]',
  '       pvesh create <api_path> [OPTIONS] [FORMAT_OPTIONS]',
  '       pvesh delete <api_path> [OPTIONS] [FORMAT_OPTIONS]',
  '       pvesh get <api_path> [OPTIONS] [FORMAT_OPTIONS]',
  '       pvesh ls <api_path> [OPTIONS] [FORMAT_OPTIONS]',
  '       pvesh set <api_path> [OPTIONS] [FORMAT_OPTIONS]',
  '       pvesh usage <api_path> [OPTIONS]',
  '',
].join('\n');

export async function pvesh(ctx: CommandContext, args: string[]): Promise<number> {
  const words = args.filter((a) => a !== '--noproxy' && a !== '--nooutput');
  const nooutput = args.includes('--nooutput');
  const [verbWord, ...rest] = words;
  const verbs = Object.keys(METHODS) as Verb[];
  const verb =
    verbs.find((v) => v === verbWord) ??
    (verbs.filter((v) => verbWord && v.startsWith(verbWord)).length === 1
      ? verbs.find((v) => verbWord && v.startsWith(verbWord))
      : undefined);
  if (!verb) {
    ctx.io.write(verbWord === undefined ? USAGE : `ERROR: unknown command 'pvesh ${verbWord}'\n${USAGE}`);
    return 255;
  }
  const path = rest[0];
  if (path === undefined || path.startsWith('-')) {
    ctx.io.write(`400 not enough arguments\npvesh ${verb} <api_path> [OPTIONS] [FORMAT_OPTIONS]\n`);
    return 255;
  }
  const apiPath = `/${path
    .split('/')
    .filter((p) => p !== '')
    .join('/')}`;
  const method = METHODS[verb];
  const match = ctx.schema.matchPath(apiPath);
  const endpoint = match && ctx.schema.endpoint(method, match.template);
  if (!endpoint && verb !== 'ls') {
    ctx.io.write(
      match ? `No '${verb}' handler defined for '${apiPath}'\n` : `no such resource '${apiPath}'\n`,
    );
    return 255;
  }
  if (verb === 'usage') {
    const params = Object.keys(endpoint!.parameters).filter((p) => !(p in match!.pathParams));
    ctx.io.write(
      `USAGE: pvesh ${method === 'GET' ? 'get' : verb} ${apiPath}${params.map((p) => ` [--${p} <${endpoint!.parameters[p]!.type ?? 'string'}>]`).join('')}\n`,
    );
    return 0;
  }
  const params: PveParams = {};
  const format: FormatOptions = {};
  const tokens = rest.slice(1);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!/^--?[A-Za-z]/.test(token)) {
      ctx.io.write(`400 too many arguments\npvesh ${verb} <api_path> [OPTIONS] [FORMAT_OPTIONS]\n`);
      return 255;
    }
    let name = token.replace(/^--?/, '');
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq !== -1) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const boolean = FORMAT_OPTIONS.has(name)
      ? name !== 'output-format'
      : endpoint?.parameters[name]?.type === 'boolean';
    if (value === undefined) {
      const next = tokens[i + 1];
      if (boolean) {
        if (next !== undefined && /^(0|1|true|false|yes|no|on|off)$/i.test(next)) {
          value = next;
          i++;
        } else value = '1';
      } else {
        if (next === undefined) {
          ctx.io.write(`Option ${name} requires an argument\n400 unable to parse option\n`);
          return 255;
        }
        value = next;
        i++;
      }
    }
    if (FORMAT_OPTIONS.has(name)) {
      if (name === 'output-format') format['output-format'] = value;
      else (format as Record<string, boolean>)[name] = /^(1|true|yes|on)$/i.test(value);
    } else if (endpoint && !(name in endpoint.parameters)) {
      ctx.io.write(`Unknown option: ${name}\n400 unable to parse option\n`);
      return 255;
    } else {
      // A repeated option (`--delete a --delete b`) becomes the API's comma list.
      const previous = params[name];
      params[name] = previous === undefined ? value : `${String(previous)},${value}`;
    }
  }
  try {
    if (verb === 'ls') return await list(ctx, apiPath, format);
    const data = await ctx.api.request<unknown>({
      method,
      path: apiPath,
      node: ctx.node,
      signal: ctx.io.signal,
      ...(Object.keys(params).length > 0 ? { params } : {}),
    });
    if (typeof data === 'string' && /^UPID:[^:]+:/.test(data)) {
      const ok = await followTask(ctx, data);
      if (!ok) return 255;
    }
    if (nooutput) return 0;
    ctx.io.write(formatApiResult(data, endpoint!.returns, format));
    return 0;
  } catch (error) {
    if (error instanceof PveError) {
      if (error.status === 400 && error.errors) {
        ctx.io.write(
          `400 Parameter verification failed.\n${Object.entries(error.errors)
            .map(([k, m]) => `${k}: ${m.trim()}\n`)
            .join('')}`,
        );
      } else if (error.status === 501 || error.status === 404) {
        ctx.io.write(`${error.reason ?? error.message}\n`);
      } else {
        ctx.io.write(`${error.reason ?? error.message}\n`);
      }
      return 255;
    }
    throw error;
  }
}

/** pvesh.pm's resource_cap: `Dr` (a directory) or `-r`, then `w`, `c`, `d` per method. */
function capabilities(ctx: CommandContext, path: string): string {
  const match = ctx.schema.matchPath(path);
  const has = (m: 'GET' | 'POST' | 'PUT' | 'DELETE'): boolean =>
    match !== undefined && ctx.schema.endpoint(m, match.template) !== undefined;
  const get = match && ctx.schema.endpoint('GET', match.template);
  const dir = get ? (childLink(get.returns) ? 'Dr' : '-r') : '--';
  return `${dir}${has('PUT') ? 'w' : '-'}${has('POST') ? 'c' : '-'}${has('DELETE') ? 'd' : '-'}`;
}

function childLink(returns: { [key: string]: unknown }): string | undefined {
  const links = returns['links'] as { href: string; rel: string }[] | undefined;
  const href = links?.find((l) => l.rel === 'child')?.href;
  return href ? /^\{(\S+)\}$/.exec(href)?.[1] : undefined;
}

/** `pvesh ls`: the child links of a directory index, with what each supports. */
async function list(ctx: CommandContext, apiPath: string, format: FormatOptions): Promise<number> {
  const match = ctx.schema.matchPath(apiPath);
  const get = match && ctx.schema.endpoint('GET', match.template);
  if (!get) {
    ctx.io.write(`no such resource '${apiPath}'\n`);
    return 255;
  }
  const prop = childLink(get.returns);
  if (!prop) {
    ctx.io.write(`resource '${apiPath}' does not define child links\n`);
    return 255;
  }
  const data = await ctx.api.request<Record<string, unknown>[]>({
    method: 'GET',
    path: apiPath,
    node: ctx.node,
    signal: ctx.io.signal,
  });
  const rows = (Array.isArray(data) ? data : [])
    .map((item) => String(item[prop] ?? ''))
    .map((name) => ({ name, capabilities: capabilities(ctx, `${apiPath === '/' ? '' : apiPath}/${name}`) }));
  ctx.io.write(
    formatApiResult(
      rows,
      undefined,
      { noborder: true, noheader: true, ...format },
      ['capabilities', 'name'],
      'name',
    ),
  );
  return 0;
}
