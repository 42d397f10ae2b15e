/**
 * `nestlab vbox selftest`: on a real host, each VirtualBox step the lab build relies on, once, on a
 * throw-away lab — logon, host-only network, a VM with nested VT-x and a disk, the serial pipe, a
 * scancode, a screenshot, the execution engine, a power-off with its timestamp, a snapshot and its
 * restore, clean-up — and a plain-text report a user can paste into a bug report.
 */
import os from 'node:os';
import type { Clock } from '../../clock/clock.ts';
import type { TopologySpec } from '../driver.ts';
import { openSerialConsole } from './serial-console.ts';
import type { VirtualBoxDriver } from './virtualbox-driver.ts';

export const SELFTEST_LAB = 'nestlab-selftest';
const VM = 'probe';

export interface SelftestStep {
  name: string;
  status: 'ok' | 'failed' | 'skipped';
  detail: string;
  ms: number;
}

export interface SelftestReport {
  steps: SelftestStep[];
  ok: boolean;
  text: string;
}

export type SelftestDriver = Pick<
  VirtualBoxDriver,
  | 'realise'
  | 'machine'
  | 'powerOn'
  | 'powerOff'
  | 'typeOnKeyboard'
  | 'screenshot'
  | 'executionEngine'
  | 'lastStateChange'
  | 'takeMachineCheckpoint'
  | 'restoreMachineCheckpoint'
  | 'hasMachineCheckpoint'
  | 'consolePath'
  | 'destroy'
  | 'serverVersion'
  | 'apiFlavor'
  | 'versionWarning'
>;

export function selftestTopology(cidr = '192.168.56.1/24'): TopologySpec {
  return {
    lab: SELFTEST_LAB,
    networks: [{ name: 'lab', cidr }],
    machines: [
      {
        name: VM,
        kind: 'tinycore',
        memoryMiB: 64,
        cpus: 1,
        nestedVirtualization: true,
        disks: [{ name: 'probe-disk', sizeGiB: 1 }],
        nics: [{ network: 'lab' }],
      },
    ],
  };
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export async function runSelftest(
  driver: SelftestDriver,
  clock: Clock,
  options: { signal?: AbortSignal; cidr?: string; now?: () => Date } = {},
): Promise<SelftestReport> {
  const steps: SelftestStep[] = [];
  let blocked = '';
  const step = async (name: string, work: () => Promise<string>, needed = true): Promise<void> => {
    if (blocked) {
      steps.push({ name, status: 'skipped', detail: `skipped: ${blocked} failed`, ms: 0 });
      return;
    }
    const started = clock.now();
    try {
      const detail = await work();
      steps.push({ name, status: 'ok', detail, ms: Math.round(clock.now() - started) });
    } catch (error) {
      steps.push({
        name,
        status: 'failed',
        detail: (error as Error).message,
        ms: Math.round(clock.now() - started),
      });
      if (needed) blocked = name;
    }
  };

  await step('logon', async () => {
    const warning = driver.versionWarning ? ` — ${driver.versionWarning}` : '';
    return `VirtualBox ${driver.serverVersion}, API shape ${driver.apiFlavor}${warning}`;
  });
  await step('host-only network, VM with nested VT-x, disk, serial pipe (realise)', async () => {
    await driver.realise(selftestTopology(options.cidr), { signal: options.signal });
    return `${SELFTEST_LAB}-${VM} created on ${options.cidr ?? '192.168.56.1/24'}`;
  });
  await step('power on (headless)', async () => {
    await driver.powerOn(VM, { signal: options.signal });
    return (await driver.machine(VM)).power;
  });
  await step(
    'serial pipe connects',
    async () => {
      const path = driver.consolePath(VM);
      const console = await openSerialConsole(VM, path, clock, { signal: options.signal });
      console.close();
      return path;
    },
    false,
  );
  await step(
    'scancode',
    async () => {
      await driver.typeOnKeyboard(VM, ' ');
      return 'IKeyboard.putScancodes accepted a key press';
    },
    false,
  );
  await step(
    'screenshot',
    async () => {
      const shot = await driver.screenshot(VM);
      if (!shot.png.subarray(0, 8).equals(PNG_MAGIC))
        throw new Error('IDisplay.takeScreenShotToArray did not return a PNG');
      return `${shot.width}×${shot.height} PNG, ${shot.png.length} bytes`;
    },
    false,
  );
  await step(
    'execution engine',
    async () => {
      const engine = await driver.executionEngine(VM);
      return engine === 'HwVirt'
        ? 'HwVirt: VT-x/AMD-V used directly, nested Proxmox VMs can run'
        : `${engine}: VirtualBox runs on another hypervisor (Hyper-V / Hypervisor.framework); nested KVM will not work`;
    },
    false,
  );
  await step('power-off with timestamp', async () => {
    const { at } = await driver.powerOff(VM);
    const changed = await driver.lastStateChange(VM);
    // `at` is NestLab's monotonic clock (what failover timings use); VirtualBox stamps wall-clock time.
    return `VirtualBox recorded the power-off at ${new Date(changed).toISOString()}; NestLab stamped the pull at ${Math.round(at)} ms on its monotonic clock`;
  });
  await step('snapshot and restore', async () => {
    await driver.takeMachineCheckpoint(VM, 'selftest', { signal: options.signal });
    if (!(await driver.hasMachineCheckpoint(VM, 'selftest')))
      throw new Error('the snapshot was taken but is not listed');
    await driver.restoreMachineCheckpoint(VM, 'selftest', { signal: options.signal });
    return 'snapshot "selftest" taken and restored';
  });
  // Clean-up always runs, whatever failed before.
  blocked = '';
  await step('clean-up', async () => {
    const power = (await driver.machine(VM).catch(() => undefined))?.power;
    if (power === 'running' || power === 'starting' || power === 'paused') await driver.powerOff(VM);
    await driver.destroy(SELFTEST_LAB, { confirm: true });
    return `lab ${SELFTEST_LAB} removed (its host-only network stays for the labs)`;
  });

  const ok = steps.every((s) => s.status === 'ok');
  const when = (options.now ?? (() => new Date()))().toISOString();
  const lines = [
    `NestLab VirtualBox selftest — ${when}`,
    `Host: ${os.platform()} ${os.release()} ${os.arch()}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB RAM, ${os.cpus().length} CPUs`,
    ...steps.map(
      (s) =>
        `[${s.status === 'ok' ? ' ok ' : s.status === 'failed' ? 'FAIL' : 'skip'}] ${s.name} (${s.ms} ms): ${s.detail}`,
    ),
    ok
      ? 'Result: every step works on this host.'
      : 'Result: some steps failed; paste this report into a bug report.',
  ];
  return { steps, ok, text: lines.join('\n') };
}
