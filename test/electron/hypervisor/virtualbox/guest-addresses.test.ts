import { afterEach, describe, expect, it } from 'vitest';
import { realClock } from '../../../../electron/clock/clock.ts';
import type { TopologySpec } from '../../../../electron/hypervisor/driver.ts';
import { colonMac } from '../../../../electron/hypervisor/virtualbox/guest-addresses.ts';
import { VBoxConnection } from '../../../../electron/hypervisor/virtualbox/vbox-connection.ts';
import { VirtualBoxDriver } from '../../../../electron/hypervisor/virtualbox/virtualbox-driver.ts';
import {
  startFakeVboxwebsrv,
  type FakeVboxwebsrv,
} from '../../../support/fake-vboxwebsrv/fake-vboxwebsrv.ts';

const topology: TopologySpec = {
  lab: 'dhcp',
  networks: [{ name: 'lab', cidr: '192.168.56.1/24' }],
  machines: [
    {
      name: 'leased',
      kind: 'nfs',
      memoryMiB: 256,
      cpus: 1,
      nestedVirtualization: false,
      disks: [],
      nics: [{ network: 'lab', mac: '08:00:27:00:00:31' }],
    },
    {
      name: 'static',
      kind: 'nfs',
      memoryMiB: 256,
      cpus: 1,
      nestedVirtualization: false,
      disks: [],
      nics: [{ network: 'lab', address: '192.168.56.40/24' }],
    },
    {
      name: 'silent',
      kind: 'nfs',
      memoryMiB: 256,
      cpus: 1,
      nestedVirtualization: false,
      disks: [],
      nics: [{ network: 'lab' }],
    },
  ],
};

describe('guest addresses', () => {
  let fake: FakeVboxwebsrv | undefined;
  afterEach(async () => fake?.close());

  it('writes MACs the way VirtualBox prints leases', () => {
    expect(colonMac('080027AB12CD')).toBe('08:00:27:ab:12:cd');
  });

  it('falls back from Guest Additions to DHCP leases to the static address', async () => {
    fake = await startFakeVboxwebsrv({
      apiVersion: '7_0',
      dhcpLeases: { 'HostInterfaceNetworking-vboxnet0': { '08:00:27:00:00:31': '192.168.56.101' } },
    });
    const connection = await VBoxConnection.open(
      { url: fake.url, username: 'nestlab', password: 'secret' },
      realClock,
    );
    const driver = new VirtualBoxDriver({ connection, clock: realClock, runDir: '/tmp', platform: 'linux' });
    await driver.realise(topology);
    expect(await driver.guestAddresses('leased')).toEqual(['192.168.56.101']);
    expect(await driver.guestAddresses('static')).toEqual(['192.168.56.40']);
    expect(await driver.guestAddresses('silent')).toEqual([]);
    await driver.close();
  });
});
