/** Lab files named on the command line: a lab.yaml (or any .yaml), a lab folder, or a folder of lab folders. */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { formatLoadError } from '../../../lab/script/load-error.ts';
import { loadLabFile, type LoadResult } from '../../../lab/script/load.ts';
import type { LabFile } from '../../../lab/script/schema.ts';
import type { LabCliIo } from './io.ts';

export async function collectLabFiles(path: string): Promise<string[]> {
  const full = resolve(path);
  const info = await stat(full).catch(() => undefined);
  if (!info) return [full]; // the loader reports it as unreadable, with its name
  if (info.isFile()) return [full];
  const own = join(full, 'lab.yaml');
  if (await stat(own).catch(() => undefined)) return [own];
  const entries = await readdir(full, { withFileTypes: true });
  const files: string[] = [];
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const candidate = join(full, e.name, 'lab.yaml');
    if (await stat(candidate).catch(() => undefined)) files.push(candidate);
  }
  return files;
}

/** Loads every lab file under `paths`; positioned errors go to `io.err`. */
export async function loadAll(
  paths: string[],
  io: LabCliIo,
): Promise<{ loaded: { file: string; lab: LabFile }[]; bad: number }> {
  const loaded: { file: string; lab: LabFile }[] = [];
  let bad = 0;
  for (const path of paths) {
    const files = await collectLabFiles(path);
    if (files.length === 0) {
      io.err(`${resolve(path)}: no lab.yaml here or in its sub-folders`);
      bad++;
    }
    for (const file of files) {
      const result: LoadResult = await loadLabFile(file);
      if (result.ok) loaded.push({ file, lab: result.lab });
      else {
        bad++;
        for (const e of result.errors) io.err(formatLoadError(e));
      }
    }
  }
  return { loaded, bad };
}
