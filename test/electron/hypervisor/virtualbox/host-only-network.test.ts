import { afterEach, describe, expect, it } from 'vitest';
import { realClock } from '../../../../electron/clock/clock.ts';
import { VBoxConnection } from '../../../../electron/hypervisor/virtualbox/vbox-connection.ts';
import { VirtualBoxDriver } from '../../../../electron/hypervisor/virtualbox/virtualbox-driver.ts';
import {
  startFakeVboxwebsrv,
  type FakeVboxwebsrv,
} from '../../../support/fake-vboxwebsrv/fake-vboxwebsrv.ts';
import { basicLabTopology } from './basic-lab-topology.ts';

describe('host-only network per host OS', () => {
  let fake: FakeVboxwebsrv | undefined;
  afterEach(async () => fake?.close());

  it('uses a VirtualBox 7 host-only network on macOS and attaches the NICs to it', async () => {
    fake = await startFakeVboxwebsrv({ apiVersion: '7_1', hostOs: 'Darwin' });
    const connection = await VBoxConnection.open(
      { url: fake.url, username: 'nestlab', password: 'secret' },
      realClock,
    );
    const driver = new VirtualBoxDriver({
      connection,
      clock: realClock,
      runDir: '/tmp/n',
      platform: 'darwin',
    });
    await driver.realise(basicLabTopology(''));
    await driver.realise(basicLabTopology(''));
    expect(fake.world.hostOnlyNetworks).toEqual([
      expect.objectContaining({
        name: 'nestlab-basic-lab',
        networkMask: '255.255.255.0',
        // The host takes the lowest address of the range: .1, the gateway the labs give their guests.
        lowerIP: '192.168.56.1',
        upperIP: '192.168.56.254',
        enabled: true,
      }),
    ]);
    expect(fake.world.hostInterfaces).toEqual([]);
    const nas = fake.world.machines.find((m) => m.settings.name === 'basic-nas')!;
    expect(nas.settings.nics[0]).toMatchObject({
      attachmentType: 'HostOnlyNetwork',
      hostOnlyNetwork: 'nestlab-basic-lab',
    });
    await driver.close();
  });

  it("reuses the Windows installer's adapter when it already has the lab address", async () => {
    fake = await startFakeVboxwebsrv({ apiVersion: '7_0', hostOs: 'Windows 11' });
    fake.world.hostInterfaces.push({
      kind: 'HostInterface',
      id: 'x',
      name: 'VirtualBox Host-Only Ethernet Adapter',
      ipAddress: '192.168.56.1',
      networkMask: '255.255.255.0',
    });
    const connection = await VBoxConnection.open(
      { url: fake.url, username: 'nestlab', password: 'secret' },
      realClock,
    );
    const driver = new VirtualBoxDriver({
      connection,
      clock: realClock,
      runDir: 'C:\\run',
      platform: 'win32',
    });
    await driver.realise(basicLabTopology(''));
    expect(fake.world.hostInterfaces).toHaveLength(1);
    const pve2 = fake.world.machines.find((m) => m.settings.name === 'basic-pve2')!;
    expect(pve2.settings.nics[0]!.hostOnlyInterface).toBe('VirtualBox Host-Only Ethernet Adapter');
    expect(pve2.settings.serials[0]!.path).toBe('\\\\.\\pipe\\nestlab-basic-pve2');
    await driver.close();
  });
});
