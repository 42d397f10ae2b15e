/** `qm` — QEMU guests on this node, through `/nodes/{node}/qemu/…` as the real tool's API calls. */
import {
  callLocal,
  endpointOptions,
  followTask,
  type CliProgram,
  type CommandContext,
  type SubCommand,
} from '../command.ts';
import { ParameterError } from '../command-line.ts';

const QEMU = '/nodes/{node}/qemu';
const VM = `${QEMU}/{vmid}`;

function vmid(text: string): number {
  if (!/^\d+$/.test(text))
    throw new ParameterError({ vmid: `type check ('integer') failed - got '${text}'` });
  const id = Number(text);
  if (id < 100) throw new ParameterError({ vmid: 'value must have a minimum value of 100' });
  return id;
}

function path(ctx: CommandContext, template: string, id?: number): string {
  return template.replace('{node}', ctx.node).replace('{vmid}', String(id ?? ''));
}

/** start/stop/shutdown/reboot/reset: a task on this node; HA-managed guests get an HA request task. */
function powerCommand(name: 'start' | 'stop' | 'shutdown' | 'reboot' | 'reset'): SubCommand {
  const template = `${VM}/status/${name}`;
  return {
    name,
    usage: `${name} <vmid> [OPTIONS]`,
    args: ['vmid'],
    options: (schema) => endpointOptions(schema, 'POST', template),
    async run(ctx, { positional, options }) {
      const id = vmid(positional['vmid']!);
      const upid = await callLocal<string>(ctx, 'POST', path(ctx, template, id), options);
      return (await followTask(ctx, upid)) ? 0 : 255;
    },
  };
}

interface GuestListEntry {
  vmid: number;
  name?: string;
  status: string;
  maxmem?: number;
  maxdisk?: number;
  pid?: number;
}

export const qm: CliProgram = {
  name: 'qm',
  subcommands: [
    {
      name: 'create',
      usage: 'create <vmid> [OPTIONS]',
      args: ['vmid'],
      options: (schema) => endpointOptions(schema, 'POST', QEMU, ['vmid']),
      async run(ctx, { positional, options }) {
        const id = vmid(positional['vmid']!);
        const upid = await callLocal<string>(ctx, 'POST', path(ctx, QEMU), { vmid: id, ...options });
        return (await followTask(ctx, upid)) ? 0 : 255;
      },
    },
    powerCommand('start'),
    powerCommand('stop'),
    powerCommand('shutdown'),
    powerCommand('reboot'),
    powerCommand('reset'),
    {
      name: 'snapshot',
      usage: 'snapshot <vmid> <snapname> [OPTIONS]',
      args: ['vmid', 'snapname'],
      options: (schema) => endpointOptions(schema, 'POST', `${VM}/snapshot`, ['snapname']),
      async run(ctx, { positional, options }) {
        const id = vmid(positional['vmid']!);
        const upid = await callLocal<string>(ctx, 'POST', path(ctx, `${VM}/snapshot`, id), {
          snapname: positional['snapname'],
          ...options,
        });
        return (await followTask(ctx, upid)) ? 0 : 255;
      },
    },
    {
      name: 'rollback',
      usage: 'rollback <vmid> <snapname> [OPTIONS]',
      args: ['vmid', 'snapname'],
      options: (schema) => endpointOptions(schema, 'POST', `${VM}/snapshot/{snapname}/rollback`),
      async run(ctx, { positional, options }) {
        const id = vmid(positional['vmid']!);
        const snap = encodeURIComponent(positional['snapname']!);
        const upid = await callLocal<string>(
          ctx,
          'POST',
          path(ctx, `${VM}/snapshot/${snap}/rollback`, id),
          options,
        );
        return (await followTask(ctx, upid)) ? 0 : 255;
      },
    },
    {
      name: 'delsnapshot',
      usage: 'delsnapshot <vmid> <snapname> [OPTIONS]',
      args: ['vmid', 'snapname'],
      options: (schema) => endpointOptions(schema, 'DELETE', `${VM}/snapshot/{snapname}`),
      async run(ctx, { positional, options }) {
        const id = vmid(positional['vmid']!);
        const snap = encodeURIComponent(positional['snapname']!);
        const upid = await callLocal<string>(ctx, 'DELETE', path(ctx, `${VM}/snapshot/${snap}`, id), options);
        return (await followTask(ctx, upid)) ? 0 : 255;
      },
    },
    {
      name: 'listsnapshot',
      usage: 'listsnapshot <vmid>',
      args: ['vmid'],
      options: () => [],
      async run(ctx, { positional }) {
        const id = vmid(positional['vmid']!);
        const list = await callLocal<SnapshotEntry[]>(ctx, 'GET', path(ctx, `${VM}/snapshot`, id));
        ctx.io.write(snapshotTree(list));
        return 0;
      },
    },
    {
      name: 'terminal',
      usage: 'terminal <vmid> [OPTIONS]',
      args: ['vmid'],
      options: () => [
        { name: 'iface', boolean: false },
        { name: 'escape', boolean: false },
      ],
      async run(ctx, { positional, options }) {
        const id = vmid(positional['vmid']!);
        const config = await callLocal<Record<string, unknown>>(ctx, 'GET', path(ctx, `${VM}/config`, id));
        const iface =
          options['iface'] ??
          Object.keys(config)
            .sort()
            .find((k) => /^serial\d$/.test(k) && config[k] === 'socket');
        if (iface === undefined || config[iface] === undefined) {
          ctx.io.write('unable to find a serial interface\n');
          return 255;
        }
        const status = await callLocal<{ status: string }>(ctx, 'GET', path(ctx, `${VM}/status/current`, id));
        if (status.status !== 'running') {
          ctx.io.write(`VM ${id} not running\n`);
          return 255;
        }
        ctx.io.write(`starting serial terminal on interface ${iface} (press Ctrl+O to exit)\n`);
        // The simulated guest has no operating system behind its serial port: the line stays silent.
        if (!ctx.io.interactive) return 0;
        await new Promise<void>((resolve) =>
          ctx.io.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        return 0;
      },
    },
    {
      name: 'status',
      usage: 'status <vmid> [OPTIONS]',
      args: ['vmid'],
      options: () => [{ name: 'verbose', boolean: true }],
      async run(ctx, { positional, options }) {
        const id = vmid(positional['vmid']!);
        const status = await callLocal<Record<string, unknown>>(
          ctx,
          'GET',
          path(ctx, `${VM}/status/current`, id),
        );
        if (options['verbose'] !== undefined && options['verbose'] !== '0') {
          for (const key of Object.keys(status).sort()) ctx.io.write(`${key}: ${formatValue(status[key])}\n`);
        } else {
          ctx.io.write(`status: ${String(status['status'])}\n`);
        }
        return 0;
      },
    },
    {
      name: 'list',
      usage: 'list [OPTIONS]',
      args: [],
      options: () => [{ name: 'full', boolean: true }],
      async run(ctx) {
        const guests = await callLocal<GuestListEntry[]>(ctx, 'GET', path(ctx, QEMU));
        if (guests.length === 0) return 0;
        ctx.io.write(`${formatRow('VMID', 'NAME', 'STATUS', 'MEM(MB)', 'BOOTDISK(GB)', 'PID')}\n`);
        for (const guest of [...guests].sort((a, b) => a.vmid - b.vmid)) {
          ctx.io.write(
            `${formatRow(
              String(guest.vmid),
              guest.name ?? `VM ${guest.vmid}`,
              guest.status,
              String(Math.round((guest.maxmem ?? 0) / 1024 / 1024)),
              ((guest.maxdisk ?? 0) / 1024 ** 3).toFixed(2),
              String(guest.pid ?? 0),
            )}\n`,
          );
        }
        return 0;
      },
    },
    {
      name: 'migrate',
      usage: 'migrate <vmid> <target> [OPTIONS]',
      args: ['vmid', 'target'],
      options: (schema) => endpointOptions(schema, 'POST', `${VM}/migrate`, ['target']),
      async run(ctx, { positional, options }) {
        const id = vmid(positional['vmid']!);
        const upid = await callLocal<string>(ctx, 'POST', path(ctx, `${VM}/migrate`, id), {
          target: positional['target'],
          ...options,
        });
        return (await followTask(ctx, upid)) ? 0 : 255;
      },
    },
    {
      name: 'set',
      usage: 'set <vmid> [OPTIONS]',
      args: ['vmid'],
      options: (schema) => endpointOptions(schema, 'PUT', `${VM}/config`),
      async run(ctx, { positional, options }) {
        const id = vmid(positional['vmid']!);
        await callLocal(ctx, 'PUT', path(ctx, `${VM}/config`, id), options);
        return 0;
      },
    },
    {
      name: 'destroy',
      usage: 'destroy <vmid> [OPTIONS]',
      args: ['vmid'],
      options: (schema) => endpointOptions(schema, 'DELETE', VM),
      async run(ctx, { positional, options }) {
        const id = vmid(positional['vmid']!);
        const upid = await callLocal<string>(ctx, 'DELETE', path(ctx, VM, id), options);
        return (await followTask(ctx, upid)) ? 0 : 255;
      },
    },
    {
      name: 'config',
      usage: 'config <vmid> [OPTIONS]',
      args: ['vmid'],
      options: (schema) => endpointOptions(schema, 'GET', `${VM}/config`),
      async run(ctx, { positional, options }) {
        const id = vmid(positional['vmid']!);
        const config = await callLocal<Record<string, unknown>>(
          ctx,
          'GET',
          path(ctx, `${VM}/config`, id),
          options,
        );
        for (const key of Object.keys(config).sort()) {
          if (key === 'digest') continue;
          ctx.io.write(`${key}: ${formatValue(config[key])}\n`);
        }
        return 0;
      },
    },
  ],
};

interface SnapshotEntry {
  name: string;
  parent?: string;
  snaptime?: number;
  description?: string;
}

/** pve-guest-common's print_snapshot_tree: oldest first, `current` last, children indented. */
export function snapshotTree(list: SnapshotEntry[]): string {
  const byName = new Map(list.map((e) => [e.name, { ...e, children: [] as string[] }]));
  const roots: string[] = [];
  for (const e of list) {
    const parent = e.parent !== undefined ? byName.get(e.parent) : undefined;
    if (parent) parent.children.push(e.name);
    else roots.push(e.name);
  }
  const byTime = (a: string, b: string): number => {
    const x = byName.get(a)!.snaptime;
    const y = byName.get(b)!.snaptime;
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    return x - y;
  };
  let out = '';
  const walk = (prefix: string, name: string): void => {
    const e = byName.get(name)!;
    const description = (e.description || 'no-description').split('\n').at(-1) ?? '';
    const time =
      e.snaptime !== undefined
        ? new Date(e.snaptime * 1000).toISOString().replace('T', ' ').slice(0, 19)
        : '';
    const width = Math.max(0, 30 - prefix.length);
    out += `${prefix} ${name.padEnd(width)} ${time.padEnd(23)} ${description}\n`;
    for (const child of [...e.children].sort(byTime)) walk(` ${prefix}`, child);
  };
  for (const root of [...roots].sort(byTime)) walk('`->', root);
  return out;
}

/** qemu-server's `qm list` columns: `%10s %-20s %-10s %-10s %12s %-10s`. */
function formatRow(id: string, name: string, status: string, mem: string, disk: string, pid: string): string {
  return `${id.padStart(10)} ${name.padEnd(20)} ${status.padEnd(10)} ${mem.padEnd(10)} ${disk.padStart(12)} ${pid.padEnd(10)}`;
}

function formatValue(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}
