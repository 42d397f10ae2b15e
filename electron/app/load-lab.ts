/** Loads one lab file for the app, reducing the loader's positioned errors to display lines. */
import { access } from 'node:fs/promises';

import { parse } from 'yaml';

import { labSchema, type LabFile } from '../lab/script/schema.ts';

export type AppLabLoad = { ok: true; lab: LabFile } | { ok: false; missing: boolean; errors: string[] };

export async function loadLabForApp(file: string): Promise<AppLabLoad> {
  try {
    await access(file);
  } catch {
    return { ok: false, missing: true, errors: [`${file}: not found`] };
  }
  const { readFile } = await import('node:fs/promises');
  try {
    const parsed = labSchema.safeParse(parse(await readFile(file, 'utf8')));
    if (parsed.success) return { ok: true, lab: parsed.data };
    return {
      ok: false,
      missing: false,
      errors: parsed.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`),
    };
  } catch (error) {
    return { ok: false, missing: false, errors: [`${file}: ${error instanceof Error ? error.message : String(error)}`] };
  }
}
