/**
 * write-file-atomic writes `<file>.<number>` and renames it over `<file>`; a process killed in
 * between leaves the temporary file behind for ever. At start, those older than a minute (so a
 * write in flight in another NestLab process is left alone) are removed from the data folders.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

const TEMP_NAME = /\.(json|secret)\.\d{1,10}$/;
const MIN_AGE_MS = 60_000;

async function cleanFolder(dir: string, now: number): Promise<string[]> {
  const removed: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile() || !TEMP_NAME.test(entry.name)) continue;
    const file = join(dir, entry.name);
    const info = await stat(file).catch(() => undefined);
    if (!info || now - info.mtimeMs < MIN_AGE_MS) continue;
    await rm(file, { force: true });
    removed.push(file);
  }
  return removed;
}

/** Removes stale temporary files in `dataDir`, its progress folder and every drill folder; returns them. */
export async function removeStaleTempFiles(dataDirs: string[], now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  for (const dataDir of new Set(dataDirs)) {
    removed.push(
      ...(await cleanFolder(dataDir, now)),
      ...(await cleanFolder(join(dataDir, 'progress'), now)),
    );
    const drills = await readdir(join(dataDir, 'drills'), { withFileTypes: true }).catch(() => []);
    for (const lab of drills)
      if (lab.isDirectory()) removed.push(...(await cleanFolder(join(dataDir, 'drills', lab.name), now)));
  }
  return removed;
}
