/**
 * Every seed image a lab profile needs, written to a folder: per Proxmox VE node an image labelled
 * PROXMOX-AIS with its answer.toml, per light NAS an image labelled cidata with its NoCloud files.
 * ISO 9660 (default; attached as a second DVD drive) or FAT12 (a raw disk image, `.img`): the
 * installer's fetch-answer and cloud-init both find either by label.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import writeFileAtomic from 'write-file-atomic';

import type { LabFile, LabProfile } from '../../lab/script/schema.ts';
import { writeFat12 } from './fat12-writer.ts';
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

export interface SeedWriteOptions {
  /** 'iso' (default) or 'fat'. */
  format?: MachineSeed['format'];
  /** Recorded in the images; fixed for reproducible output. */
  date?: Date;
}

function image(
  format: MachineSeed['format'],
  label: string,
  files: { name: string; data: string }[],
  date?: Date,
): Buffer {
  const when = date ? { date } : {};
  // FAT keeps labels upper case; cloud-init and fetch-answer both also look for the upper-case label.
  return format === 'fat'
    ? writeFat12({ volumeLabel: label.toUpperCase(), files, ...when })
    : writeIso9660({ volumeId: label, files, ...when });
}

export async function writeMachineSeeds(
  lab: LabFile,
  profile: LabProfile,
  outDir: string,
  options: SeedWriteOptions = {},
): Promise<MachineSeed[]> {
  const format = options.format ?? 'iso';
  const extension = format === 'fat' ? 'img' : 'iso';
  await mkdir(outDir, { recursive: true });
  const seeds: MachineSeed[] = [];
  for (const machine of profile.machines) {
    if (machine.kind === 'pve') {
      const path = join(outDir, `${machine.name}-answer.${extension}`);
      const files = [{ name: ANSWER_FILE_NAME, data: renderPveAnswer(lab, profile, machine) }];
      await writeFileAtomic(path, image(format, ANSWER_VOLUME_LABEL, files, options.date));
      seeds.push({ machine: machine.name, kind: 'proxmox-answer', path, format });
    } else if (machine.kind === 'nfs') {
      const files = Object.entries(buildNoCloudSeed(lab, profile, machine)).map(([name, data]) => ({
        name,
        data,
      }));
      const path = join(outDir, `${machine.name}-cidata.${extension}`);
      await writeFileAtomic(path, image(format, CIDATA_VOLUME_LABEL, files, options.date));
      seeds.push({ machine: machine.name, kind: 'cidata', path, format });
    }
  }
  return seeds;
}
