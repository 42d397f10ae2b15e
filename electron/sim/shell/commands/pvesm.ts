/** `pvesm` — storage: `add <type> <storage>` through `POST /storage`, `status` from this node's view. */
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
