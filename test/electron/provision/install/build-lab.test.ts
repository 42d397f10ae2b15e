/**
 * The whole "Build the lab" orchestration against the fake vboxwebsrv: the basic lab's light profile
 * (three Proxmox VE nodes, the Debian NFS server), scripted installers on the serial consoles, the
 * keystrokes recorded as scancodes, the power-off at the end of each install, eject, first boot, trust,
 * the offline "installed" checkpoints, and a second run that installs nothing again.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLabForApp } from '../../../../electron/app/load-lab.ts';
import { topologySpecFor } from '../../../../electron/backends/lab-topology.ts';
import { realClock } from '../../../../electron/clock/clock.ts';
import { VBoxConnection } from '../../../../electron/hypervisor/virtualbox/vbox-connection.ts';
import { VirtualBoxDriver } from '../../../../electron/hypervisor/virtualbox/virtualbox-driver.ts';
import type { ImageResolver } from '../../../../electron/images/resolver.ts';
import type { LabFile, LabProfile } from '../../../../electron/lab/script/schema.ts';
import {
  buildLab,
  INSTALLED_CHECKPOINT,
  type BuildLabDeps,
} from '../../../../electron/provision/install/build-lab.ts';
import type { MachineProgress, MachineSeed } from '../../../../electron/provision/install/install-ports.ts';
import { FETCH_ANSWER, GRUB_BOOT_LINES } from '../../../../electron/provision/install/proxmox-install.ts';
import { buildLabWithTasks } from '../../../../electron/provision/install/build-lab-tasks.ts';
import { TaskService } from '../../../../electron/lab/task-service.ts';
import type { TaskInfo } from '../../../../electron/contract/dto.ts';
import { resetToStep } from '../../../../electron/provision/install/reset-to-step.ts';
import {
  openMachineConsole,
  type ConsoleFrame,
} from '../../../../electron/hypervisor/virtualbox/machine-console.ts';
import type { FakeGuestScript } from '../../../support/fake-vboxwebsrv/fake-world.ts';
import {
  startFakeVboxwebsrv,
  type FakeVboxwebsrv,
} from '../../../support/fake-vboxwebsrv/fake-vboxwebsrv.ts';

const LAB = 'proxmox-ha-basics';
const proxmoxInstaller: FakeGuestScript = {
  banner: 'SeaBIOS (version 1.16)\r\n',
  steps: [
    {
      whenTyped: 'proxmox-start-auto-installer console=ttyS0,115200\ninitrd /boot/initrd.img\nboot\n',
      output:
        'Automatic installation selected but no config for fetching the answer file found!\r\n' +
        'Starting debug shell...\r\nroot@proxmox:/# ',
    },
    {
      whenSerial: 'proxmox-fetch-answer partition PROXMOX-AIS >/run/automatic-installer-answers && exit\n',
      output:
        'Found partition PROXMOX-AIS\r\nprogress 3% - create partitions\r\nprogress 52% - extracting base system\r\nprogress 100% - installation finished\r\n',
      powerOff: true,
    },
  ],
};
const cloudInit: FakeGuestScript = {
  steps: [
    {
      output:
        'Cloud-init v. 24.4-1 finished at Fri, 04 Dec 2026 02:00:00 +0000. Datasource DataSourceNoCloud.\r\n',
    },
  ],
};

let dir: string;
let fake: FakeVboxwebsrv;
let driver: VirtualBoxDriver;
let lab: LabFile;
let profile: LabProfile;
const resolved: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'nestlab-build-'));
  const loaded = await loadLabForApp(path.resolve('labs', LAB, 'lab.yaml'));
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  lab = loaded.lab;
  profile = lab.profiles.find((p) => p.id === 'virtualbox-light')!;
  await writeFile(path.join(dir, 'proxmox-ve_9.1-1.iso'), 'PVE ISO stand-in');
  await writeFile(path.join(dir, 'debian-13-generic-amd64.raw'), Buffer.alloc(4 * 1024 * 1024));
  await writeFile(path.join(dir, 'Core-17.1.iso'), 'Tiny Core stand-in');
  fake = await startFakeVboxwebsrv({
    apiVersion: '7_1',
    serialScripts: {
      [`${LAB}-pve1`]: proxmoxInstaller,
      [`${LAB}-pve2`]: proxmoxInstaller,
      [`${LAB}-pve3`]: proxmoxInstaller,
      [`${LAB}-nas`]: cloudInit,
    },
  });
  const connection = await VBoxConnection.open(
    { url: fake.url, username: 'nestlab', password: 'secret' },
    realClock,
  );
  driver = new VirtualBoxDriver({
    connection,
    clock: realClock,
    runDir: dir,
    platform: 'linux',
    eventPollMs: 50,
    images,
  });
});

afterAll(async () => {
  await driver?.close();
  await fake?.close();
});

const images: ImageResolver = {
  resolve: async (id) => {
    resolved.push(id);
    const files: Record<string, string> = {
      'proxmox-ve-9-1': 'proxmox-ve_9.1-1.iso',
      'debian-13-nfs': 'debian-13-generic-amd64.raw',
      'tinycore-core-17': 'Core-17.1.iso',
    };
    if (!files[id]) throw new Error(`no image ${id} in the test catalog`);
    return path.join(dir, files[id]);
  },
};

/** Stand-in for the images engineer's writeMachineSeeds: one small ISO per machine. */
async function writeSeeds(_lab: LabFile, p: LabProfile, outDir: string): Promise<MachineSeed[]> {
  const seeds: MachineSeed[] = [];
  for (const machine of p.machines) {
    const kind = machine.kind === 'pve' ? 'proxmox-answer' : 'cidata';
    const file = path.join(outDir, `${machine.name}-${kind}.iso`);
    await writeFile(file, `${kind} for ${machine.name}`);
    seeds.push({ machine: machine.name, kind, path: file, format: 'iso' });
  }
  return seeds;
}

function deps(asked: string[], uploads: string[]): BuildLabDeps {
  return {
    driver,
    clock: realClock,
    images,
    writeSeeds,
    seedDir: dir,
    pollMs: 20,
    bootMenuDelayMs: 0,
    firstBoot: {
      probe: async (node) => ({ fingerprint: `AA:BB:${node}` }),
      trust: async (node, fingerprint) => {
        asked.push(`${node} ${fingerprint}`);
        return true;
      },
    },
    tinyCore: {
      image: 'tinycore-core-17',
      node: 'pve1',
      storage: 'nfs-lab',
      uploader: {
        upload: async (u) => {
          uploads.push(
            `${u.node}/${u.storage}/${u.content}/${u.filename} ${(await u.file.text()).length} bytes`,
          );
          return 'UPID:pve1:upload';
        },
        waitForTask: async () => ({ ok: true, exitstatus: 'OK' }),
      },
    },
  };
}

describe('Build the lab on VirtualBox (fake vboxwebsrv, scripted installers)', () => {
  const progress: MachineProgress[] = [];
  const asked: string[] = [];
  const uploads: string[] = [];

  it('installs three Proxmox VE nodes and the NFS server unattended, and uploads Tiny Core', async () => {
    const result = await buildLab(deps(asked, uploads), lab, profile, topologySpecFor(lab, profile), {
      onProgress: (p) => progress.push(p),
    });
    expect(result.installed.sort()).toEqual(['nas', 'pve1', 'pve2', 'pve3']);
    expect(result.skipped).toEqual([]);
    expect(resolved).toEqual(expect.arrayContaining(['proxmox-ve-9-1', 'debian-13-nfs', 'tinycore-core-17']));

    for (const node of ['pve1', 'pve2', 'pve3']) {
      const name = `${LAB}-${node}`;
      // Keystrokes into GRUB: `c`, then the installer kernel with the serial console, as scancodes.
      expect(fake.world.typed[name]).toBe(`c${GRUB_BOOT_LINES.map((l) => `${l}\n`).join('')}`);
      expect(fake.world.scancodes[name]!.slice(0, 2)).toEqual([0x2e, 0xae]);
      const machine = fake.world.machines.find((m) => m.settings.name === name)!;
      // ISO and answer seed were attached, then ejected after the installer powered off.
      const dvds = machine.settings.attachments.filter((a) => a.type === 'DVD');
      expect(dvds).toHaveLength(2);
      expect(dvds.every((a) => a.mediumId === '')).toBe(true);
      expect(machine.snapshots.map((s) => [s.name, s.online])).toEqual([[INSTALLED_CHECKPOINT, false]]);
      expect(machine.state).toBe('Running');
    }
    expect(asked.sort()).toEqual(['pve1 AA:BB:pve1', 'pve2 AA:BB:pve2', 'pve3 AA:BB:pve3']);

    const nas = fake.world.machines.find((m) => m.settings.name === `${LAB}-nas`)!;
    expect(nas.settings.nics.filter((n) => n.enabled).map((n) => n.attachmentType)).toEqual([
      'HostOnly',
      'NAT',
    ]);
    expect(nas.snapshots.map((s) => s.name)).toEqual([INSTALLED_CHECKPOINT]);
    expect(fake.world.typed[`${LAB}-nas`]).toBeUndefined();

    expect(uploads).toEqual(['pve1/nfs-lab/iso/Core-17.1.iso 18 bytes']);
    for (const machine of ['pve1', 'pve2', 'pve3', 'nas'])
      expect(progress.filter((p) => p.machine === machine && p.stage === 'ready')).toEqual([
        expect.objectContaining({ fraction: 1 }),
      ]);
    expect(progress.at(-1)).toMatchObject({ machine: 'pve1', stage: 'upload', fraction: 1 });
    expect(
      progress.some((p) => p.machine === 'pve2' && /Installing Proxmox VE on pve2: 52%/.test(p.message)),
    ).toBe(true);
  }, 120_000);

  it('sent the answer-fetch command on the serial console, once per node', () => {
    expect(FETCH_ANSWER).toMatch(/^proxmox-fetch-answer partition PROXMOX-AIS /);
    // The second step of each script only fires on that exact serial input; all three powered off.
    for (const node of ['pve1', 'pve2', 'pve3'])
      expect(fake.world.machines.find((m) => m.settings.name === `${LAB}-${node}`)!.snapshots).toHaveLength(
        1,
      );
  });

  it('resumes: a second build installs nothing again (run through the task service: a bar per machine)', async () => {
    const typedBefore = { ...fake.world.typed };
    const snapshots: TaskInfo[] = [];
    const tasks = new TaskService((t) => snapshots.push(t));
    const result = await buildLabWithTasks(tasks, deps([], []), lab, profile, topologySpecFor(lab, profile));
    expect(result.installed).toEqual([]);
    expect(result.skipped.sort()).toEqual(['nas', 'pve1', 'pve2', 'pve3']);
    expect(fake.world.typed).toEqual(typedBefore);
    const last = new Map(snapshots.map((t) => [t.title, t]));
    expect([...last.values()].map((t) => [t.title, t.state, t.fraction])).toEqual([
      [`Build ${LAB}`, 'done', 1],
      ['pve1', 'done', 1],
      ['pve2', 'done', 1],
      ['pve3', 'done', 1],
      ['nas', 'done', 1],
    ]);
  }, 120_000);

  it('resets to a step without a lab checkpoint by restoring each machine to its "installed" checkpoint', async () => {
    const machines = ['pve1', 'pve2', 'pve3', 'nas'];
    await driver.setCable('pve1', false);
    expect((await driver.machine('pve1')).cableConnected).toBe(false);
    const { restored } = await resetToStep(driver, machines, 'step-3');
    expect(restored).toBe(INSTALLED_CHECKPOINT);
    const infos = await driver.listMachines();
    expect(infos.map((i) => [i.name, i.power, i.cableConnected])).toEqual(
      machines.map((m) => [m, 'running', true]),
    );
    await expect(resetToStep(driver, ['pve1', 'pve4'], undefined)).rejects.toThrow(
      /cannot reset: pve4 has no "installed" checkpoint; build the lab first/,
    );
  }, 120_000);

  it('opens a console per machine: serial text and screen frames, unchanged frames not repeated', async () => {
    const serial: string[] = [];
    const frames: ConsoleFrame[] = [];
    const console = await openMachineConsole(
      driver,
      'pve2',
      realClock,
      {
        onSerial: (t) => serial.push(t),
        onFrame: (f) => frames.push(f),
      },
      { framesPerSecond: 10 },
    );
    for (let i = 0; i < 200 && !(frames.length && serial.join('').includes('SeaBIOS')); i++)
      await new Promise((r) => setTimeout(r, 20));
    const polls = fake.calls.filter((c) => c === 'IDisplay_takeScreenShotToArray').length;
    for (
      let i = 0;
      i < 200 && fake.calls.filter((c) => c === 'IDisplay_takeScreenShotToArray').length < polls + 2;
      i++
    )
      await new Promise((r) => setTimeout(r, 20));
    await console.close();
    expect(serial.join('')).toContain('SeaBIOS');
    expect(frames).toHaveLength(1);
    expect(frames[0]!.png.subarray(1, 4).toString()).toBe('PNG');
  }, 60_000);
});
