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

function formed() {
  const api = caller(labWorld({ initial: 'cluster' }));
  api.call('POST', '/storage', 'pve1', {
    storage: 'tank',
    type: 'nfs',
    server: '192.168.56.20',
    export: '/mnt/tank/pve',
    content: 'images,iso',
  });
  return api;
}

describe('storage API', () => {
  it('adds NFS only when the export answers; lists per-node status; uploads ISOs', () => {
    const api = caller(labWorld({ initial: 'cluster' }));
    api.world.powerOff('nas');
    expect(
      apiError(() =>
        api.call('POST', '/storage', 'pve1', {
          storage: 'tank',
          type: 'nfs',
          server: '192.168.56.20',
          export: '/mnt/tank/pve',
        }),
      ).message,
    ).toBe("create storage failed: storage 'tank' is not online");
    api.world.powerOn('nas');
    expect(
      apiError(() =>
        api.call('POST', '/storage', 'pve1', {
          storage: 'tank',
          type: 'nfs',
          server: '192.168.56.20',
          export: '/wrong',
        }),
      ).message,
    ).toContain('access denied by server');
    expect(
      api.call('POST', '/storage', 'pve1', {
        storage: 'tank',
        type: 'nfs',
        server: '192.168.56.20',
        export: '/mnt/tank/pve',
        content: 'images,iso',
      }),
    ).toEqual({ storage: 'tank', type: 'nfs' });
    const list = api.call('GET', '/nodes/pve2/storage', 'pve1') as {
      storage: string;
      active: number;
      shared: number;
    }[];
    // A formed lab cluster comes with the NAS's export as storage 'nas'.
    expect(list.map((s) => s.storage).sort()).toEqual(['local', 'local-lvm', 'nas', 'tank']);
    expect(list.find((s) => s.storage === 'tank')).toMatchObject({ active: 1, shared: 1 });

    const upid = api.call(
      'POST',
      '/nodes/pve1/storage/tank/upload',
      'pve1',
      { content: 'iso' },
      { filename: 'tinycore.iso', size: 25_000_000 },
    );
    expect(api.waitTask(upid)).toBe('OK');
    // Shared storage: every node sees the upload.
    expect(api.call('GET', '/nodes/pve3/storage/tank/content', 'pve3', { content: 'iso' })).toEqual([
      expect.objectContaining({ volid: 'tank:iso/tinycore.iso', format: 'iso', size: 25_000_000 }),
    ]);
    expect(
      apiError(() =>
        api.call(
          'POST',
          '/nodes/pve1/storage/tank/upload',
          'pve1',
          { content: 'iso' },
          { filename: 'x.exe', size: 1 },
        ),
      ).errors,
    ).toEqual({
      filename: 'wrong file extension', // pve-storage API2/Storage/Status.pm, for iso and vztmpl
    });
    api.world.powerOff('nas');
    expect(apiError(() => api.call('GET', '/nodes/pve1/storage/tank/content', 'pve1')).message).toBe(
      "storage 'tank' is not online",
    );
    expect(
      (api.call('GET', '/nodes/pve1/storage', 'pve1') as { storage: string; active: number }[]).find(
        (s) => s.storage === 'tank',
      )!.active,
    ).toBe(0);
  });
});

describe('NFS scan and download-url', () => {
  it('scans the NAS exports and downloads an ISO onto shared storage', () => {
    const api = formed();
    expect(api.call('GET', '/nodes/pve1/scan/nfs', 'pve1', { server: '192.168.56.20' })).toEqual([
      { path: '/mnt/tank/pve', options: '192.168.56.0/24' },
    ]);
    const upid = api.call('POST', '/nodes/pve1/storage/tank/download-url', 'pve1', {
      url: 'http://tinycorelinux.net/17.x/x86/release/Core-17.1.iso',
      content: 'iso',
      filename: 'Core-17.1.iso',
    });
    expect(String(upid)).toContain(':download:Core-17.1.iso:root@pam:');
    expect(api.waitTask(upid)).toBe('OK');
    expect(
      (
        api.call('GET', '/nodes/pve2/storage/tank/content', 'pve2', { content: 'iso' }) as { volid: string }[]
      ).map((v) => v.volid),
    ).toEqual(['tank:iso/Core-17.1.iso']);
    api.world.powerOff('nas');
    expect(
      apiError(() => api.call('GET', '/nodes/pve1/scan/nfs', 'pve1', { server: '192.168.56.20' })).message,
    ).toBe("command '/sbin/showmount --no-headers --exports 192.168.56.20' failed: exit code 1");
  });
});

describe('guest API', () => {
  it('creates, starts and reports a VM; the agent answers only once the OS is up', () => {
    const api = formed();
    api.waitTask(
      api.call(
        'POST',
        '/nodes/pve1/storage/tank/upload',
        'pve1',
        { content: 'iso' },
        { filename: 'tc.iso', size: 1000 },
      ),
    );
    expect(
      apiError(() =>
        api.call('POST', '/nodes/pve2/qemu', 'pve1', { vmid: 100, ide2: 'tank:iso/none.iso,media=cdrom' }),
      ).message,
    ).toBe("volume 'tank:iso/none.iso' does not exist");
    const create = api.call('POST', '/nodes/pve2/qemu', 'pve1', {
      vmid: 100,
      name: 'tc',
      memory: '512',
      scsi0: 'tank:2',
      ide2: 'tank:iso/tc.iso,media=cdrom',
      net0: 'virtio,bridge=vmbr0',
      agent: '1',
    });
    expect(api.waitTask(create)).toBe('OK');
    const config = api.call('GET', '/nodes/pve2/qemu/100/config', 'pve1') as Record<string, string>;
    expect(config.scsi0).toBe('tank:100/vm-100-disk-0.raw,size=2G');
    expect(apiError(() => api.call('POST', '/nodes/pve2/qemu', 'pve1', { vmid: 100 })).message).toContain(
      'already exists',
    );

    expect(apiError(() => api.call('POST', '/nodes/pve2/qemu/100/agent/ping', 'pve1')).message).toBe(
      'VM 100 is not running',
    );
    const start = api.call('POST', '/nodes/pve2/qemu/100/status/start', 'pve1');
    expect(String(start)).toContain(':qmstart:100:root@pam:');
    expect(api.waitTask(start)).toBe('OK');
    expect(api.call('GET', '/nodes/pve2/qemu/100/status/current', 'pve1')).toMatchObject({
      status: 'running',
      qmpstatus: 'running',
      ha: { managed: 0 },
    });
    expect(apiError(() => api.call('POST', '/nodes/pve2/qemu/100/agent/ping', 'pve1')).message).toBe(
      'QEMU guest agent is not running',
    );
    api.world.runFor(30_000);
    expect(api.call('POST', '/nodes/pve2/qemu/100/agent/ping', 'pve1')).toEqual({ result: {} });
    expect(
      apiError(() => api.call('POST', '/nodes/pve2/qemu/100/migrate', 'pve1', { target: 'pve3' })).message,
    ).toBe("can't migrate running VM without --online");
    expect(
      api.waitTask(
        api.call('POST', '/nodes/pve2/qemu/100/migrate', 'pve1', { target: 'pve3', online: true }),
      ),
    ).toBe('OK');
    expect(api.world.guestLocation(100)).toEqual({ node: 'pve3', running: true });
    const tasks = api.call('GET', '/nodes/pve2/tasks', 'pve2', { typefilter: 'qmigrate' }) as {
      status: string;
    }[];
    expect(tasks).toEqual([expect.objectContaining({ status: 'OK' })]);
  });

  it('a guest on NFS fails to start while the NAS is off, with the storage error in its task', () => {
    const api = formed();
    api.waitTask(api.call('POST', '/nodes/pve1/qemu', 'pve1', { vmid: 101, scsi0: 'tank:1' }));
    api.world.powerOff('nas');
    const upid = api.call('POST', '/nodes/pve1/qemu/101/status/start', 'pve1');
    expect(api.waitTask(upid)).toBe("storage 'tank' is not online");
    const log = api.call('GET', `/nodes/pve1/tasks/${encodeURIComponent(String(upid))}/log`, 'pve1') as {
      n: number;
      t: string;
    }[];
    expect(log.at(-1)).toEqual({ n: log.length, t: "TASK ERROR: storage 'tank' is not online" });
  });

  it('containers: create from a template, start, list', () => {
    const api = formed();
    expect(
      apiError(() =>
        api.call('POST', '/nodes/pve1/lxc', 'pve1', { vmid: 200, ostemplate: 'local:vztmpl/debian.tar.zst' }),
      ).message,
    ).toContain('does not exist');
    api.waitTask(
      api.call(
        'POST',
        '/nodes/pve1/storage/local/upload',
        'pve1',
        { content: 'vztmpl' },
        { filename: 'debian.tar.zst', size: 100 },
      ),
    );
    api.waitTask(
      api.call('POST', '/nodes/pve1/lxc', 'pve1', {
        vmid: 200,
        ostemplate: 'local:vztmpl/debian.tar.zst',
        rootfs: 'local-lvm:4',
        hostname: 'ct',
      }),
    );
    expect(api.waitTask(api.call('POST', '/nodes/pve1/lxc/200/status/start', 'pve1'))).toBe('OK');
    expect(api.call('GET', '/nodes/pve1/lxc', 'pve1')).toEqual([
      expect.objectContaining({ vmid: 200, status: 'running', type: 'lxc' }),
    ]);
  });
});

describe('HA API', () => {
  it('an HA-managed VM: start/stop/migrate through the guest API only file HA requests', () => {
    const api = formed();
    api.waitTask(api.call('POST', '/nodes/pve2/qemu', 'pve1', { vmid: 100, scsi0: 'tank:1' }));
    expect(api.call('POST', '/cluster/ha/resources', 'pve1', { sid: 'vm:100', state: 'stopped' })).toBeNull();
    expect(apiError(() => api.call('POST', '/cluster/ha/resources', 'pve1', { sid: 'vm:100' })).message).toBe(
      "create resource failed: resource ID 'vm:100' already defined",
    );
    expect(apiError(() => api.call('POST', '/cluster/ha/resources', 'pve1', { sid: 'vm:999' })).message).toBe(
      "resource 'vm:999' does not exist in cluster",
    );
    expect(apiError(() => api.call('DELETE', '/cluster/ha/resources/vm:555', 'pve1')).message).toBe(
      "cannot delete service 'vm:555', not HA managed!",
    );

    const start = api.call('POST', '/nodes/pve2/qemu/100/status/start', 'pve1');
    expect(String(start)).toContain(':hastart:100:');
    expect(api.waitTask(start)).toBe('OK');
    expect(api.world.guestLocation(100)!.running).toBe(false); // the CRM/LRM have not acted yet
    api.world.runFor(30_000);
    expect(api.world.guestLocation(100)!.running).toBe(true);
    const status = api.call('GET', '/cluster/ha/status/current', 'pve1') as Record<string, unknown>[];
    expect(status.find((s) => s.id === 'service:vm:100')).toMatchObject({
      state: 'started',
      crm_state: 'started',
      request_state: 'started',
      node: 'pve2',
    });
    expect(status.find((s) => s.type === 'quorum')).toMatchObject({ quorate: 1 });
    expect(status.find((s) => s.type === 'master')).toBeDefined();

    const migrate = api.call('POST', '/nodes/pve2/qemu/100/migrate', 'pve1', {
      target: 'pve3',
      online: true,
    });
    expect(String(migrate)).toContain(':hamigrate:100:');
    api.world.runFor(40_000);
    expect(api.world.guestLocation(100)).toEqual({ node: 'pve3', running: true });

    const stop = api.call('POST', '/nodes/pve3/qemu/100/status/stop', 'pve1');
    expect(String(stop)).toContain(':hastop:100:');
    api.world.runFor(30_000);
    expect(api.world.guestLocation(100)!.running).toBe(false);
    // Only stored keys: failback left at its default is not written to resources.cfg.
    expect(api.call('GET', '/cluster/ha/resources/vm:100', 'pve1')).toMatchObject({
      sid: 'vm:100',
      type: 'vm',
      state: 'stopped',
    });
    expect(api.call('GET', '/cluster/ha/resources/vm:100', 'pve1')).not.toHaveProperty('failback');
    const ms = api.call('GET', '/cluster/ha/status/manager_status', 'pve1') as {
      manager_status: { service_status: Record<string, { state: string }> };
    };
    expect(ms.manager_status.service_status['vm:100']!.state).toBe('stopped');
  });

  it('PVE 9 refuses HA groups exactly as upstream; rules work', () => {
    const api = formed();
    expect(apiError(() => api.call('GET', '/cluster/ha/groups', 'pve1')).message).toBe(
      'cannot index groups: ha groups have been migrated to rules',
    );
    api.waitTask(api.call('POST', '/nodes/pve1/qemu', 'pve1', { vmid: 100, scsi0: 'tank:1' }));
    const groupError = apiError(() =>
      api.call('POST', '/cluster/ha/resources', 'pve1', { sid: 'vm:100', group: 'g1' }),
    );
    expect([groupError.status, groupError.message]).toEqual([
      500,
      "invalid parameter 'group': ha groups have been migrated to rules",
    ]);
    expect(
      apiError(() =>
        api.call('POST', '/cluster/ha/rules', 'pve1', {
          rule: 'x',
          type: 'node-affinity',
          resources: 'vm:100',
          nodes: 'pve1',
        }),
      ).message,
    ).toBe('create ha rule failed: cannot use unmanaged resource(s) vm:100.');
    api.call('POST', '/cluster/ha/resources', 'pve1', { sid: '100' });
    api.call('POST', '/cluster/ha/rules', 'pve1', {
      rule: 'pref',
      type: 'node-affinity',
      resources: 'vm:100',
      nodes: 'pve2:2,pve3:1',
    });
    expect(api.call('GET', '/cluster/ha/rules', 'pve1')).toEqual([
      expect.objectContaining({
        rule: 'pref',
        type: 'node-affinity',
        resources: 'vm:100',
        nodes: 'pve2:2,pve3:1',
        strict: 0,
      }),
    ]);
    // Failback to the preferred node happens through the CRM.
    api.world.runFor(60_000);
    expect(api.world.guestLocation(100)).toEqual({ node: 'pve2', running: true });
  });

  it('PVE 8 serves groups and has no rules endpoint', () => {
    const api = caller(labWorld({ initial: 'cluster', pveMajor: 8 }));
    api.call('POST', '/cluster/ha/groups', 'pve1', { group: 'g1', nodes: 'pve2:2,pve3', restricted: true });
    expect(api.call('GET', '/cluster/ha/groups', 'pve1')).toEqual([
      expect.objectContaining({ group: 'g1', nodes: 'pve2:2,pve3', restricted: 1, nofailback: 0 }),
    ]);
    expect(apiError(() => api.call('GET', '/cluster/ha/rules', 'pve1')).status).toBe(501);
  });

  it('starting a service in error state is refused until it is disabled', () => {
    const api = formed();
    api.waitTask(api.call('POST', '/nodes/pve1/qemu', 'pve1', { vmid: 100, scsi0: 'tank:1' }));
    api.world.core.state.guests['100']!.inject.startFails = 99;
    api.call('POST', '/cluster/ha/resources', 'pve1', { sid: 'vm:100', max_relocate: 0 });
    api.world.runFor(60_000);
    const st = (api.call('GET', '/cluster/ha/status/current', 'pve1') as Record<string, unknown>[]).find(
      (s) => s.sid === 'vm:100',
    );
    expect(st).toMatchObject({ crm_state: 'error', state: 'error' });
    expect(api.waitTask(api.call('POST', '/nodes/pve1/qemu/100/status/start', 'pve1'))).toBe(
      "service 'vm:100' in error state, must be disabled and fixed first",
    );
    api.call('PUT', '/cluster/ha/resources/vm:100', 'pve1', { state: 'disabled' });
    api.world.runFor(20_000);
    expect(
      (api.call('GET', '/cluster/ha/status/current', 'pve1') as Record<string, unknown>[]).find(
        (s) => s.sid === 'vm:100',
      ),
    ).toMatchObject({
      crm_state: 'stopped',
      state: 'disabled',
    });
  });

  it('node shutdown through the API goes through the HA shutdown policy', () => {
    const api = formed();
    api.waitTask(api.call('POST', '/nodes/pve2/qemu', 'pve1', { vmid: 100, scsi0: 'tank:1' }));
    api.call('POST', '/cluster/ha/resources', 'pve1', { sid: 'vm:100' });
    api.world.runFor(30_000);
    expect(api.call('POST', '/nodes/pve2/status', 'pve1', { command: 'reboot' })).toBeNull();
    api.world.runFor(20_000);
    const st = (api.call('GET', '/cluster/ha/status/current', 'pve1') as Record<string, unknown>[]).find(
      (s) => s.sid === 'vm:100',
    );
    expect(st).toMatchObject({ crm_state: 'freeze' });
    // The LRM stops the guest first (this VM has no OS to answer ACPI: 60 s, then a hard stop).
    api.world.runFor(150_000);
    expect(api.world.guestLocation(100)).toEqual({ node: 'pve2', running: true });
  });
});
