import { describe, expect, it } from 'vitest';
import { caller, labWorld } from './api/call-route.ts';

describe('guest operations', () => {
  it('a VM whose disk is on local-lvm cannot start on another node (the real LVM error)', () => {
    const api = caller(labWorld({ initial: 'cluster' }));
    api.waitTask(api.call('POST', '/nodes/pve2/qemu', 'pve1', { vmid: 100, scsi0: 'local-lvm:2' }));
    // Move only the config, as HA recovery does (steal_service), then try to start it.
    api.world.core.state.guests['100']!.node = 'pve3';
    const upid = api.call('POST', '/nodes/pve3/qemu/100/status/start', 'pve1');
    expect(api.waitTask(upid)).toBe(
      `activating LV 'pve/vm-100-disk-0' failed:   Failed to find logical volume "pve/vm-100-disk-0"`,
    );
  });

  it('offline migration carries local disks along; live migration needs with-local-disks', () => {
    const api = caller(labWorld({ initial: 'cluster' }));
    api.waitTask(api.call('POST', '/nodes/pve2/qemu', 'pve1', { vmid: 100, scsi0: 'local-lvm:2' }));
    expect(api.waitTask(api.call('POST', '/nodes/pve2/qemu/100/migrate', 'pve1', { target: 'pve3' }))).toBe(
      'OK',
    );
    expect(api.call('GET', '/nodes/pve3/storage/local-lvm/content', 'pve3')).toEqual([
      expect.objectContaining({ volid: 'local-lvm:vm-100-disk-0', vmid: 100 }),
    ]);
    expect(api.waitTask(api.call('POST', '/nodes/pve3/qemu/100/status/start', 'pve1'))).toBe('OK');
    expect(() =>
      api.call('POST', '/nodes/pve3/qemu/100/migrate', 'pve1', { target: 'pve1', online: true }),
    ).toThrow("can't live migrate attached local disks without with-local-disks option");
  });

  it('an ACPI shutdown without a booted OS times out; forceStop stops it anyway', () => {
    const api = caller(labWorld({ initial: 'cluster' }));
    api.waitTask(api.call('POST', '/nodes/pve1/qemu', 'pve1', { vmid: 100, scsi0: 'nas:1' }));
    api.waitTask(api.call('POST', '/nodes/pve1/qemu/100/status/start', 'pve1'));
    expect(
      api.waitTask(api.call('POST', '/nodes/pve1/qemu/100/status/shutdown', 'pve1', { timeout: 10 })),
    ).toBe('VM quit/powerdown failed - got timeout');
    expect(api.world.guestLocation(100)!.running).toBe(true);
    expect(
      api.waitTask(
        api.call('POST', '/nodes/pve1/qemu/100/status/shutdown', 'pve1', { timeout: 10, forceStop: true }),
      ),
    ).toBe('OK');
    expect(api.world.guestLocation(100)!.running).toBe(false);
  });

  it('a hard power-off kills the guests and their running tasks', () => {
    const api = caller(labWorld({ initial: 'cluster' }));
    api.waitTask(api.call('POST', '/nodes/pve2/qemu', 'pve1', { vmid: 100, scsi0: 'nas:1' }));
    api.waitTask(api.call('POST', '/nodes/pve2/qemu/100/status/start', 'pve1'));
    const migrate = String(
      api.call('POST', '/nodes/pve2/qemu/100/migrate', 'pve1', { target: 'pve3', online: true }),
    );
    api.world.powerOff('pve2');
    expect(api.world.guestLocation(100)).toEqual({ node: 'pve2', running: false });
    const task = api.world.core.state.tasks.pve2!.find((t) => t.upid === migrate)!;
    expect([task.status, task.exitstatus]).toEqual(['stopped', 'unexpected status']);
    api.world.runFor(30_000);
    expect(api.world.guestLocation(100)!.node).toBe('pve2');
  });
});

describe('node hardware', () => {
  it('boots in about 40 s; the API answers only when up and cabled', () => {
    const api = caller(labWorld({ initial: 'cluster' }));
    api.world.powerOff('pve3');
    expect(api.world.apiAvailable('pve3')).toBe(false);
    api.world.powerOn('pve3');
    api.world.runFor(39_000);
    expect(api.world.machineState('pve3')).toEqual({ power: 'on', cable: true, phase: 'booting' });
    expect(api.world.apiAvailable('pve3')).toBe(false);
    api.world.runFor(2_000);
    expect(api.world.apiAvailable('pve3')).toBe(true);
    api.world.setCable('pve3', false);
    expect(api.world.apiAvailable('pve3')).toBe(false);
  });

  it('a clean shutdown stops guests first, then powers off; reboot comes back', () => {
    const api = caller(labWorld({ initial: 'cluster' }));
    api.waitTask(api.call('POST', '/nodes/pve2/qemu', 'pve1', { vmid: 100, scsi0: 'nas:1' }));
    api.waitTask(api.call('POST', '/nodes/pve2/qemu/100/status/start', 'pve1'));
    api.world.shutdown('pve2');
    expect(api.world.machineState('pve2').phase).toBe('shutting-down');
    api.world.runFor(20_000);
    expect(api.world.machineState('pve2').power).toBe('off');
    expect(api.world.guestLocation(100)!.running).toBe(false);
    api.world.powerOn('pve2');
    api.world.runFor(45_000);
    api.world.reboot('pve2');
    api.world.runFor(60_000);
    expect(api.world.machineState('pve2')).toMatchObject({ power: 'on', phase: 'up' });
  });
});
