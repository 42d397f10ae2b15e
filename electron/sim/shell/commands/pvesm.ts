/**
 * `pvesm` — storage: `add <type> <storage>` through `POST /storage`, `status` and `list` from this
 * node's view (`/nodes/{node}/storage…`).
 */
import { callLocal, endpointOptions, type CliProgram, type SubCommand } from '../command.ts';

interface NodeStorage {
  storage: string;
  type: string;
  active?: number | boolean;
  enabled?: number | boolean;
  total?: number;
  used?: number;
  avail?: number;
}

export const pvesm: CliProgram = {
  name: 'pvesm',
  subcommands: [
    {
      name: 'add',
      usage: 'add <type> <storage> [OPTIONS]',
      args: ['type', 'storage'],
      options: (schema) => endpointOptions(schema, 'POST', '/storage', ['type', 'storage']),
      async run(ctx, { positional, options }) {
        await callLocal(ctx, 'POST', '/storage', {
          type: positional['type'],
          storage: positional['storage'],
          ...options,
        });
        return 0;
      },
    },
    {
      name: 'list',
      usage: 'list <storage> [OPTIONS]',
      args: ['storage'],
      options: (schema) => endpointOptions(schema, 'GET', '/nodes/{node}/storage/{storage}/content'),
      async run(ctx, { positional, options }) {
        const volumes = await callLocal<StorageVolume[]>(
          ctx,
          'GET',
          `/nodes/${ctx.node}/storage/${encodeURIComponent(positional['storage']!)}/content`,
          options,
        );
        ctx.io.write(formatVolumeList(volumes));
        return 0;
      },
    },
    {
      name: 'status',
      usage: 'status [OPTIONS]',
      args: [],
      options: (schema) => endpointOptions(schema, 'GET', '/nodes/{node}/storage'),
      async run(ctx, { options }) {
        const list = await callLocal<NodeStorage[]>(ctx, 'GET', `/nodes/${ctx.node}/storage`, options);
        ctx.io.write(formatStorageStatus(list, ctx.schema.major));
        return 0;
      },
    },
    {
      name: 'set',
      usage: 'set <storage> [OPTIONS]',
      args: ['storage'],
      options: (schema) => endpointOptions(schema, 'PUT', '/storage/{storage}'),
      async run(ctx, { positional, options }) {
        await callLocal(ctx, 'PUT', `/storage/${encodeURIComponent(positional['storage']!)}`, options);
        return 0;
      },
    },
    {
      name: 'remove',
      usage: 'remove <storage>',
      args: ['storage'],
      options: () => [],
      async run(ctx, { positional }) {
        await callLocal(ctx, 'DELETE', `/storage/${encodeURIComponent(positional['storage']!)}`);
        return 0;
      },
    },
    scanNfs('scan nfs'),
    // pvesm.pm: `nfsscan => { alias => 'scan nfs' }`.
    scanNfs('nfsscan'),
  ],
};

function scanNfs(name: string): SubCommand {
  return {
    name,
    usage: `${name} <server>`,
    args: ['server'],
    options: () => [],
    async run(ctx, { positional }) {
      const exports = await callLocal<{ path: string; options: string }[]>(
        ctx,
        'GET',
        `/nodes/${ctx.node}/scan/nfs`,
        {
          server: positional['server']!,
        },
      );
      const width = Math.max(0, ...exports.map((e) => e.path.length));
      for (const e of exports) ctx.io.write(`${e.path.padEnd(width)} ${e.options}\n`);
      return 0;
    },
  };
}

/** Perl's `cmp`: code-point order, not the locale's. */
function perlCmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface StorageVolume {
  volid: string;
  format?: string;
  content?: string;
  size?: number;
  vmid?: number;
}

/** pve-storage's content listing: volume ids padded to the longest, sizes in bytes. */
export function formatVolumeList(volumes: StorageVolume[]): string {
  const width = Math.max(5, ...volumes.map((v) => v.volid.length));
  const lines = [
    `${'Volid'.padEnd(width)} ${'Format'.padEnd(7)} ${'Type'.padEnd(9)} ${'Size'.padStart(12)} VMID`,
  ];
  for (const v of [...volumes].sort((a, b) => perlCmp(a.volid, b.volid))) {
    lines.push(
      `${v.volid.padEnd(width)} ${(v.format ?? '').padEnd(7)} ${(v.content ?? '').padEnd(9)} ${String(v.size ?? 0).padStart(12)} ${v.vmid ?? ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * pve-storage's `pvesm status` table: name column one wider than the longest id, sizes in KiB
 * (the headings say so since PVE 9), usage in percent, sorted with Perl's `cmp`.
 */
export function formatStorageStatus(list: NodeStorage[], major: 8 | 9 = 9): string {
  const width = Math.max(0, ...list.map((s) => s.storage.length)) + 1;
  const unit = major >= 9 ? ' (KiB)' : '';
  const lines = [
    `${'Name'.padEnd(width)} ${'Type'.padStart(10)} ${'Status'.padStart(10)} ${`Total${unit}`.padStart(15)} ${`Used${unit}`.padStart(15)} ${`Available${unit}`.padStart(15)} ${'%'.padStart(8)}`,
  ];
  for (const s of [...list].sort((a, b) => perlCmp(a.storage, b.storage))) {
    const enabled = s.enabled === undefined || Boolean(s.enabled);
    const status = !enabled ? 'disabled' : s.active ? 'active' : 'inactive';
    const total = s.total ?? 0;
    const used = s.used ?? 0;
    const percent = !enabled
      ? 'N/A'.padStart(8)
      : `${(total > 0 ? (used * 100) / total : 0).toFixed(2).padStart(7)}%`;
    lines.push(
      `${s.storage.padEnd(width)} ${s.type.padStart(10)} ${status.padStart(10)} ${String(Math.floor(total / 1024)).padStart(15)} ${String(Math.floor(used / 1024)).padStart(15)} ${String(Math.floor((s.avail ?? 0) / 1024)).padStart(15)} ${percent}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
