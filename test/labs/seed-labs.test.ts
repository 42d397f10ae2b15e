/**
 * The teachers' CI on our own labs: every lab in labs/ validates, and `nestlab lab test` runs each
 * of its simulator profiles green (checks fail first, the solve runs, the checks pass; drills included).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Command } from 'commander';
import { describe, expect, it } from 'vitest';

import { registerLab } from '../../electron/cli/commands/lab.ts';

const labsDir = fileURLToPath(new URL('../../labs', import.meta.url));
const labIds = readdirSync(labsDir).filter(
  (name) => name !== 'schema' && statSync(join(labsDir, name)).isDirectory(),
);

async function nestlab(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  let code = 0;
  const program = new Command().exitOverride();
  registerLab(program, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    setExitCode: (c) => (code = c),
  });
  await program.parseAsync(['node', 'nestlab', ...args]);
  return { out: out.join('\n'), err: err.join('\n'), code };
}

describe('seed labs', () => {
  it('there are the three seed labs', () => {
    expect(labIds).toEqual(expect.arrayContaining(['proxmox-ha-basics', 'ha-rules-and-failback', 'quorum']));
  });

  it('all validate', async () => {
    const result = await nestlab('lab', 'validate', labsDir);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
  });

  for (const id of labIds) {
    it(`${id} passes nestlab lab test on the simulator`, async () => {
      const result = await nestlab('lab', 'test', join(labsDir, id), '--json');
      const report = JSON.parse(result.out) as {
        lab: string;
        profile: string;
        steps: { step: string; ok: boolean; failedBefore: boolean; passedAfter: boolean; problem?: string }[];
      }[];
      expect(report.length).toBeGreaterThan(0);
      for (const profile of report) {
        const failing = profile.steps.filter((s) => !s.ok);
        expect(failing, `${profile.lab}/${profile.profile}`).toEqual([]);
        expect(profile.steps.every((s) => s.failedBefore && s.passedAfter)).toBe(true);
      }
      expect(result.code).toBe(0);
    });
  }

  it('proxmox-ha-basics: the Datacenter view path and the shell path each pass on a fresh simulator', async () => {
    const result = await nestlab(
      'lab',
      'test',
      join(labsDir, 'proxmox-ha-basics'),
      '--json',
      '--via',
      'gui,shell',
    );
    const report = JSON.parse(result.out) as {
      via: string;
      steps: { step: string; via: string; ok: boolean; problem?: string }[];
    }[];
    const byVia = Object.fromEntries(report.map((r) => [r.via, r.steps]));
    expect(byVia['gui']?.filter((s) => !s.ok)).toEqual([]);
    expect(byVia['shell']?.filter((s) => !s.ok)).toEqual([]);
    // Every step but the drill and powering a machine back on (no Proxmox call can do those) is
    // done the learner's way; the ISO's shell path waits for the simulator's pvesh.
    expect(byVia['gui']?.filter((s) => s.via !== 'gui').map((s) => s.step)).toEqual([
      'pull-the-plug',
      'power-pve2-back-on',
    ]);
    expect(byVia['shell']?.filter((s) => s.via !== 'shell').map((s) => s.step)).toEqual([
      'upload-iso',
      'pull-the-plug',
      'power-pve2-back-on',
    ]);
    expect(result.code).toBe(0);
  });
});
