/**
 * Every seed image a lab profile needs, written to a folder: per Proxmox VE node an ISO labelled
 * PROXMOX-AIS with its answer.toml, per light NAS an ISO labelled cidata with its NoCloud files.
 * The install orchestration attaches them as a second DVD drive.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import writeFileAtomic from 'write-file-atomic';

import type { LabFile, LabProfile } from '../../lab/script/schema.ts';
import { writeIso9660 } from './iso9660-writer.ts';
import { buildNoCloudSeed, CIDATA_VOLUME_LABEL } from './nocloud-seed.ts';
import { ANSWER_FILE_NAME, ANSWER_VOLUME_LABEL, renderPveAnswer } from './proxmox-answer.ts';

export interface MachineSeed {
  machine: string;
  kind: 'proxmox-answer' | 'cidata';
  path: string;
  format: 'iso' | 'fat';
}

export { labNicMac } from './lab-mac.ts';
export { SeedError } from './seed-settings.ts';

export async function writeMachineSeeds(
  lab: LabFile,
  profile: LabProfile,
  outDir: string,
  options: { date?: Date } = {},
): Promise<MachineSeed[]> {
  await mkdir(outDir, { recursive: true });
  const seeds: MachineSeed[] = [];
  for (const machine of profile.machines) {
    if (machine.kind === 'pve') {
      const path = join(outDir, `${machine.name}-answer.iso`);
      const image = writeIso9660({
        volumeId: ANSWER_VOLUME_LABEL,
        files: [{ name: ANSWER_FILE_NAME, data: renderPveAnswer(lab, profile, machine) }],
        ...options,
      });
      await writeFileAtomic(path, image);
      seeds.push({ machine: machine.name, kind: 'proxmox-answer', path, format: 'iso' });
    } else if (machine.kind === 'nfs') {
      const seed = buildNoCloudSeed(lab, profile, machine);
      const path = join(outDir, `${machine.name}-cidata.iso`);
      const image = writeIso9660({
        volumeId: CIDATA_VOLUME_LABEL,
        files: Object.entries(seed).map(([name, data]) => ({ name, data })),
        ...options,
      });
      await writeFileAtomic(path, image);
      seeds.push({ machine: machine.name, kind: 'cidata', path, format: 'iso' });
    }
  }
  return seeds;
}
