/**
 * `nestlab lab validate|test|run` (electron/cli/commands/lab.ts; kept under test/electron/lab/
 * because test/electron/cli belongs to the CLI's owner). `test` and `run` drive the real
 * simulated datacenter at full speed.
 */
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerLab } from '../../../../electron/cli/commands/lab.ts';

const fixtures = fileURLToPath(new URL('../../../fixtures/labs/', import.meta.url));

interface Terminal {
  input: PassThrough;
  screen: string;
  write(text: string): void;
}

async function nestlab(
  ...args: (string | Terminal)[]
): Promise<{ out: string[]; err: string[]; exitCode: number }> {
  const out: string[] = [];
  const err: string[] = [];
  let exitCode = 0;
  const program = new Command().exitOverride();
  const terminal = args.find((a): a is Terminal => typeof a !== 'string');
  registerLab(program, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    setExitCode: (c) => {
      exitCode = c;
    },
    ...(terminal ? { terminal } : {}),
  });
  await program.parseAsync(['node', 'nestlab', ...args.filter((a): a is string => typeof a === 'string')]);
  return { out, err, exitCode };
}

function fakeTerminal(): Terminal {
  const t: Terminal = {
    input: new PassThrough(),
    screen: '',
    write: (text) => {
      t.screen += text;
    },
  };
  return t;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
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

  it('run --shell: the learner types a real command in the simulated shell and the step passes', async () => {
    const terminal = fakeTerminal();
    const running = nestlab(
      'lab',
      'run',
      `${fixtures}good/mini-cluster`,
      '--shell',
      'pve1',
      '--speed',
      'max',
      terminal,
    );
    await waitFor(() => terminal.screen.includes('root@pve1'), 'the shell prompt');
    expect(terminal.screen).toContain('## Create the cluster');
    terminal.input.write('pvecm create minilab\r');
    await waitFor(() => terminal.screen.includes('✓ Create the cluster'), 'the step to pass');
    expect(terminal.screen).not.toContain('solved by NestLab');
    expect(terminal.screen).toContain('## Join pve2');
    terminal.input.write('\x04'); // Ctrl-D: log out, which ends the run
    const r = await running;
    expect(r.out.at(-1)).toBe('\n1/2 steps passed — mini-cluster');
    expect(r.exitCode).toBe(1);
  });

  it('run: refuses --shell on a machine that is not a Proxmox node, and --shell with --solve', async () => {
    const a = await nestlab('lab', 'run', `${fixtures}good/mini-cluster`, '--shell', 'pve9');
    expect(a.err).toEqual(['--shell: "pve9" is not a Proxmox node of profile "sim" (pve1, pve2)']);
    expect(a.exitCode).toBe(1);
    const b = await nestlab('lab', 'run', `${fixtures}good/mini-cluster`, '--shell', 'pve1', '--solve');
    expect(b.err[0]).toMatch(/do not go together/);
  });
});
