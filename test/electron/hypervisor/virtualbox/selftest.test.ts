import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { registerVbox, type VboxCliIo } from '../../../../electron/cli/commands/vbox.ts';
import { realClock } from '../../../../electron/clock/clock.ts';
import { VBoxConnection } from '../../../../electron/hypervisor/virtualbox/vbox-connection.ts';
import { VirtualBoxDriver } from '../../../../electron/hypervisor/virtualbox/virtualbox-driver.ts';
import {
  startFakeVboxwebsrv,
  type FakeVboxwebsrv,
  type FakeVboxwebsrvOptions,
} from '../../../support/fake-vboxwebsrv/fake-vboxwebsrv.ts';

let fake: FakeVboxwebsrv | undefined;
afterEach(async () => fake?.close());

async function selftest(options: Partial<FakeVboxwebsrvOptions> = {}) {
  fake = await startFakeVboxwebsrv({ apiVersion: '7_1', ...options });
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'nestlab-selftest-'));
  const io = { lines: [] as string[], errors: [] as string[], code: 0 };
  const cliIo: VboxCliIo = {
    out: (l) => void io.lines.push(l),
    err: (l) => void io.errors.push(l),
    setExitCode: (c) => void (io.code = c),
  };
  const program = new Command().exitOverride();
  const url = fake.url;
  registerVbox(program, {
    io: cliIo,
    openBackend: async () => {
      const connection = await VBoxConnection.open(
        { url, username: 'nestlab', password: 'secret' },
        realClock,
      );
      const driver = new VirtualBoxDriver({ connection, clock: realClock, runDir, platform: 'linux' });
      return { driver, close: () => driver.close() };
    },
  });
  await program.parseAsync(['node', 'nestlab', 'vbox', 'selftest']);
  return io;
}

describe('nestlab vbox selftest (against the fake vboxwebsrv)', () => {
  it('runs every step on a throw-away VM, prints a pasteable report and cleans up', async () => {
    const io = await selftest();
    const report = io.lines.join('\n');
    expect(io.code).toBe(0);
    expect(report).toMatch(/^VirtualBox 7\.1\.12 \(API 7\.1\)\nNestLab VirtualBox selftest — \d{4}-/);
    for (const step of [
      'logon',
      'host-only network, VM with nested VT-x, disk, serial pipe (realise)',
      'power on (headless)',
      'serial pipe connects',
      'scancode',
      'screenshot',
      'execution engine',
      'power-off with timestamp',
      'snapshot and restore',
      'clean-up',
    ])
      expect(report).toContain(`[ ok ] ${step} (`);
    expect(report).toMatch(/screenshot \(\d+ ms\): 720×400 PNG/);
    expect(report).toMatch(/HwVirt: VT-x\/AMD-V used directly/);
    expect(report).toContain('Result: every step works on this host.');
    expect(fake!.world.typed['nestlab-selftest-probe']).toBe(' ');
    expect(fake!.world.machines).toEqual([]);
    expect(fake!.world.hostInterfaces).toHaveLength(1);
  }, 60_000);

  it('says what failed, skips what depends on it, still cleans up, and exits 1', async () => {
    const io = await selftest({
      startFailures: {
        'nestlab-selftest-probe': 'VMMR0_DO_NEM_INIT_VM failed: VERR_NEM_MISSING_KERNEL_API_2',
      },
      executionEngine: 'NativeApi',
    });
    const report = io.lines.join('\n');
    expect(io.code).toBe(1);
    expect(report).toMatch(
      /\[FAIL\] power on \(headless\).*VERR_NEM_MISSING_KERNEL_API_2 — Windows Hyper-V is active/,
    );
    expect(report).toMatch(/\[skip\] screenshot \(0 ms\): skipped: power on \(headless\) failed/);
    expect(report).toContain('[ ok ] clean-up');
    expect(fake!.world.machines).toEqual([]);
  }, 60_000);
});
