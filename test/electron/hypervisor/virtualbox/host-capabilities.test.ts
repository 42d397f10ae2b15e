import { afterEach, describe, expect, it } from 'vitest';
import { realClock } from '../../../../electron/clock/clock.ts';
import { readHostCpuVirtualization } from '../../../../electron/hypervisor/virtualbox/host-capabilities.ts';
import { VBoxConnection } from '../../../../electron/hypervisor/virtualbox/vbox-connection.ts';
import { VirtualBoxDriver } from '../../../../electron/hypervisor/virtualbox/virtualbox-driver.ts';
import {
  startFakeVboxwebsrv,
  type FakeVboxwebsrv,
} from '../../../support/fake-vboxwebsrv/fake-vboxwebsrv.ts';
import { basicLabTopology } from './basic-lab-topology.ts';

describe('host capabilities through the web service', () => {
  let fake: FakeVboxwebsrv | undefined;
  afterEach(async () => fake?.close());

  it('reads the CPU features VirtualBox sees and the execution engine of a running VM', async () => {
    fake = await startFakeVboxwebsrv({
      apiVersion: '7_1',
      processorFeatures: {
        HWVirtEx: true,
        NestedPaging: true,
        UnrestrictedGuest: false,
        NestedHWVirt: false,
      },
      executionEngine: 'NativeApi',
    });
    const connection = await VBoxConnection.open(
      { url: fake.url, username: 'nestlab', password: 'secret' },
      realClock,
    );
    expect(await readHostCpuVirtualization(connection)).toEqual({
      hwVirtEx: true,
      nestedPaging: true,
      unrestrictedGuest: false,
      nestedHWVirt: false,
    });
    const driver = new VirtualBoxDriver({ connection, clock: realClock, runDir: '/tmp', platform: 'linux' });
    const topology = basicLabTopology('');
    topology.machines = topology.machines.filter((m) => m.name === 'nas');
    await driver.realise(topology);
    await expect(driver.executionEngine('nas')).rejects.toMatchObject({ code: 'invalid-state' });
    await driver.powerOn('nas');
    expect(await driver.executionEngine('nas')).toBe('NativeApi');
    await driver.close();
  });
});
