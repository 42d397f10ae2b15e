import { describe, expect, it } from 'vitest';
import { SimApiError } from '../../../../electron/sim/http/route.ts';
import { caller, labWorld } from './call-route.ts';

function apiError(fn: () => unknown): SimApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SimApiError) return e;
    throw e;
  }
  throw new Error('expected a SimApiError');
}

describe('cluster API: create, join information, join', () => {
  it('forms a 3-node cluster from standalone nodes the way the lab does', () => {
    const api = caller(labWorld());
    expect(api.call('GET', '/version', 'pve1')).toMatchObject({ release: '9.1' });
    // Standalone: only itself, no cluster entry, no join info.
    expect(api.call('GET', '/cluster/status', 'pve1')).toEqual([
      expect.objectContaining({ type: 'node', name: 'pve1', local: 1 }),
    ]);
    expect(apiError(() => api.call('GET', '/cluster/config/join', 'pve1')).message).toBe(
      'node is not in a cluster, no join info available!',
    );

    const upid = api.call('POST', '/cluster/config', 'pve1', { clustername: 'lab' });
    expect(String(upid)).toMatch(
      /^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:clustercreate:lab:root@pam:$/,
    );
    expect(api.waitTask(upid)).toBe('OK');
    expect(
      apiError(() => api.call('POST', '/cluster/config', 'pve1', { clustername: 'lab' })).message,
    ).toContain("cluster config '/etc/pve/corosync.conf' already exists");

    const info = api.call('GET', '/cluster/config/join', 'pve1') as {
      nodelist: { name: string; pve_fp: string; pve_addr: string }[];
    };
    expect(info.nodelist).toEqual([expect.objectContaining({ name: 'pve1', pve_addr: '192.168.56.11' })]);
    const fp = info.nodelist[0]!.pve_fp;
    expect(fp).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    const badPassword = api.call('POST', '/cluster/config/join', 'pve2', {
      hostname: '192.168.56.11',
      fingerprint: fp,
      password: 'nope',
    });
    expect(api.waitTask(badPassword)).toContain('authentication failure');
    const badFp = api.call('POST', '/cluster/config/join', 'pve2', {
      hostname: '192.168.56.11',
      fingerprint: fp.replace(/^../, fp.startsWith('AA') ? 'BB' : 'AA'),
      password: 'secret',
    });
    expect(api.waitTask(badFp)).toContain('fingerprint');

    for (const node of ['pve2', 'pve3']) {
      const join = api.call('POST', '/cluster/config/join', node, {
        hostname: '192.168.56.11',
        fingerprint: fp,
        password: 'secret',
      });
      expect(api.waitTask(join)).toBe('OK');
    }
    api.world.runFor(5000);
    const status = api.call('GET', '/cluster/status', 'pve3') as Record<string, unknown>[];
    expect(status[0]).toMatchObject({ type: 'cluster', name: 'lab', nodes: 3, quorate: 1 });
    expect(status.filter((s) => s.type === 'node' && s.online === 1)).toHaveLength(3);
    expect(
      (api.call('GET', '/cluster/config/nodes', 'pve1') as { node: string }[]).map((n) => n.node),
    ).toEqual(['pve1', 'pve2', 'pve3']);
    expect(api.call('GET', '/nodes', 'pve2')).toHaveLength(3);
  });

  it('standalone nodes have their own storage.cfg: create keeps it, join replaces it', () => {
    const api = caller(labWorld());
    const nfs = (node: string, id: string) =>
      api.call('POST', '/storage', node, {
        storage: id,
        type: 'nfs',
        server: '192.168.56.20',
        export: '/mnt/tank/pve',
      });
    nfs('pve1', 'from-pve1');
    nfs('pve2', 'from-pve2');
    const ids = (node: string) =>
      (api.call('GET', '/storage', node) as { storage: string }[]).map((s) => s.storage).sort();
    expect(ids('pve1')).toEqual(['from-pve1', 'local', 'local-lvm']);
    expect(ids('pve2')).toEqual(['from-pve2', 'local', 'local-lvm']);
    api.waitTask(api.call('POST', '/cluster/config', 'pve1', { clustername: 'lab' }));
    const fp = api.world.nodeFingerprint('pve1');
    api.waitTask(
      api.call('POST', '/cluster/config/join', 'pve2', {
        hostname: 'pve1',
        fingerprint: fp,
        password: 'secret',
      }),
    );
    expect(ids('pve2')).toEqual(['from-pve1', 'local', 'local-lvm']);
  });

  it('a node with guests cannot join', () => {
    const api = caller(labWorld());
    api.waitTask(api.call('POST', '/cluster/config', 'pve1', { clustername: 'lab' }));
    api.waitTask(api.call('POST', '/nodes/pve2/qemu', 'pve2', { vmid: 100, memory: 512 }));
    const fp = api.world.nodeFingerprint('pve1');
    const join = api.call('POST', '/cluster/config/join', 'pve2', {
      hostname: 'pve1',
      fingerprint: fp,
      password: 'secret',
    });
    expect(api.waitTask(join)).toContain('detected the following error(s)');
  });

  it('writes fail without quorum with the real message; reads still work', () => {
    const api = caller(labWorld({ initial: 'cluster' }));
    api.world.powerOff('pve2');
    api.world.powerOff('pve3');
    api.world.runFor(10_000);
    const e = apiError(() => api.call('POST', '/nodes/pve1/qemu', 'pve1', { vmid: 100 }));
    expect(e.message).toBe('cluster not ready - no quorum?');
    expect(
      apiError(() => api.call('POST', '/cluster/ha/resources', 'pve1', { sid: 'vm:100' })).message,
    ).toMatch(/no such VM|no quorum/);
    expect((api.call('GET', '/cluster/status', 'pve1') as Record<string, unknown>[])[0]).toMatchObject({
      quorate: 0,
    });
    const nodes = api.call('GET', '/nodes', 'pve1') as { node: string; status: string }[];
    expect(nodes.find((n) => n.node === 'pve2')!.status).toBe('offline');
  });

  it('pvecm expected 1 then delnode: the recovery trick of the docs', () => {
    const api = caller(labWorld({ initial: 'cluster' }));
    api.world.powerOff('pve2');
    api.world.powerOff('pve3');
    api.world.runFor(10_000);
    expect(apiError(() => api.call('DELETE', '/cluster/config/nodes/pve3', 'pve1')).message).toBe(
      'cluster not ready - no quorum?',
    );
    api.world.setExpectedVotes('pve1', 1);
    expect(apiError(() => api.call('DELETE', '/cluster/config/nodes/pve1', 'pve1')).message).toBe(
      'Cannot delete myself from cluster!',
    );
    expect(api.call('DELETE', '/cluster/config/nodes/pve3', 'pve1')).toBeNull();
    expect(api.call('DELETE', '/cluster/config/nodes/pve2', 'pve1')).toBeNull();
    expect(apiError(() => api.call('DELETE', '/cluster/config/nodes/pve2', 'pve1')).message).toBe(
      'Node/IP: pve2 is not a known host of the cluster.',
    );
    expect((api.call('GET', '/cluster/status', 'pve1') as Record<string, unknown>[])[0]).toMatchObject({
      nodes: 1,
      quorate: 1,
    });
  });

  it('an unknown node in a path is a hostname lookup failure', () => {
    const api = caller(labWorld());
    expect(apiError(() => api.call('GET', '/nodes/pve2/qemu', 'pve1')).message).toContain(
      "hostname lookup 'pve2' failed",
    );
  });

  it('cluster log records HA fencing', () => {
    const api = caller(labWorld({ initial: 'cluster' }));
    api.waitTask(api.call('POST', '/nodes/pve2/qemu', 'pve2', { vmid: 100, scsi0: 'nas:4' }));
    api.call('POST', '/cluster/ha/resources', 'pve1', { sid: 'vm:100' });
    api.world.runFor(60_000);
    api.world.powerOff('pve2');
    api.world.runFor(200_000);
    const log = api.call('GET', '/cluster/log', 'pve1', { max: 50 }) as { msg: string; tag: string }[];
    expect(log.some((e) => e.msg === "fencing: acknowledged - got agent lock for node 'pve2'")).toBe(true);
  });
});
