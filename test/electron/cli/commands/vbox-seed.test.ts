import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { registerVboxSeed } from '../../../../electron/cli/commands/vbox-seed.ts';
import { blkid } from '../../../support/seed-tools.ts';

const labsDir = join(import.meta.dirname, '../../../../labs');
let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'nestlab-vbox-seed-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

async function run(...args: string[]) {
  const result = { out: [] as string[], err: [] as string[], code: 0 };
  const program = new Command('nestlab').exitOverride();
  registerVboxSeed(program.command('vbox'), {
    labsDir,
    io: {
      out: (l) => result.out.push(l),
      err: (l) => result.err.push(l),
      setExitCode: (c) => (result.code = c),
    },
  });
  await program.parseAsync(['node', 'nestlab', 'vbox', 'seed', ...args]);
  return result;
}

describe('nestlab vbox seed', () => {
  it('writes the seed images of the first VirtualBox profile and lists them', async () => {
    const result = await run('proxmox-ha-basics', '--out', out);
    expect(result.code).toBe(0);
    expect(result.out).toEqual([
      'Seed images of lab proxmox-ha-basics, profile virtualbox-light:',
      `  pve1     proxmox-answer  iso  ${join(out, 'pve1-answer.iso')}`,
      `  pve2     proxmox-answer  iso  ${join(out, 'pve2-answer.iso')}`,
      `  pve3     proxmox-answer  iso  ${join(out, 'pve3-answer.iso')}`,
      `  nas      cidata          iso  ${join(out, 'nas-cidata.iso')}`,
    ]);
    expect(blkid(join(out, 'nas-cidata.iso')).LABEL).toBe('cidata');
  });

  it('takes lab:profile', async () => {
    const result = await run('proxmox-ha-basics:virtualbox-truenas', '--out', out);
    expect(result.out[0]).toBe('Seed images of lab proxmox-ha-basics, profile virtualbox-truenas:');
    expect(result.out).toHaveLength(4);
  });

  it('writes FAT images with --format fat, and refuses another format', async () => {
    const fat = await run('proxmox-ha-basics', '--out', out, '--format', 'fat');
    expect(fat.out[1]).toBe(`  pve1     proxmox-answer  fat  ${join(out, 'pve1-answer.img')}`);
    expect(blkid(join(out, 'nas-cidata.img'))).toMatchObject({ LABEL: 'CIDATA', TYPE: 'vfat' });
    const bad = await run('proxmox-ha-basics', '--out', out, '--format', 'udf');
    expect(bad.code).toBe(1);
    expect(bad.err).toEqual(['nestlab vbox seed: --format must be iso or fat, not "udf"']);
  });

  it('fails with one line for an unknown lab or profile', async () => {
    const noLab = await run('nope', '--out', out);
    expect(noLab.code).toBe(1);
    expect(noLab.err).toEqual([`nestlab vbox seed: no lab "nope" in ${labsDir}`]);
    const noProfile = await run('proxmox-ha-basics:sim', '--out', out);
    expect(noProfile.err[0]).toMatch(
      /^nestlab vbox seed: lab "proxmox-ha-basics" has no VirtualBox profile "sim" \(it has: virtualbox-light, virtualbox-truenas\)$/,
    );
  });
});
