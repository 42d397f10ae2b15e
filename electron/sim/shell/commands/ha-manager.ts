/**
 * `ha-manager` — HA resources, rules (PVE 9) and groups through `/cluster/ha/…`; `status` prints
 * each status entry as `<type> <status>` like the real tool; node maintenance is a CRM command
 * written to pmxcfs (no API exists for it), so it goes through the local node.
 */
import type { ApiSchema } from '../../http/api-schema.ts';
import { formatApiResult, type FormatOptions } from '../cli-formatter.ts';
import { ParameterError, type OptionSpec } from '../command-line.ts';
import {
  callLocal,
  endpointOptions,
  type CliProgram,
  type CommandContext,
  type SubCommand,
} from '../command.ts';

const RESOURCES = '/cluster/ha/resources';

function move(name: 'migrate' | 'relocate', prefix = ''): SubCommand {
  return {
    name: `${prefix}${name}`,
    usage: `${prefix}${name} <sid> <node>`,
    args: ['sid', 'node'],
    options: () => [],
    async run(ctx, { positional }) {
      const sid = positional['sid']!;
      const reply = await callLocal<unknown>(ctx, 'POST', `${RESOURCES}/${encodeURIComponent(sid)}/${name}`, {
        node: positional['node'],
      });
      printMoveReply(ctx, reply);
      return 0;
    },
  };
}

/** `crm-command stop <sid> <timeout>`: a CRM command written to pmxcfs, as ha_manager.pm's `stop`. */
const crmStop: SubCommand = {
  name: 'crm-command stop',
  usage: 'crm-command stop <sid> <timeout>',
  args: ['sid', 'timeout'],
  options: () => [],
  async run(ctx, { positional }) {
    const timeout = positional['timeout']!;
    if (!/^\d+$/.test(timeout))
      throw new ParameterError({ timeout: `type check ('integer') failed - got '${timeout}'` });
    try {
      ctx.local.crmCommand(ctx.node, 'stop', `${positional['sid']} ${timeout}`);
    } catch (error) {
      ctx.io.write(`${error instanceof Error ? error.message : String(error)}\n`);
      return 255;
    }
    return 0;
  },
};

function maintenance(action: 'enable' | 'disable'): SubCommand {
  return {
    name: `crm-command node-maintenance ${action}`,
    usage: `crm-command node-maintenance ${action} <node>`,
    args: ['node'],
    options: () => [],
    async run(ctx, { positional }) {
      try {
        ctx.local.crmCommand(ctx.node, `${action}-node-maintenance`, positional['node']!);
      } catch (error) {
        const { param, status } = error as { param?: string; status?: number };
        if (param && status === 400) throw new ParameterError({ [param]: (error as Error).message });
        ctx.io.write(`${error instanceof Error ? error.message : String(error)}\n`);
        return 255;
      }
      return 0;
    },
  };
}

/** Section-config style listing (`<type>: <id>` then tab-indented `key value`), as the tool prints. */
function printSections(
  ctx: CommandContext,
  items: Record<string, unknown>[],
  type: (i: Record<string, unknown>) => string,
  id: string,
): void {
  for (const item of [...items].sort((a, b) => String(a[id]).localeCompare(String(b[id])))) {
    ctx.io.write(`${type(item)}: ${String(item[id])}\n`);
    for (const key of Object.keys(item).sort()) {
      if ([id, 'type', 'digest', 'errors', 'order'].includes(key)) continue;
      const value = item[key];
      ctx.io.write(`\t${key} ${Array.isArray(value) ? value.join(',') : String(value)}\n`);
    }
    ctx.io.write('\n');
  }
}

const RULES = '/cluster/ha/rules';

/** PVE::RESTHandler's standard output options (`--output-format`, `--noborder`, …). */
const FORMAT_OPTION_SPECS: OptionSpec[] = [
  { name: 'output-format', boolean: false },
  { name: 'noborder', boolean: true },
  { name: 'noheader', boolean: true },
  { name: 'human-readable', boolean: true },
  { name: 'quiet', boolean: true },
];

function splitFormat(options: Record<string, string>): {
  format: FormatOptions;
  rest: Record<string, string>;
} {
  const format: FormatOptions = {};
  const rest: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) {
    if (key === 'output-format') format['output-format'] = value;
    else if (FORMAT_OPTION_SPECS.some((o) => o.name === key))
      (format as Record<string, boolean>)[key] = /^(1|true|yes|on)$/i.test(value);
    else rest[key] = value;
  }
  return { format, rest };
}
const GROUPS = '/cluster/ha/groups';
const hasRules = (schema: ApiSchema): boolean => schema.endpoint('GET', RULES) !== undefined;

/** PVE 9: `ha-manager rules add|set|remove|config` over `/cluster/ha/rules`. */
const ruleCommands: SubCommand[] = [
  {
    name: 'rules add',
    usage: 'rules add <type> <rule> [OPTIONS]',
    args: ['type', 'rule'],
    available: hasRules,
    options: (schema) => endpointOptions(schema, 'POST', RULES, ['type', 'rule']),
    async run(ctx, { positional, options }) {
      await callLocal(ctx, 'POST', RULES, { type: positional['type'], rule: positional['rule'], ...options });
      return 0;
    },
  },
  {
    name: 'rules set',
    usage: 'rules set <type> <rule> [OPTIONS]',
    args: ['type', 'rule'],
    available: hasRules,
    options: (schema) => endpointOptions(schema, 'PUT', `${RULES}/{rule}`, ['type']),
    async run(ctx, { positional, options }) {
      await callLocal(ctx, 'PUT', `${RULES}/${encodeURIComponent(positional['rule']!)}`, {
        type: positional['type'],
        ...options,
      });
      return 0;
    },
  },
  {
    name: 'rules remove',
    usage: 'rules remove <rule>',
    args: ['rule'],
    available: hasRules,
    options: () => [],
    async run(ctx, { positional }) {
      await callLocal(ctx, 'DELETE', `${RULES}/${encodeURIComponent(positional['rule']!)}`);
      return 0;
    },
  },
  {
    name: 'rules config',
    usage: 'rules config [OPTIONS] [FORMAT_OPTIONS]',
    args: [],
    available: hasRules,
    options: (schema) => [...endpointOptions(schema, 'GET', RULES), ...FORMAT_OPTION_SPECS],
    async run(ctx, { options }) {
      const { format, rest } = splitFormat(options);
      const rules = await callLocal<Record<string, unknown>[]>(ctx, 'GET', RULES, rest);
      // ha_manager.pm: `enabled` from `disable`, `state` from the checker's `errors`.
      for (const rule of rules) {
        rule['enabled'] = rule['disable'] === undefined ? 1 : 0;
        rule['state'] = rule['errors'] ? 'ignored (conflicts)' : 'in use';
      }
      const schema = ctx.schema.endpoint('GET', RULES)?.returns;
      const props = { ...(schema?.items?.properties ?? {}), enabled: { type: 'integer' as const } };
      ctx.io.write(
        formatApiResult(
          rules,
          { ...schema, type: 'array', items: { type: 'object', properties: props } },
          format,
          ['enabled', 'state', 'rule', 'type', 'resources', 'comment'],
        ),
      );
      return 0;
    },
  },
  {
    name: 'rules list',
    usage: 'rules list [OPTIONS] [FORMAT_OPTIONS]',
    args: [],
    available: hasRules,
    options: (schema) => [...endpointOptions(schema, 'GET', RULES), ...FORMAT_OPTION_SPECS],
    async run(ctx, { options }) {
      const { format, rest } = splitFormat(options);
      const rules = await callLocal<Record<string, unknown>[]>(ctx, 'GET', RULES, rest);
      ctx.io.write(formatApiResult(rules, ctx.schema.endpoint('GET', RULES)?.returns, format));
      return 0;
    },
  },
];

/** HA groups (`groupadd|groupset|groupremove|groupconfig`): PVE 8; on PVE 9 the API refuses them. */
const groupCommands: SubCommand[] = [
  {
    name: 'groupadd',
    usage: 'groupadd <group> --nodes <string> [OPTIONS]',
    args: ['group'],
    options: (schema) => endpointOptions(schema, 'POST', GROUPS, ['group']),
    async run(ctx, { positional, options }) {
      await callLocal(ctx, 'POST', GROUPS, { group: positional['group'], ...options });
      return 0;
    },
  },
  {
    name: 'groupset',
    usage: 'groupset <group> [OPTIONS]',
    args: ['group'],
    options: (schema) => endpointOptions(schema, 'PUT', `${GROUPS}/{group}`),
    async run(ctx, { positional, options }) {
      await callLocal(ctx, 'PUT', `${GROUPS}/${encodeURIComponent(positional['group']!)}`, options);
      return 0;
    },
  },
  {
    name: 'groupremove',
    usage: 'groupremove <group>',
    args: ['group'],
    options: () => [],
    async run(ctx, { positional }) {
      await callLocal(ctx, 'DELETE', `${GROUPS}/${encodeURIComponent(positional['group']!)}`);
      return 0;
    },
  },
  {
    name: 'groupconfig',
    usage: 'groupconfig',
    args: [],
    options: () => [],
    async run(ctx) {
      const groups = await callLocal<Record<string, unknown>[]>(ctx, 'GET', GROUPS);
      printSections(ctx, groups, () => 'group', 'group');
      return 0;
    },
  },
];

export const haManager: CliProgram = {
  name: 'ha-manager',
  subcommands: [
    {
      name: 'add',
      usage: 'add <sid> [OPTIONS]',
      args: ['sid'],
      options: (schema) => endpointOptions(schema, 'POST', RESOURCES, ['sid']),
      async run(ctx, { positional, options }) {
        await callLocal(ctx, 'POST', RESOURCES, { sid: positional['sid'], ...options });
        return 0;
      },
    },
    {
      name: 'remove',
      usage: 'remove <sid> [OPTIONS]',
      args: ['sid'],
      options: (schema) => endpointOptions(schema, 'DELETE', `${RESOURCES}/{sid}`),
      async run(ctx, { positional, options }) {
        await callLocal(ctx, 'DELETE', `${RESOURCES}/${encodeURIComponent(positional['sid']!)}`, options);
        return 0;
      },
    },
    {
      name: 'set',
      usage: 'set <sid> [OPTIONS]',
      args: ['sid'],
      options: (schema) => endpointOptions(schema, 'PUT', `${RESOURCES}/{sid}`),
      async run(ctx, { positional, options }) {
        await callLocal(ctx, 'PUT', `${RESOURCES}/${encodeURIComponent(positional['sid']!)}`, options);
        return 0;
      },
    },
    {
      name: 'config',
      usage: 'config [OPTIONS]',
      args: [],
      options: (schema) => endpointOptions(schema, 'GET', RESOURCES),
      async run(ctx, { options }) {
        const resources = await callLocal<Record<string, unknown>[]>(ctx, 'GET', RESOURCES, options);
        for (const resource of [...resources].sort((a, b) =>
          String(a['sid']).localeCompare(String(b['sid'])),
        )) {
          ctx.io.write(`${String(resource['sid'])}\n`);
          for (const key of Object.keys(resource).sort()) {
            if (['digest', 'sid', 'type', 'errors'].includes(key)) continue;
            ctx.io.write(`\t${key} ${String(resource[key])}\n`);
          }
          ctx.io.write('\n');
        }
        return 0;
      },
    },
    {
      name: 'status',
      usage: 'status [OPTIONS]',
      args: [],
      options: () => [{ name: 'verbose', boolean: true }],
      async run(ctx, { options }) {
        const entries = await callLocal<{ type: string; status: string }[]>(
          ctx,
          'GET',
          '/cluster/ha/status/current',
        );
        for (const entry of entries) ctx.io.write(`${entry.type} ${entry.status}\n`);
        if (options['verbose'] !== undefined && options['verbose'] !== '0') {
          const full = await callLocal<unknown>(ctx, 'GET', '/cluster/ha/status/manager_status');
          ctx.io.write(`full cluster state:\n${JSON.stringify(sortKeys(full), null, 3)}\n`);
        }
        return 0;
      },
    },
    move('migrate'),
    move('relocate'),
    move('migrate', 'crm-command '),
    move('relocate', 'crm-command '),
    crmStop,
    maintenance('enable'),
    maintenance('disable'),
    ...ruleCommands,
    ...groupCommands,
  ],
};

function printMoveReply(ctx: CommandContext, reply: unknown): void {
  if (typeof reply !== 'object' || reply === null) return;
  const { 'comigrated-resources': comigrated, 'blocking-resources': blocking } = reply as {
    'comigrated-resources'?: string[];
    'blocking-resources'?: { sid: string; cause: string }[];
  };
  for (const sid of comigrated ?? []) ctx.io.write(`also migrate resource '${sid}' in positive affinity\n`);
  for (const b of blocking ?? [])
    ctx.io.write(`cannot migrate resource, because '${b.sid}' is blocking it (${b.cause})\n`);
}

/** The real tool prints the manager status with canonical (sorted) keys. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}
