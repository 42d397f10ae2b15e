import { describe, expect, it } from 'vitest';
import { HypervisorError, type PowerEvent } from '../../../electron/hypervisor/driver.ts';
import { SimHypervisorDriver } from '../../../electron/sim/hypervisor.ts';
import { World } from '../../../electron/sim/world.ts';

function world(): World {
  return new World({
    nodes: [
      { name: 'pve1', ip: '10.0.0.11' },
      { name: 'pve2', ip: '10.0.0.12' },
      { name: 'pve3', ip: '10.0.0.13' },
    ],
    rootPassword: 'pw',
    nas: { name: 'truenas', ip: '10.0.0.20', exports: ['/mnt/tank'] },
    initial: { kind: 'cluster' },
  });
}

describe('SimHypervisorDriver', () => {
  it('lists machines, pulls the power with a virtual timestamp and reports power events', async () => {
    const w = world();
    const driver = new SimHypervisorDriver(w);
    const events: PowerEvent[] = [];
    driver.onPowerEvent((e) => events.push(e));
    expect((await driver.listMachines()).map((m) => [m.name, m.kind, m.power])).toEqual([
      ['pve1', 'pve', 'running'],
      ['pve2', 'pve', 'running'],
      ['pve3', 'pve', 'running'],
      ['truenas', 'nfs', 'running'],
    ]);
    w.runFor(12_345);
    const { at } = await driver.powerOff('pve2');
    expect(at).toBe(w.clock.now());
    expect(events).toEqual([{ machine: 'pve2', power: 'off', at }]);
    expect((await driver.machine('pve2')).power).toBe('off');
    await driver.powerOn('pve2');
    expect((await driver.machine('pve2')).power).toBe('starting');
    w.runFor(60_000);
    expect((await driver.machine('pve2')).power).toBe('running');
    expect(events.map((e) => e.power)).toEqual(['off', 'starting', 'running']);
    await driver.close();
  });

  it('cables and ACPI shutdown act on the world', async () => {
    const w = world();
    const driver = new SimHypervisorDriver(w);
    await driver.setCable('pve3', false);
    expect((await driver.machine('pve3')).cableConnected).toBe(false);
    expect(w.apiAvailable('pve3')).toBe(false);
    await driver.acpiShutdown('pve1');
    w.runFor(30_000);
    expect((await driver.machine('pve1')).power).toBe('off');
    await expect(driver.acpiShutdown('pve1')).rejects.toMatchObject({ code: 'invalid-state' });
    await expect(driver.machine('nope')).rejects.toBeInstanceOf(HypervisorError);
  });

  it('checkpoints are world snapshots: restore brings back power, cluster and guests', async () => {
    const w = world();
    const driver = new SimHypervisorDriver(w);
    const cp = await driver.takeCheckpoint('formed');
    expect(await driver.listCheckpoints()).toEqual([cp]);
    await driver.powerOff('pve1');
    await driver.powerOff('truenas');
    w.runFor(20_000);
    expect(w.isQuorate('pve2')).toBe(true);
    await driver.restoreCheckpoint(cp.id);
    expect((await driver.machine('pve1')).power).toBe('running');
    expect((await driver.machine('truenas')).power).toBe('running');
    expect(w.quorum('pve2')!.members).toEqual(['pve1', 'pve2', 'pve3']);
    // The restored world keeps running: its HA loops were restored with it.
    w.runFor(20_000);
    expect(w.core.state.nodes.pve1!.crm.state).not.toBe('off');
    await driver.deleteCheckpoint(cp.id);
    await expect(driver.restoreCheckpoint(cp.id)).rejects.toMatchObject({ code: 'not-found' });
  });

  it('refuses top-level guest machines: guests live inside the simulated cluster', async () => {
    const driver = new SimHypervisorDriver(world());
    await expect(
      driver.realise({
        lab: 'x',
        networks: [],
        machines: [
          {
            name: 'tc',
            kind: 'tinycore',
            memoryMiB: 128,
            cpus: 1,
            nestedVirtualization: false,
            disks: [],
            nics: [],
          },
        ],
      }),
    ).rejects.toMatchObject({ code: 'unsupported' });
  });
});
