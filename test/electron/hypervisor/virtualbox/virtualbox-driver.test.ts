import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realClock } from '../../../../electron/clock/clock.ts';
import { HypervisorError, type PowerEvent } from '../../../../electron/hypervisor/driver.ts';
import { VBoxConnection } from '../../../../electron/hypervisor/virtualbox/vbox-connection.ts';
import { VirtualBoxDriver } from '../../../../electron/hypervisor/virtualbox/virtualbox-driver.ts';
import {
  startFakeVboxwebsrv,
  type FakeApiVersion,
  type FakeVboxwebsrv,
} from '../../../support/fake-vboxwebsrv/fake-vboxwebsrv.ts';
import { basicLabTopology } from './basic-lab-topology.ts';

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.each<[FakeApiVersion, string]>([
  ['7_0', '7.0'],
  ['7_1', '7.1'],
])('VirtualBoxDriver against a fake vboxwebsrv speaking API %s', (apiVersion, flavor) => {
  let fake: FakeVboxwebsrv;
  let driver: VirtualBoxDriver;
  let isoPath: string;
  const events: PowerEvent[] = [];

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nestlab-vbox-test-'));
    isoPath = path.join(dir, 'proxmox-ve.iso');
    await writeFile(isoPath, 'not really an ISO');
    fake = await startFakeVboxwebsrv({ apiVersion, guestAddresses: { 'basic-pve1': ['192.168.56.11'] } });
    const connection = await VBoxConnection.open(
      { url: fake.url, username: 'nestlab', password: 'secret' },
      realClock,
    );
    driver = new VirtualBoxDriver({
      connection,
      clock: realClock,
      runDir: '/run/user/1000/nestlab',
      platform: 'linux',
      eventPollMs: 100,
    });
  });

  afterAll(async () => {
    await driver?.close();
    await fake?.close();
  });

  it(`picks the ${flavor} API shape`, () => {
    expect(driver.apiFlavor).toBe(flavor);
  });

  it('realises the basic lab: host-only network, nested VT-x, disks, ISO, promiscuous NICs, serial pipe', async () => {
    const progress: string[] = [];
    await driver.realise(basicLabTopology(isoPath), {
      progress: { report: (u) => progress.push(u.message) },
    });

    const world = fake.world;
    expect(world.hostInterfaces.map((i) => [i.name, i.ipAddress])).toEqual([['vboxnet0', '192.168.56.1']]);
    const names = world.machines.map((m) => m.settings.name).sort();
    expect(names).toEqual(['basic-nas', 'basic-pve1', 'basic-pve2', 'basic-pve3']);
    const pve1 = world.machines.find((m) => m.settings.name === 'basic-pve1')!;
    expect(pve1.registered).toBe(true);
    expect(pve1.settings.groups).toEqual(['/nestlab/basic']);
    expect(pve1.settings.osTypeId).toBe('Debian_64');
    expect(pve1.settings.memorySize).toBe(1280);
    expect(pve1.settings.cpuCount).toBe(2);
    expect(pve1.settings.cpuProperties['HWVirt']).toBe(true);
    expect(pve1.settings.hwVirtExProperties).toMatchObject({
      NestedPaging: true,
      UnrestrictedExecution: true,
    });
    expect(pve1.settings.attachments.map((a) => [a.port, a.type])).toEqual([
      [0, 'HardDisk'],
      [1, 'DVD'],
    ]);
    const disk = world.media.find((m) => m.id === pve1.settings.attachments[0]!.mediumId)!;
    expect(disk).toMatchObject({ state: 'Created', logicalSize: 32 * 1024 ** 3, format: 'VDI' });
    expect(disk.location).toMatch(/nestlab\/basic\/basic-pve1\/pve1-root\.vdi$/);
    expect(pve1.settings.nics[0]).toMatchObject({
      enabled: true,
      attachmentType: 'HostOnly',
      hostOnlyInterface: 'vboxnet0',
      promiscModePolicy: 'AllowAll',
      cableConnected: true,
    });
    expect(pve1.settings.serials[0]).toMatchObject({
      enabled: true,
      hostMode: 'HostPipe',
      server: true,
      path: '/run/user/1000/nestlab/basic-pve1.sock',
      ioBase: 0x3f8,
      irq: 4,
    });
    const nas = world.machines.find((m) => m.settings.name === 'basic-nas')!;
    expect(nas.settings.cpuProperties['HWVirt']).toBe(false);
    expect(nas.settings.attachments).toHaveLength(2);
    expect(progress).toContain('Machine pve3');

    // Only the calls that exist in this API version went over the wire.
    if (flavor === '7.0') {
      expect(fake.calls).toContain('IMachine_setCPUProperty');
      expect(fake.calls).not.toContain('IPlatformX86_setCPUProperty');
    } else {
      expect(fake.calls).toContain('IPlatformX86_setCPUProperty');
      expect(fake.calls).toContain('ISerialPort_setIOAddress');
      expect(fake.calls).not.toContain('IMachine_setCPUProperty');
    }
  });

  it('realising again changes nothing', async () => {
    const machines = fake.world.machines.length;
    const media = fake.world.media.length;
    const created = fake.calls.filter((c) => c === 'IVirtualBox_createMachine').length;
    await driver.realise(basicLabTopology(isoPath));
    expect(fake.world.machines.length).toBe(machines);
    expect(fake.world.media.length).toBe(media);
    expect(fake.world.hostInterfaces).toHaveLength(1);
    expect(fake.calls.filter((c) => c === 'IVirtualBox_createMachine').length).toBe(created);
  });

  it('starts every machine headless and reports state events', async () => {
    driver.onPowerEvent((e) => events.push(e));
    await driver.powerEventsReady();
    for (const name of ['pve1', 'pve2', 'pve3', 'nas']) await driver.powerOn(name);
    const infos = await driver.listMachines();
    expect(infos.map((i) => [i.name, i.power])).toEqual([
      ['pve1', 'running'],
      ['pve2', 'running'],
      ['pve3', 'running'],
      ['nas', 'running'],
    ]);
    await until('running events', () => events.filter((e) => e.power === 'running').length === 4);
    expect(events.filter((e) => e.machine === 'pve1').map((e) => e.power)).toEqual(['starting', 'running']);
    // pve1 runs Guest Additions in this scenario; the others fall back to their static addresses.
    expect(infos[0]!.addresses).toEqual(['192.168.56.11']);
    expect(infos[1]!.addresses).toEqual(['192.168.56.12']);
    // Starting again is a no-op, not an error.
    await driver.powerOn('pve1');
  });

  it('resets a running node without stopping it', async () => {
    const { at } = await driver.reset('pve2');
    expect(at).toBeGreaterThan(0);
    expect((await driver.machine('pve2')).power).toBe('running');
  });

  it('pulls the plug on pve1 and stamps the moment', async () => {
    const before = realClock.now();
    const { at } = await driver.powerOff('pve1');
    expect(at).toBeGreaterThanOrEqual(before);
    expect((await driver.machine('pve1')).power).toBe('off');
    await until('pve1 off event', () => events.some((e) => e.machine === 'pve1' && e.power === 'off'));
    const off = events.find((e) => e.machine === 'pve1' && e.power === 'off')!;
    expect(off.at).toBeGreaterThanOrEqual(at);
    await expect(driver.powerOff('pve1')).rejects.toMatchObject({ code: 'invalid-state' });
  });

  it('pulls the cable of a running node and plugs it back', async () => {
    await driver.setCable('pve2', false);
    expect((await driver.machine('pve2')).cableConnected).toBe(false);
    await driver.setCable('pve2', true);
    expect((await driver.machine('pve2')).cableConnected).toBe(true);
  });

  it('shuts pve3 down through ACPI', async () => {
    await driver.acpiShutdown('pve3');
    await until('pve3 off', async () => (await driver.machine('pve3')).power === 'off');
  });

  it('takes a checkpoint of the whole lab and restores it', async () => {
    const checkpoint = await driver.takeCheckpoint('step-1');
    expect(checkpoint.name).toBe('step-1');
    expect((await driver.listCheckpoints()).map((c) => c.name)).toEqual(['step-1']);
    await expect(driver.takeCheckpoint('step-1')).rejects.toMatchObject({ code: 'invalid-state' });

    // Change the lab after the checkpoint, then go back to it.
    const pve1 = fake.world.machines.find((m) => m.settings.name === 'basic-pve1')!;
    await driver.setCable('pve1', false);
    expect(pve1.settings.nics[0]!.cableConnected).toBe(false);
    await driver.restoreCheckpoint('step-1');
    expect(pve1.settings.nics[0]!.cableConnected).toBe(true);
    // Machines running at checkpoint time come back saved; stopped ones stay off.
    expect((await driver.machine('pve2')).power).toBe('saved');
    expect((await driver.machine('pve1')).power).toBe('off');

    await driver.takeCheckpoint('step-2');
    await driver.deleteCheckpoint('step-1');
    expect((await driver.listCheckpoints()).map((c) => c.name)).toEqual(['step-2']);
    await expect(driver.restoreCheckpoint('step-1')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('makes a linked clone from a checkpoint with its own console', async () => {
    const info = await driver.cloneLinked({ source: 'pve1', checkpoint: 'step-2', name: 'pve4' });
    expect(info).toMatchObject({ name: 'pve4', kind: 'pve', power: 'off' });
    const clone = fake.world.machines.find((m) => m.settings.name === 'basic-pve4')!;
    expect(clone.settings.groups).toEqual(['/nestlab/basic']);
    expect(clone.settings.serials[0]!.path).toBe('/run/user/1000/nestlab/basic-pve4.sock');
    const cloneDisk = fake.world.media.find((m) => m.id === clone.settings.attachments[0]!.mediumId)!;
    expect(cloneDisk.parentId).toBeDefined();
  });

  it('refuses to delete without confirmation, then deletes the lab with its disks', async () => {
    await expect(driver.destroy('basic')).rejects.toBeInstanceOf(HypervisorError);
    expect(fake.world.machines.length).toBe(5);
    await driver.destroy('basic', { confirm: true });
    expect(fake.world.machines).toEqual([]);
    expect(fake.world.media.filter((m) => m.deviceType === 'HardDisk')).toEqual([]);
    await expect(driver.listMachines()).rejects.toMatchObject({ code: 'invalid-state' });
  });
});
