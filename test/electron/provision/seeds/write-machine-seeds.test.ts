import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { writeMachineSeeds } from '../../../../electron/provision/seeds/index.ts';
import { pveAnswerSchema } from '../../../../electron/provision/seeds/proxmox-answer-schema.ts';
import { readFat12 } from '../../../support/fat12-reader.ts';
import { jolietFiles } from '../../../support/iso9660-reader.ts';
import {
  blkid,
  cloudInitSchemaProblem,
  mtoolsList,
  mtoolsType,
  osirroxExtract,
} from '../../../support/seed-tools.ts';
import { profileOf, shippedLab } from './lab-fixture.ts';

let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'nestlab-seeds-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('writeMachineSeeds', () => {
  it('writes an answer ISO per Proxmox VE node and a cidata ISO for the light NAS', async () => {
    const lab = await shippedLab('proxmox-ha-basics');
    const seeds = await writeMachineSeeds(lab, profileOf(lab, 'virtualbox-light'), out);

    expect(seeds).toEqual([
      { machine: 'pve1', kind: 'proxmox-answer', path: join(out, 'pve1-answer.iso'), format: 'iso' },
      { machine: 'pve2', kind: 'proxmox-answer', path: join(out, 'pve2-answer.iso'), format: 'iso' },
      { machine: 'pve3', kind: 'proxmox-answer', path: join(out, 'pve3-answer.iso'), format: 'iso' },
      { machine: 'nas', kind: 'cidata', path: join(out, 'nas-cidata.iso'), format: 'iso' },
    ]);
    for (const seed of seeds.filter((s) => s.kind === 'proxmox-answer')) {
      // What proxmox-fetch-answer needs: /dev/disk/by-label/PROXMOX-AIS holding answer.toml.
      expect(blkid(seed.path)).toMatchObject({ LABEL: 'PROXMOX-AIS', TYPE: 'iso9660' });
      const byOsirrox = osirroxExtract(seed.path);
      const byReader = jolietFiles(readFileSync(seed.path));
      expect(Object.keys(byOsirrox)).toEqual(['answer.toml']);
      expect(byReader['answer.toml']).toBe(byOsirrox['answer.toml']!.toString());
      const answer = pveAnswerSchema.parse(parse(byReader['answer.toml']!));
      expect(answer.global.fqdn).toBe(`${seed.machine}.lab.internal`);
    }
    const cidata = seeds.find((s) => s.kind === 'cidata')!;
    expect(blkid(cidata.path)).toMatchObject({ LABEL: 'cidata', TYPE: 'iso9660' });
    const files = osirroxExtract(cidata.path);
    expect(Object.keys(files).sort()).toEqual(['meta-data', 'network-config', 'user-data']);
    expect(jolietFiles(readFileSync(cidata.path))['user-data']).toBe(files['user-data']!.toString());
    const userData = join(out, 'extracted-user-data');
    await writeFile(userData, files['user-data']!);
    expect(cloudInitSchemaProblem(userData)).toBeNull();
  });

  it('writes only the answer ISOs for the TrueNAS profile (TrueNAS installs through its API)', async () => {
    const lab = await shippedLab('proxmox-ha-basics');
    const seeds = await writeMachineSeeds(lab, profileOf(lab, 'virtualbox-truenas'), out);
    expect(seeds.map((s) => `${s.machine}:${s.kind}`)).toEqual([
      'pve1:proxmox-answer',
      'pve2:proxmox-answer',
      'pve3:proxmox-answer',
    ]);
  });

  it('writes FAT images instead when asked: labels PROXMOX-AIS and CIDATA, the same files', async () => {
    const lab = await shippedLab('proxmox-ha-basics');
    const profile = profileOf(lab, 'virtualbox-light');
    const iso = await writeMachineSeeds(lab, profile, join(out, 'iso'));
    const fat = await writeMachineSeeds(lab, profile, join(out, 'fat'), { format: 'fat' });

    expect(fat.map((s) => [s.machine, s.format, s.path.endsWith('.img')])).toEqual([
      ['pve1', 'fat', true],
      ['pve2', 'fat', true],
      ['pve3', 'fat', true],
      ['nas', 'fat', true],
    ]);
    expect(blkid(fat[0]!.path)).toMatchObject({ LABEL: 'PROXMOX-AIS', TYPE: 'vfat' });
    expect(blkid(fat[3]!.path)).toMatchObject({ LABEL: 'CIDATA', TYPE: 'vfat' });
    expect(mtoolsList(fat[3]!.path)).toEqual(['meta-data', 'network-config', 'user-data']);
    for (let i = 0; i < iso.length; i++) {
      const fromIso = jolietFiles(readFileSync(iso[i]!.path));
      const fromFat = readFat12(readFileSync(fat[i]!.path)).files;
      for (const [name, text] of Object.entries(fromIso)) {
        expect(mtoolsType(fat[i]!.path, name).toString()).toBe(text);
        expect(fromFat[name]?.toString()).toBe(text);
      }
    }
  });

  it('writes the same bytes twice for the same lab and date', async () => {
    const lab = await shippedLab('proxmox-ha-basics');
    const profile = profileOf(lab, 'virtualbox-light');
    const date = new Date('2026-12-04T00:00:00Z');
    const first = await writeMachineSeeds(lab, profile, join(out, 'a'), { date });
    const second = await writeMachineSeeds(lab, profile, join(out, 'b'), { date });
    for (let i = 0; i < first.length; i++) {
      expect(readFileSync(second[i]!.path).equals(readFileSync(first[i]!.path))).toBe(true);
    }
  });
});
