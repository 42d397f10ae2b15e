/**
 * `pvesm` — storage: `add <type> <storage>` through `POST /storage`, `status` and `list` from this
 * node's view (`/nodes/{node}/storage…`).
 */
import { callLocal, endpointOptions, type CliProgram } from '../command.ts';

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
        ctx.io.write(formatStorageStatus(list));
        return 0;
      },
    },
  ],
};

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
  for (const v of [...volumes].sort((a, b) => a.volid.localeCompare(b.volid))) {
    lines.push(
      `${v.volid.padEnd(width)} ${(v.format ?? '').padEnd(7)} ${(v.content ?? '').padEnd(9)} ${String(v.size ?? 0).padStart(12)} ${v.vmid ?? ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** pve-storage's table: name column as wide as the longest id, sizes in KiB, usage in percent. */
export function formatStorageStatus(list: NodeStorage[]): string {
  const width = Math.max(4, ...list.map((s) => s.storage.length)) + 1;
  const lines = [
    `${'Name'.padEnd(width)} ${'Type'.padStart(10)} ${'Status'.padStart(10)} ${'Total'.padStart(15)} ${'Used'.padStart(15)} ${'Available'.padStart(15)} ${'%'.padStart(8)}`,
  ];
  for (const s of [...list].sort((a, b) => a.storage.localeCompare(b.storage))) {
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
