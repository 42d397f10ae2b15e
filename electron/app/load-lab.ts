/** Loads one lab file for the app, reducing the loader's positioned errors to display lines. */
import { access } from 'node:fs/promises';

import { formatLoadError } from '../lab/script/load-error.ts';
import { loadLabFile } from '../lab/script/load.ts';
import type { LabFile } from '../lab/script/schema.ts';

export type AppLabLoad = { ok: true; lab: LabFile } | { ok: false; missing: boolean; errors: string[] };

export async function loadLabForApp(file: string): Promise<AppLabLoad> {
  try {
    await access(file);
  } catch {
    return { ok: false, missing: true, errors: [`${file}: not found`] };
  }
  const loaded = await loadLabFile(file);
  if (loaded.ok) return { ok: true, lab: loaded.lab };
  return { ok: false, missing: false, errors: loaded.errors.map(formatLoadError) };
}
