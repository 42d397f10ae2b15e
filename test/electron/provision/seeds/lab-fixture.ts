/** The shipped lab files, loaded the way the app loads them. */
import { join } from 'node:path';

import { loadLabForApp } from '../../../../electron/app/load-lab.ts';
import type { LabFile, LabProfile } from '../../../../electron/lab/script/schema.ts';

export const LABS_DIR = join(import.meta.dirname, '../../../../labs');
export const SHIPPED_LABS = ['proxmox-ha-basics', 'quorum', 'ha-rules-and-failback'];

export async function shippedLab(id: string): Promise<LabFile> {
  const loaded = await loadLabForApp(join(LABS_DIR, id, 'lab.yaml'));
  if (!loaded.ok) throw new Error(`lab ${id} does not load: ${loaded.errors.join('; ')}`);
  return loaded.lab;
}

export function profileOf(lab: LabFile, id: string): LabProfile {
  const profile = lab.profiles.find((p) => p.id === id);
  if (!profile) throw new Error(`no profile ${id}`);
  return profile;
}
