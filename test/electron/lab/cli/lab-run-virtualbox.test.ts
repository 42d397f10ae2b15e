/**
 * `nestlab lab run <lab> --backend virtualbox` against stand-ins for installed nodes (fake
 * vboxwebsrv, the simulator's HTTPS nodes, in-process ssh servers): fingerprints are confirmed in
 * advance with --trust or asked in a terminal, refused otherwise, and the lab then runs.
 */
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { registerLab } from '../../../../electron/cli/commands/lab.ts';
import type { LabCliIo } from '../../../../electron/cli/commands/lab/io.ts';
import { parseTrustAnswers, terminalTrust } from '../../../../electron/cli/commands/lab/terminal-trust.ts';
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

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

async function nestlab(
  args: string[],
  ask?: (question: string) => Promise<string>,
  terminal?: LabCliIo['terminal'],
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
    ...(terminal ? { terminal } : {}),
  };
  const program = new Command().exitOverride();
  registerLab(program, io, { virtualBox: nodes.reach });
  await program.parseAsync(['node', 'nestlab', 'lab', 'run', labDir, '--backend', 'virtualbox', ...args]);
  return { out, err, exitCode };
}

describe('nestlab lab run --backend virtualbox', () => {
  it("--shell: the learner's terminal is an ssh shell on the node; Ctrl-D ends the run", async () => {
    const input = new PassThrough();
    let screen = '';
    const running = nestlab(
      [
        '--shell',
        'pve1',
        ...['pve1', 'pve2'].flatMap((n) => ['--trust', `${n}=${nodes.fingerprint(n)}`]),
        // The ssh host key is confirmed apart from the certificate.
        '--trust',
        `pve1=${nodes.ssh.get('pve1')!.fingerprint}`,
      ],
      undefined,
      { input, write: (text) => (screen += text) },
    );
    await until(() => screen.includes('root@pve1:~# '), 'the prompt');
    input.write('pvecm status\r');
    await until(() => screen.includes('Error: Corosync config'), "pvecm's answer");
    input.write('\x04');
    const r = await running;
    // The lab is not done (no cluster yet), so the run ends unfinished.
    expect(r.exitCode).toBe(1);
    expect(screen).toContain('## Install Proxmox VE');
    expect(screen).toContain('root@pve1:~# pvecm status');
  });

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

describe('terminal trust for ssh host keys', () => {
  const key = 'SHA256:n6Tq0m2Z3kJxv9Yv1o1bq2Xz3F0p8d6G3t1sYwq4bX8';

  function trustWith(args: string[], answer?: string) {
    const answers = parseTrustAnswers(args);
    if (typeof answers === 'string') throw new Error(answers);
    const out: string[] = [];
    const err: string[] = [];
    const questions: string[] = [];
    const io: LabCliIo = {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      setExitCode: () => undefined,
      ...(answer !== undefined
        ? {
            ask: async (q: string) => {
              questions.push(q);
              return answer;
            },
          }
        : {}),
    };
    return { trust: terminalTrust(io, answers), out, err, questions };
  }

  it('asks with its own question and shows the key', async () => {
    const t = trustWith([], 'yes');
    expect(await t.trust('pve1', key, 'ssh-host-key')).toBe(true);
    expect(t.questions).toEqual(['Trust this host key? [y/N] ']);
    expect(t.out).toEqual([`pve1 presents this ssh host key:\n  ${key}`]);
    const no = trustWith([], '');
    expect(await no.trust('pve1', key, 'ssh-host-key')).toBe(false);
  });

  it('takes an ssh fingerprint from --trust; a certificate fingerprint does not answer for the host key', async () => {
    expect(await trustWith([`pve1=${key}`]).trust('pve1', key, 'ssh-host-key')).toBe(true);
    const onlyTls = trustWith(['pve1=AB:CD']);
    expect(await onlyTls.trust('pve1', key, 'ssh-host-key')).toBe(false);
    expect(onlyTls.err.join('\n')).toContain(`--trust pve1=${key}`);
  });

  it('rejects a malformed --trust', () => {
    expect(parseTrustAnswers(['pve1'])).toBe('--trust: expected <node>=<fingerprint>, got "pve1"');
  });
});
