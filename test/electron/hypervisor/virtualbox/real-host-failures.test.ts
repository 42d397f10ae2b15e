/**
 * The failures seen on a real host (issue #11), each reproduced against the fake vboxwebsrv made truthful
 * where it used to lie: unresolved images, a DHCP server without a leases file, leftover .vdi/.vbox files
 * from an interrupted run, the NAT adapter, a logon fault without text, gSOAP closing connections.
 */
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { realClock } from '../../../../electron/clock/clock.ts';
import type { TopologySpec } from '../../../../electron/hypervisor/driver.ts';
import type { ImageResolver } from '../../../../electron/images/resolver.ts';
import {
  selectApiFlavor,
  untestedVersionWarning,
} from '../../../../electron/hypervisor/virtualbox/api-version.ts';
import { cacheServerWsdl, wsdlCacheRoot } from '../../../../electron/hypervisor/virtualbox/soap-port.ts';
import { VBoxConnection } from '../../../../electron/hypervisor/virtualbox/vbox-connection.ts';
import { VirtualBoxDriver } from '../../../../electron/hypervisor/virtualbox/virtualbox-driver.ts';
import {
  startFakeVboxwebsrv,
  type FakeVboxwebsrv,
  type FakeVboxwebsrvOptions,
} from '../../../support/fake-vboxwebsrv/fake-vboxwebsrv.ts';
import { basicLabTopology } from './basic-lab-topology.ts';

let isoPath: string;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'nestlab-vbox-real-'));
  isoPath = path.join(dir, 'proxmox-ve_9.1-1.iso');
  await writeFile(isoPath, 'an ISO, as far as the fake can tell');
});

const fakes: FakeVboxwebsrv[] = [];
const drivers: VirtualBoxDriver[] = [];
afterEach(async () => {
  for (const driver of drivers.splice(0)) await driver.close().catch(() => undefined);
  for (const fake of fakes.splice(0)) await fake.close();
});

async function start(options: Partial<FakeVboxwebsrvOptions> = {}): Promise<FakeVboxwebsrv> {
  const fake = await startFakeVboxwebsrv({ apiVersion: '7_1', ...options });
  fakes.push(fake);
  return fake;
}

async function driverFor(fake: FakeVboxwebsrv, images?: ImageResolver): Promise<VirtualBoxDriver> {
  const connection = await VBoxConnection.open(
    { url: fake.url, username: 'nestlab', password: 'secret' },
    realClock,
  );
  const driver = new VirtualBoxDriver({
    connection,
    clock: realClock,
    runDir: dir,
    platform: 'linux',
    images,
  });
  drivers.push(driver);
  return driver;
}

/** The basic lab as the lab file names it: images by catalog id. */
const withCatalogIds = (): TopologySpec => {
  const topology = basicLabTopology('proxmox-ve-9-1');
  return topology;
};

describe('1. images are resolved to verified files before anything is created', () => {
  it('fails clearly without a catalog and leaves no machine and no disk behind', async () => {
    const fake = await start();
    const driver = await driverFor(fake);
    await expect(driver.realise(withCatalogIds())).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringMatching(
        /machine pve1: installer image "proxmox-ve-9-1" is a catalog id, but no image catalog/,
      ),
    });
    expect(fake.world.machines).toEqual([]);
    expect([...fake.world.disk.keys()]).toEqual([]);
    expect(fake.calls).not.toContain('IVirtualBox_createMachine');
  });

  it('passes the resolver error on (offline, bad checksum) and still creates nothing', async () => {
    const fake = await start();
    const resolver: ImageResolver = {
      resolve: async (id) => {
        throw new Error(`cannot download ${id}: the network is unreachable (offline)`);
      },
    };
    const driver = await driverFor(fake, resolver);
    await expect(driver.realise(withCatalogIds())).rejects.toThrow(
      /installer image "proxmox-ve-9-1" could not be resolved to a verified file: cannot download proxmox-ve-9-1: the network is unreachable/,
    );
    expect(fake.world.machines).toEqual([]);
    expect(fake.world.disk.size).toBe(0);
  });

  it('refuses a resolver answer that is not a file', async () => {
    const fake = await start();
    const driver = await driverFor(fake, { resolve: async () => path.join(dir, 'missing.iso') });
    await expect(driver.realise(withCatalogIds())).rejects.toThrow(
      /should be at .*missing\.iso, but there is no file there/,
    );
    expect(fake.world.machines).toEqual([]);
  });

  it('attaches the resolved file, resolving each id once', async () => {
    const fake = await start();
    const asked: string[] = [];
    const driver = await driverFor(fake, {
      resolve: async (id) => {
        asked.push(id);
        return isoPath;
      },
    });
    await driver.realise(withCatalogIds());
    expect(asked).toEqual(['proxmox-ve-9-1']);
    const pve1 = fake.world.machines.find((m) => m.settings.name === 'basic-pve1')!;
    const dvd = pve1.settings.attachments.find((a) => a.type === 'DVD')!;
    expect(fake.world.media.find((m) => m.id === dvd.mediumId)?.location).toBe(isoPath);
  });
});

describe('2. a DHCP server whose leases file does not exist yet', () => {
  it('is "no lease yet": machine() and listMachines() fall back to the static addresses', async () => {
    const fake = await start({ dhcpServersWithoutLeases: ['HostInterfaceNetworking-vboxnet0'] });
    const driver = await driverFor(fake);
    await driver.realise(basicLabTopology(isoPath));
    expect(fake.calls).not.toContain('IDHCPServer_findLeaseByMAC');
    const infos = await driver.listMachines();
    expect(fake.calls).toContain('IDHCPServer_findLeaseByMAC');
    expect(infos.map((i) => i.addresses)).toEqual([
      ['192.168.56.11'],
      ['192.168.56.12'],
      ['192.168.56.13'],
      ['192.168.56.20'],
    ]);
  });
});

describe('3. realise resumes after an interruption', () => {
  it('opens a disk file left by an interrupted run (VERR_ALREADY_EXISTS arrives in the progress)', async () => {
    const fake = await start();
    const leftover = '/home/student/VirtualBox VMs/nestlab/basic/basic-pve1/pve1-root.vdi';
    fake.world.disk.set(leftover, { kind: 'medium', sizeBytes: 32 * 1024 ** 3, complete: true });
    const driver = await driverFor(fake);
    await driver.realise(basicLabTopology(isoPath));
    const pve1 = fake.world.machines.find((m) => m.settings.name === 'basic-pve1')!;
    const disk = fake.world.media.find((m) => m.id === pve1.settings.attachments[0]!.mediumId)!;
    expect(disk.location).toBe(leftover);
    expect(fake.calls).toContain('IVirtualBox_openMedium');
  });

  it('registers a leftover .vbox again instead of failing in createMachine', async () => {
    const first = await start();
    await (await driverFor(first)).realise(basicLabTopology(isoPath));
    // A VirtualBox that forgot its registrations (or a run stopped before registerMachine) but has the files.
    const second = await start({ disk: new Map(first.world.disk) });
    const driver = await driverFor(second);
    await driver.realise(basicLabTopology(isoPath));
    expect(second.calls.filter((c) => c === 'IVirtualBox_openMachine')).toHaveLength(4);
    const pve1 = second.world.machines.find((m) => m.settings.name === 'basic-pve1')!;
    expect(pve1.registered).toBe(true);
    expect(pve1.id).toBe(first.world.machines.find((m) => m.settings.name === 'basic-pve1')!.id);
    expect(pve1.settings.attachments).toHaveLength(2);
  });

  it('overwrites a settings file that cannot be opened, deliberately', async () => {
    const fake = await start();
    const file = '/home/student/VirtualBox VMs/nestlab/basic/basic-nas/basic-nas.vbox';
    fake.world.disk.set(file, { kind: 'medium', sizeBytes: 17, complete: false });
    const driver = await driverFor(fake);
    const progress: string[] = [];
    await driver.realise(basicLabTopology(isoPath), {
      progress: { report: (u) => progress.push(u.message) },
    });
    expect(progress).toContain('Replacing the unreadable settings file of nas');
    expect(fake.world.disk.get(file)?.kind).toBe('vbox');
  });

  /** Machines, disks, NICs and consoles as VirtualBox holds them, without ids. */
  function snapshotOf(fake: FakeVboxwebsrv): unknown {
    return fake.world.machines
      .filter((m) => m.registered)
      .map((m) => ({
        name: m.settings.name,
        memory: m.settings.memorySize,
        nested: m.settings.cpuProperties['HWVirt'],
        disks: m.settings.attachments.map((a) => [
          a.port,
          a.type,
          fake.world.media.find((x) => x.id === a.mediumId)?.location,
        ]),
        nics: m.settings.nics
          .slice(0, 2)
          .map((n) => [n.enabled, n.attachmentType, n.hostOnlyInterface, n.promiscModePolicy]),
        serial: m.settings.serials[0],
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  it('finishes the same lab when the app dies at any stage', async () => {
    // One node and the NAS (two disks) cover every kind of stage at half the calls of the whole lab.
    const small = (): TopologySpec => {
      const topology = basicLabTopology(isoPath);
      topology.machines = topology.machines.filter((m) => m.name === 'pve1' || m.name === 'nas');
      return topology;
    };
    const reference = await start();
    const referenceDriver = await driverFor(reference);
    const opening = reference.calls.length;
    await referenceDriver.realise(small());
    const expected = snapshotOf(reference);
    const realiseCalls = reference.calls.slice(opening);
    // The first call of every operation that changes something: each is one stage realise can die in.
    const stages = new Map<string, number>();
    realiseCalls.forEach((op, index) => {
      if (/_(create|register|set|save|lock|attach|open|enable|add|clone)/i.test(op) && !stages.has(op))
        stages.set(op, index);
    });
    expect(stages.size).toBeGreaterThan(15);
    const calls = realiseCalls.length;
    // ...and the middle and the end of the run, where most machines exist already.
    const points = [...new Set([...stages.values(), Math.floor(calls / 2), calls - 2])].sort((a, b) => a - b);

    for (const point of points) {
      const fake = await start();
      const first = await driverFor(fake);
      fake.interruptAt(point + 1);
      await expect(
        first.realise(small()),
        `interrupted at call ${point} (${realiseCalls[point]})`,
      ).rejects.toThrow();
      await first.close().catch(() => undefined);
      fake.resume();
      const again = await driverFor(fake);
      await again.realise(small());
      expect(snapshotOf(fake), `resumed after call ${point} (${realiseCalls[point]})`).toEqual(expected);
      // Nothing orphaned: every disk file belongs to an attached medium, every settings file to a machine.
      const attached = new Set(
        fake.world.machines.flatMap((m) =>
          m.settings.attachments.map((a) => fake.world.media.find((x) => x.id === a.mediumId)?.location),
        ),
      );
      const files = [...fake.world.disk.entries()];
      expect(
        files
          .filter(([, f]) => f.kind === 'medium')
          .map(([p]) => p)
          .filter((p) => !attached.has(p)),
      ).toEqual([]);
      expect(files.filter(([, f]) => f.kind === 'vbox')).toHaveLength(2);
      await fake.close();
      fakes.splice(fakes.indexOf(fake), 1);
    }
  }, 240_000);
});

describe('4. a NAT adapter where the machine needs the internet', () => {
  it('puts NAT after the lab NIC of the NAS and nowhere else', async () => {
    const fake = await start();
    const driver = await driverFor(fake);
    const topology = basicLabTopology(isoPath);
    const nasSpec = topology.machines.find((m) => m.name === 'nas')!;
    nasSpec.internet = true;
    // The NAS's cloud-init network-config finds its NAT NIC by this MAC.
    nasSpec.internetMac = '08:00:27:ab:cd:ef';
    await driver.realise(topology);
    const nas = fake.world.machines.find((m) => m.settings.name === 'basic-nas')!;
    expect(nas.settings.nics.slice(0, 3).map((n) => [n.enabled, n.attachmentType])).toEqual([
      [true, 'HostOnly'],
      [true, 'NAT'],
      [false, 'Null'],
    ]);
    expect(nas.settings.nics[1]!.macAddress).toBe('080027ABCDEF');
    const pve1 = fake.world.machines.find((m) => m.settings.name === 'basic-pve1')!;
    // The fake's fresh machine has NAT on slot 0 (as VirtualBox does); realise replaces it and adds none.
    expect(pve1.settings.nics.filter((n) => n.enabled).map((n) => n.attachmentType)).toEqual(['HostOnly']);
  });

  it('copies a raw cloud image into the NAS disk through a VMDK descriptor, leaving the cache file alone', async () => {
    const raw = path.join(dir, 'debian-13-generic-amd64.raw');
    await writeFile(raw, Buffer.alloc(3 * 1024 * 1024));
    const fake = await start();
    const driver = await driverFor(fake, { resolve: async () => raw });
    const topology = basicLabTopology(isoPath);
    const nas = topology.machines.find((m) => m.name === 'nas')!;
    nas.bootDisk = 'debian-13-generic';
    await driver.realise(topology);
    const machine = fake.world.machines.find((m) => m.settings.name === 'basic-nas')!;
    const system = fake.world.media.find((m) => m.id === machine.settings.attachments[0]!.mediumId)!;
    expect(system).toMatchObject({ format: 'VDI', logicalSize: 8 * 1024 ** 3 });
    expect(fake.calls).toEqual(
      expect.arrayContaining(['IMedium_cloneTo', 'IMedium_resize', 'IMedium_close']),
    );
    // The descriptor was closed after the copy: only the machine's own disks stay registered.
    expect(fake.world.media.some((m) => m.location.endsWith('.vmdk'))).toBe(false);
  });
});

describe('5. smaller real-host failures', () => {
  it('turns a logon fault without text into a clear message', async () => {
    const fake = await start();
    await expect(
      VBoxConnection.open({ url: fake.url, username: 'nestlab', password: 'wrong' }, realClock),
    ).rejects.toMatchObject({
      code: 'auth-failed',
      message: expect.stringMatching(
        /IWebsessionManager_logon: vboxwebsrv refused the user name or password \(VBoxAuthSimple\)/,
      ),
    });
  });

  it('retries the request gSOAP dropped when it closed a keep-alive connection', async () => {
    const fake = await start({ maxRequestsPerConnection: 25 });
    const driver = await driverFor(fake);
    await driver.realise(basicLabTopology(isoPath));
    const connection = (driver as unknown as { connection: VBoxConnection }).connection;
    expect(connection.traffic.retries).toBeGreaterThan(0);
    expect((await driver.listMachines()).map((m) => m.power)).toEqual(['off', 'off', 'off', 'off']);
  });

  it('releases per-operation references, so a long-lived websession does not grow', async () => {
    const fake = await start();
    const driver = await driverFor(fake);
    await driver.realise(basicLabTopology(isoPath));
    const refs = (): number => [...fake.world.sessions.values()].reduce((n, ws) => n + ws.objects.size, 0);
    await driver.powerOn('pve1');
    await driver.powerOff('pve1');
    const before = refs();
    for (let i = 0; i < 5; i++) {
      await driver.powerOn('pve1');
      await driver.setCable('pve1', i % 2 === 0);
      await driver.powerOff('pve1');
    }
    const kinds = (): string[] =>
      [...fake.world.sessions.values()].flatMap((ws) => [...ws.objects.values()].map((o) => o.kind)).sort();
    expect(refs(), kinds().join(',')).toBeLessThanOrEqual(before + 2);
  });

  it('writes a fetched WSDL once per content, in one folder', async () => {
    const text = '<definitions><binding name="vbox"/></definitions>';
    const first = await cacheServerWsdl(text);
    const second = await cacheServerWsdl(text);
    expect(second).toBe(first);
    expect(path.dirname(path.dirname(first))).toBe(wsdlCacheRoot());
    expect(await readdir(path.dirname(first))).toEqual(['vboxweb.wsdl', 'vboxwebService.wsdl']);
  });

  it('calls VirtualBox 8.x an untested version instead of silently treating it as 7.2', () => {
    expect(selectApiFlavor('8_0', '8.0.2')).toBe('7.2');
    expect(untestedVersionWarning('8_0', '8.0.2')).toMatch(/VirtualBox 8\.0\.2 is an untested version/);
    expect(untestedVersionWarning('7_2', '7.2.4')).toBeUndefined();
  });
});
