/**
 * `nestlab lab validate|test|run` (electron/cli/commands/lab.ts; kept under test/electron/lab/
 * because test/electron/cli belongs to the CLI's owner). `test` and `run` drive the real
 * simulated datacenter at full speed.
 */
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerLab } from '../../../../electron/cli/commands/lab.ts';

const fixtures = fileURLToPath(new URL('../../../fixtures/labs/', import.meta.url));

async function nestlab(...args: string[]): Promise<{ out: string[]; err: string[]; exitCode: number }> {
  const out: string[] = [];
  const err: string[] = [];
  let exitCode = 0;
  const program = new Command().exitOverride();
  registerLab(program, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    setExitCode: (c) => {
      exitCode = c;
    },
  });
  await program.parseAsync(['node', 'nestlab', ...args]);
  return { out, err, exitCode };
}

describe('nestlab lab validate', () => {
  it('accepts a good lab folder and a folder of lab folders', async () => {
    const one = await nestlab('lab', 'validate', `${fixtures}good/mini-cluster`);
    expect(one.exitCode).toBe(0);
    expect(one.out).toEqual([`ok  ${fixtures}good/mini-cluster/lab.yaml  (mini-cluster v1, 3 steps)`]);
    const all = await nestlab('lab', 'validate', `${fixtures}good`);
    expect(all.out.map((l) => l.split('  ')[1])).toEqual([
      `${fixtures}good/all-kinds/lab.yaml`,
      `${fixtures}good/mini-cluster/lab.yaml`,
    ]);
  });

  it('exits 1 listing positioned errors', async () => {
    const r = await nestlab('lab', 'validate', `${fixtures}broken/wrong-values.yaml`, `${fixtures}good`);
    expect(r.exitCode).toBe(1);
    expect(r.err[0]).toBe(
      `${fixtures}broken/wrong-values.yaml:2:10 version: wrong type (expected number, got "one")`,
    );
    expect(r.err.at(-1)).toBe('1 lab file(s) with errors');
    expect(r.out).toHaveLength(2);
  });

  it('exits 1 for a path without labs', async () => {
    const r = await nestlab('lab', 'validate', `${fixtures}nothing-here`);
    expect(r.exitCode).toBe(1);
    expect(r.err[0]).toMatch(/nothing-here:1:1 cannot read the file \(ENOENT\)/);
  });
});

describe('nestlab lab test / run on the simulator', () => {
  it('test: every step fails before, is solved, passes after', async () => {
    const r = await nestlab('lab', 'test', `${fixtures}good/mini-cluster`, '--json');
    expect(r.err).toEqual([]);
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.out.join('\n')) as { lab: string; steps: { step: string; ok: boolean }[] }[];
    expect(report.map((x) => x.lab)).toEqual(['mini-cluster']);
    expect(report[0]?.steps.map((s) => [s.step, s.ok])).toEqual([
      ['create-cluster', true],
      ['join-pve2', true],
    ]);
  });

  it('test: a lab whose solve is wrong fails with exit 1', async () => {
    const r = await nestlab('lab', 'test', `${fixtures}sim/wrong-solve/lab.yaml`);
    expect(r.exitCode).toBe(1);
    expect(r.out.join('\n')).toMatch(/FAIL\s+create-cluster/);
    expect(r.out.join('\n')).toMatch(/FAIL {2}0\/2 steps/);
  });

  it('run --solve: solves every step and reports the final state', async () => {
    const r = await nestlab(
      'lab',
      'run',
      `${fixtures}good/mini-cluster`,
      '--solve',
      '--json',
      '--lang',
      'es',
    );
    expect(r.exitCode).toBe(0);
    const { state } = JSON.parse(r.out.join('\n')) as {
      state: { title: string; progress: { passed: number; total: number }; steps: { solvedBy: string }[] };
    };
    expect(state.title).toBe('Construir un clúster de dos nodos');
    expect(state.progress).toEqual({ passed: 2, total: 2 });
    expect(state.steps.every((s) => s.solvedBy === 'nestlab')).toBe(true);
  });
});
