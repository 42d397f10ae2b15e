/**
 * Tiny Core's ISO waits 30 s at the ISOLINUX `boot:` prompt (`prompt 1`, `timeout 300`, in tenths of a
 * second) before booting, which every HA restart of the guest would pay. ISO 9660 stores files
 * uncompressed and without checksums, so the value can be changed in place to `timeout 001` (same
 * length, nothing else moves) in a copy of the verified ISO (shared/reference/appliances.md §3.2).
 */
import { copyFile, open, rename, rm } from 'node:fs/promises';

const SECTOR = 2048;

interface Extent {
  offset: number;
  size: number;
}

async function readAt(
  handle: Awaited<ReturnType<typeof open>>,
  offset: number,
  length: number,
): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, offset);
  return buffer.subarray(0, bytesRead);
}

/** Directory records of one directory extent: ECMA-119 names, compared without case or `;1`. */
function findRecord(directory: Buffer, name: string): (Extent & { directory: boolean }) | undefined {
  for (let offset = 0; offset < directory.length;) {
    const length = directory[offset]!;
    if (length === 0) {
      offset = (Math.floor(offset / SECTOR) + 1) * SECTOR; // records never cross a sector
      continue;
    }
    const record = directory.subarray(offset, offset + length);
    const id = record
      .subarray(33, 33 + record[32]!)
      .toString('latin1')
      .replace(/;\d+$/, '')
      .replace(/\.$/, '');
    if (id.toLowerCase() === name.toLowerCase()) {
      return {
        offset: record.readUInt32LE(2) * SECTOR,
        size: record.readUInt32LE(10),
        directory: (record[25]! & 2) !== 0,
      };
    }
    offset += length;
  }
  return undefined;
}

async function locate(handle: Awaited<ReturnType<typeof open>>, path: string[]): Promise<Extent | undefined> {
  const pvd = await readAt(handle, 16 * SECTOR, SECTOR);
  if (pvd[0] !== 1 || pvd.toString('ascii', 1, 6) !== 'CD001') return undefined;
  let current: Extent = { offset: pvd.readUInt32LE(156 + 2) * SECTOR, size: pvd.readUInt32LE(156 + 10) };
  for (const [i, part] of path.entries()) {
    const found = findRecord(await readAt(handle, current.offset, current.size), part);
    if (!found || found.directory !== i < path.length - 1) return undefined;
    current = found;
  }
  return current;
}

export type FastBootResult = { patched: true; from: string; to: string } | { patched: false; reason: string };

/** Writes `target`: a copy of `source` with the ISOLINUX timeout set to 0.1 s. */
export async function writeFastBootTinyCore(source: string, target: string): Promise<FastBootResult> {
  const temporary = `${target}.tmp`;
  await copyFile(source, temporary);
  const handle = await open(temporary, 'r+');
  try {
    const cfg = await locate(handle, ['boot', 'isolinux', 'isolinux.cfg']);
    if (!cfg) return { patched: false, reason: `${source} has no /boot/isolinux/isolinux.cfg` };
    const text = await readAt(handle, cfg.offset, cfg.size);
    const match = /^(\s*timeout\s+)(\d+)/im.exec(text.toString('latin1'));
    if (!match) return { patched: false, reason: `isolinux.cfg in ${source} sets no timeout` };
    const digits = match[2]!;
    const fast = '1'.padStart(digits.length, '0');
    await handle.write(
      Buffer.from(fast, 'latin1'),
      0,
      fast.length,
      cfg.offset + match.index + match[1]!.length,
    );
    await handle.close();
    await rename(temporary, target);
    return { patched: true, from: `timeout ${digits}`, to: `timeout ${fast}` };
  } finally {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
  }
}
