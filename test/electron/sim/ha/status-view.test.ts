import { describe, expect, it } from 'vitest';
import { caller, labWorld } from '../api/call-route.ts';

type Entry = Record<string, unknown>;

describe('HA status views', () => {
  it('shows quorum, master, LRM states and verbose service states as ha-manager does', () => {
    const api = caller(labWorld({ initial: 'cluster' }));
    api.waitTask(api.call('POST', '/nodes/pve2/qemu', 'pve1', { vmid: 100, scsi0: 'nas:1' }));
    api.call('POST', '/cluster/ha/resources', 'pve1', { sid: 'vm:100' });
    let st = api.call('GET', '/cluster/ha/status/current', 'pve1') as Entry[];
    expect(st.find((e) => e.id === 'service:vm:100')).toMatchObject({ state: 'queued', crm_state: 'queued' });
    api.world.runFor(9_000);
    st = api.call('GET', '/cluster/ha/status/current', 'pve1') as Entry[];
    expect(st.find((e) => e.id === 'service:vm:100')).toMatchObject({
      state: 'starting',
      crm_state: 'started',
    });
    api.world.runFor(30_000);
    st = api.call('GET', '/cluster/ha/status/current', 'pve1') as Entry[];
    expect(st.find((e) => e.type === 'quorum')).toMatchObject({ status: 'OK', quorate: 1 });
    expect(String(st.find((e) => e.type === 'master')!.status)).toMatch(
      /^pve1 \(active, \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\)$/,
    );
    expect(String(st.find((e) => e.id === 'lrm:pve2')!.status)).toMatch(/^pve2 \(active, /);
    expect(String(st.find((e) => e.id === 'lrm:pve3')!.status)).toMatch(/^pve3 \(idle, /);
    expect(st.find((e) => e.id === 'service:vm:100')).toMatchObject({
      state: 'started',
      node: 'pve2',
      failback: 1,
    });

    api.world.powerOff('pve2');
    api.world.runFor(45_000);
    st = api.call('GET', '/cluster/ha/status/current', 'pve1') as Entry[];
    expect(String(st.find((e) => e.id === 'lrm:pve2')!.status)).toMatch(/^pve2 \(old timestamp - dead\?, /);
    const ms = api.call('GET', '/cluster/ha/status/manager_status', 'pve1') as {
      manager_status: { node_status: Record<string, string>; master_node: string };
    };
    expect(ms.manager_status).toMatchObject({
      master_node: 'pve1',
      node_status: { pve1: 'online', pve2: 'unknown', pve3: 'online' },
    });

    // Seen from a node without quorum.
    api.world.setCable('pve3', false);
    api.world.runFor(10_000);
    st = api.call('GET', '/cluster/ha/status/current', 'pve3') as Entry[];
    expect(st.find((e) => e.type === 'quorum')).toMatchObject({
      status: "No quorum on node 'pve3'!",
      quorate: 0,
    });
  });

  it('a powered-off node in maintenance stays in maintenance (its lrm_status persists)', () => {
    const api = caller(labWorld({ initial: 'cluster' }));
    api.world.setShutdownPolicy('migrate');
    api.waitTask(api.call('POST', '/nodes/pve2/qemu', 'pve1', { vmid: 100, scsi0: 'nas:1' }));
    api.call('POST', '/cluster/ha/resources', 'pve1', { sid: 'vm:100' });
    api.world.runFor(30_000);
    api.call('POST', '/nodes/pve2/status', 'pve1', { command: 'shutdown' });
    api.world.runFor(120_000);
    expect(api.world.machineState('pve2').power).toBe('off');
    expect(api.world.guestLocation(100)).toEqual({ node: 'pve1', running: true });
    const ms = api.call('GET', '/cluster/ha/status/manager_status', 'pve1') as {
      manager_status: { node_status: Record<string, string> };
    };
    expect(ms.manager_status.node_status.pve2).toBe('maintenance');
  });
});

describe('onboot guests', () => {
  it('pve-guests starts non-HA guests with onboot=1 after a reboot, not the others', () => {
    const api = caller(labWorld({ initial: 'cluster' }));
    api.waitTask(api.call('POST', '/nodes/pve2/qemu', 'pve1', { vmid: 100, scsi0: 'nas:1', onboot: 1 }));
    api.waitTask(api.call('POST', '/nodes/pve2/qemu', 'pve1', { vmid: 101, scsi0: 'nas:1' }));
    api.waitTask(api.call('POST', '/nodes/pve2/qemu/100/status/start', 'pve1'));
    api.waitTask(api.call('POST', '/nodes/pve2/qemu/101/status/start', 'pve1'));
    api.world.reset('pve2');
    api.world.runFor(70_000);
    expect(api.world.guestLocation(100)).toEqual({ node: 'pve2', running: true });
    expect(api.world.guestLocation(101)).toEqual({ node: 'pve2', running: false });
  });
});
