/**
 * `nestlab lab run <lab> --backend virtualbox` against stand-ins for installed nodes (fake
 * vboxwebsrv, the simulator's HTTPS nodes, in-process ssh servers): fingerprints are confirmed in
 * advance with --trust or asked in a terminal, refused otherwise, and the lab then runs.
 */
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { registerLab, type LabCliIo } from '../../../../electron/cli/commands/lab.ts';
import { loadLabFile } from '../../../../electron/lab/script/load.ts';
import { startInstalledNodes, type InstalledNodes } from '../../../support/installed-nodes.ts';

const labDir = fileURLToPath(new URL('../../../fixtures/labs/good/mini-cluster', import.meta.url));

let nodes: InstalledNodes;

beforeAll(async () => {
  const loaded = await loadLabFile(`${labDir}/lab.yaml`);
  if (!loaded.ok) throw new Error('the fixture lab does not load');
  nodes = await startInstalledNodes(
    loaded.lab,
    loaded.lab.profiles.find((p) => p.id === 'virtualbox')!,
  );
});

afterAll(async () => {
  await nodes?.close();
});

async function nestlab(
  args: string[],
  ask?: (question: string) => Promise<string>,
): Promise<{ out: string[]; err: string[]; exitCode: number }> {
  const out: string[] = [];
  const err: string[] = [];
  let exitCode = 0;
  const io: LabCliIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    setExitCode: (c) => {
      exitCode = c;
    },
    ...(ask ? { ask } : {}),
  };
  const program = new Command().exitOverride();
  registerLab(program, io, { virtualBox: nodes.reach });
  await program.parseAsync(['node', 'nestlab', 'lab', 'run', labDir, '--backend', 'virtualbox', ...args]);
  return { out, err, exitCode };
}

describe('nestlab lab run --backend virtualbox', () => {
  it('without a terminal and without --trust, refuses naming the node and the fingerprint to pass', async () => {
    const r = await nestlab(['--solve', '--json']);
    expect(r.exitCode).toBe(1);
    expect(r.out).toEqual([]);
    expect(r.err.join('\n')).toContain(`--trust pve1=${nodes.fingerprint('pve1')}`);
    expect(r.err.join('\n')).toMatch(/node pve1: TLS certificate .* was not confirmed/);
  });

  it('refuses a --trust fingerprint that does not match the node', async () => {
    const r = await nestlab([
      '--solve',
      '--json',
      '--trust',
      `pve1=${nodes.fingerprint('pve2')}`,
      '--trust',
      `pve2=${nodes.fingerprint('pve2')}`,
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.err.join('\n')).toContain('pve1: its TLS certificate has fingerprint');
  });

  it('asks in a terminal, showing the fingerprint; a "y" lets the lab run and --solve finish it', async () => {
    const questions: string[] = [];
    const r = await nestlab(['--solve', '--json'], async (question) => {
      questions.push(question);
      return 'y';
    });
    expect(r.err).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(questions).toEqual(['Trust this certificate? [y/N] ', 'Trust this certificate? [y/N] ']);
    const shown = r.out.filter((l) => l.includes('presents this TLS certificate'));
    expect(shown.sort()).toEqual(
      ['pve1', 'pve2'].map((n) => `${n} presents this TLS certificate:\n  ${nodes.fingerprint(n)}`),
    );
    const { state } = JSON.parse(r.out.filter((l) => l.startsWith('{')).join('\n')) as {
      state: { progress: { passed: number; total: number }; activeStepId: string | null };
    };
    expect(state.activeStepId).toBeNull();
    expect(state.progress.passed).toBe(state.progress.total);
  }, 60_000);

  it('with --trust for every node, runs without asking and sees the cluster built before: every check passes', async () => {
    const r = await nestlab(
      ['--json', ...['pve1', 'pve2'].flatMap((n) => ['--trust', `${n}=${nodes.fingerprint(n)}`])],
      async () => {
        throw new Error('must not ask');
      },
    );
    expect(r.err).toEqual([]);
    expect(r.exitCode).toBe(0);
    const { state } = JSON.parse(r.out.join('\n')) as {
      state: { progress: { passed: number; total: number }; steps: { solvedBy: string | null }[] };
    };
    expect(state.progress.passed).toBe(state.progress.total);
    // Nothing was solved by NestLab in this run: the checks saw the nodes as they are.
    expect(state.steps.some((s) => s.solvedBy === 'nestlab')).toBe(false);
  }, 60_000);
});
