/**
 * Guests and storage beyond the basics, through the real HTTP client against the simulator's
 * HTTPS nodes: snapshots with their task logs, the migration pre-check, resize, reboot/reset/
 * suspend/resume, sendkey, NIC link_down, storage content delete, download-url and streamed upload.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PveError } from '../../../../electron/pve/api.ts';
import { httpPveClients, type HttpPveApi } from '../../../../electron/pve/http-client.ts';
import { httpClientOf } from '../../../support/sim-http-client.ts';
import { startSimDatacenter, type SimDatacenter } from '../../../../electron/sim/datacenter.ts';

let dc: SimDatacenter;
let api: HttpPveApi;

beforeAll(async () => {
  dc = await startSimDatacenter({
    pveClients: httpPveClients,
    initial: { kind: 'cluster' },
    clockMode: { kind: 'fast' },
    rootPassword: 'pw',
    guestBootSeconds: 5,
  });
  api = httpClientOf(dc);
});
afterAll(async () => {
  await dc.close();
});

const get = <T>(path: string, params?: Record<string, string>): Promise<T> =>
  api.request<T>({ method: 'GET', path, ...(params ? { params } : {}) });
const post = (path: string, params: Record<string, string | number> = {}): Promise<string> =>
  api.request<string>({ method: 'POST', path, params });

async function task(
  upid: string | Promise<string>,
): Promise<{ upid: string; ok: boolean; exitstatus: string; log: string[] }> {
  const id = await upid;
  const result = await api.waitForTask(id);
  const node = id.split(':')[1]!;
  const log = await get<{ t: string }[]>(`/nodes/${node}/tasks/${encodeURIComponent(id)}/log`);
  return { ...result, log: log.map((l) => l.t) };
}

async function failure(promise: Promise<unknown>): Promise<PveError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PveError);
  return error as PveError;
}

async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await dc.clock.sleep(1000);
  }
  throw new Error('condition not reached');
}

describe('snapshots', () => {
  it('creates, lists, rolls back and deletes, each as a task with its log', async () => {
    expect(
      (
        await task(
          post('/nodes/node1/qemu', { vmid: 300, scsi0: 'local-lvm:2', net0: 'virtio,bridge=vmbr0' }),
        )
      ).ok,
    ).toBe(true);
    const snap = await task(
      post('/nodes/node1/qemu/300/snapshot', { snapname: 'before', description: 'clean install' }),
    );
    expect(snap.ok).toBe(true);
    expect(
      (
        await api.request<string>({
          method: 'POST',
          path: '/nodes/node1/qemu/300/snapshot',
          params: { snapname: 'x1' },
        })
      ).split(':')[5],
    ).toBe('qmsnapshot');
    expect(snap.log).toContain("snapshotting 'local-lvm:vm-300-disk-0' (local-lvm:vm-300-disk-0)");
    await api.request({ method: 'PUT', path: '/nodes/node1/qemu/300/config', params: { name: 'changed' } });
    const list = await get<{ name: string; parent?: string; description?: string }[]>(
      '/nodes/node1/qemu/300/snapshot',
    );
    expect(list.map((s) => s.name)).toEqual(['before', 'x1', 'current']);
    expect(list.find((s) => s.name === 'current')).toMatchObject({
      parent: 'x1',
      description: 'You are here!',
    });
    expect(await get('/nodes/node1/qemu/300/snapshot/before/config')).toMatchObject({
      description: 'clean install',
    });

    const rollback = await task(post('/nodes/node1/qemu/300/snapshot/before/rollback'));
    expect([rollback.ok, rollback.log.at(-1)]).toEqual([true, 'TASK OK']);
    expect(rollback.upid.split(':')[5]).toBe('qmrollback');
    expect(await get('/nodes/node1/qemu/300/config')).not.toHaveProperty('name');

    const removed = await task(
      api.request<string>({ method: 'DELETE', path: '/nodes/node1/qemu/300/snapshot/x1' }),
    );
    expect(removed.upid.split(':')[5]).toBe('qmdelsnapshot');
    expect(removed.ok).toBe(true);
    expect((await get<{ name: string }[]>('/nodes/node1/qemu/300/snapshot')).map((s) => s.name)).toEqual([
      'before',
      'current',
    ]);
  });

  it('fails the task where the storage cannot snapshot (raw images on NFS)', async () => {
    expect((await task(post('/nodes/node1/qemu', { vmid: 301, scsi0: 'nas:1' }))).ok).toBe(true);
    const snap = await task(post('/nodes/node1/qemu/301/snapshot', { snapname: 's1' }));
    expect([snap.ok, snap.exitstatus]).toEqual([false, 'snapshot feature is not available']);
    const reserved = await failure(post('/nodes/node1/qemu/301/snapshot', { snapname: 'current' }));
    expect(reserved.reason).toBe("unable to use snapshot name 'current' (reserved name)");
  });
});

describe('guest actions', () => {
  it('pre-checks a migration: allowed nodes and local disks', async () => {
    expect(
      (await task(post('/nodes/node1/qemu', { vmid: 310, scsi0: 'local-lvm:1', scsi1: 'nas:1' }))).ok,
    ).toBe(true);
    const check = await get<{ running: number; allowed_nodes: string[]; local_disks: { volid: string }[] }>(
      '/nodes/node1/qemu/310/migrate',
    );
    expect(check.running).toBe(0);
    expect(check.allowed_nodes.sort()).toEqual(['node2', 'node3']);
    expect(check.local_disks.map((d) => d.volid)).toEqual(['local-lvm:vm-310-disk-0']);
    dc.world.setCable('node3', false);
    await until(
      async () =>
        !(await get<{ allowed_nodes: string[] }>('/nodes/node1/qemu/310/migrate')).allowed_nodes.includes(
          'node3',
        ),
    );
    dc.world.setCable('node3', true);
  });

  it('resizes a disk (grow only) as a resize task', async () => {
    const grown = await task(
      api.request<string>({
        method: 'PUT',
        path: '/nodes/node1/qemu/310/resize',
        params: { disk: 'scsi0', size: '+2G' },
      }),
    );
    expect(grown.ok).toBe(true);
    expect((await get<Record<string, string>>('/nodes/node1/qemu/310/config')).scsi0).toBe(
      'local-lvm:vm-310-disk-0,size=3G',
    );
    const shrink = await failure(
      api.request({
        method: 'PUT',
        path: '/nodes/node1/qemu/310/resize',
        params: { disk: 'scsi0', size: '1G' },
      }),
    );
    expect(shrink.reason).toBe('shrinking disks is not supported');
  });

  it('reboots, resets, suspends and resumes a running VM; sendkey needs it running', async () => {
    const stopped = await failure(
      api.request({
        method: 'PUT',
        path: '/nodes/node1/qemu/310/sendkey',
        params: { key: 'ctrl-alt-delete' },
      }),
    );
    expect(stopped.reason).toBe('VM 310 not running');
    expect((await task(post('/nodes/node1/qemu/310/status/start'))).ok).toBe(true);
    expect(
      await api.request({
        method: 'PUT',
        path: '/nodes/node1/qemu/310/sendkey',
        params: { key: 'ctrl-alt-delete' },
      }),
    ).toBeNull();
    const status = (): Promise<{ status: string; qmpstatus: string }> =>
      get('/nodes/node1/qemu/310/status/current');
    for (const [action, type] of [
      ['reboot', 'qmreboot'],
      ['reset', 'qmreset'],
      ['suspend', 'qmpause'],
    ] as const) {
      const done = await task(post(`/nodes/node1/qemu/310/status/${action}`));
      expect([done.upid.split(':')[5], done.ok]).toEqual([type, true]);
    }
    expect(await status()).toMatchObject({ status: 'running', qmpstatus: 'paused' });
    expect(dc.world.guestAnswering(310)).toBe(false);
    const resumed = await task(post('/nodes/node1/qemu/310/status/resume'));
    expect(resumed.upid.split(':')[5]).toBe('qmresume');
    expect(await status()).toMatchObject({ status: 'running', qmpstatus: 'running' });
  });

  it('cuts the guest off its network with link_down=1 on its NIC', async () => {
    expect(
      (await task(post('/nodes/node1/qemu', { vmid: 320, scsi0: 'nas:1', net0: 'virtio,bridge=vmbr0' }))).ok,
    ).toBe(true);
    expect((await task(post('/nodes/node1/qemu/320/status/start'))).ok).toBe(true);
    await until(async () => dc.world.guestAnswering(320));
    const net0 = (await get<Record<string, string>>('/nodes/node1/qemu/320/config')).net0!;
    await api.request({
      method: 'PUT',
      path: '/nodes/node1/qemu/320/config',
      params: { net0: `${net0},link_down=1` },
    });
    expect((await get<Record<string, string>>('/nodes/node1/qemu/320/config')).net0).toBe(
      `${net0},link_down=1`,
    );
    expect(dc.world.guestAnswering(320)).toBe(false);
    await api.request({ method: 'PUT', path: '/nodes/node1/qemu/320/config', params: { net0 } });
    expect(dc.world.guestAnswering(320)).toBe(true);
  });
});

describe('storage content', () => {
  it('deletes a volume as an imgdel task', async () => {
    const upid = await api.uploadFile({
      node: 'node1',
      storage: 'local',
      content: 'iso',
      filename: 'old.iso',
      file: new Blob([new Uint8Array(2048)]),
    });
    expect((await task(upid)).ok).toBe(true);
    const removed = await task(
      api.request<string>({
        method: 'DELETE',
        path: `/nodes/node1/storage/local/content/${encodeURIComponent('local:iso/old.iso')}`,
      }),
    );
    expect(removed.upid).toMatch(/:imgdel:local:root@pam:$/);
    expect(removed.log).toContain("Removed volume 'local:iso/old.iso'");
    const content = await get<{ volid: string }[]>('/nodes/node1/storage/local/content');
    expect(content.map((c) => c.volid)).not.toContain('local:iso/old.iso');
  });

  it('downloads from a URL as a download task', async () => {
    const done = await task(
      post('/nodes/node1/storage/nas/download-url', {
        url: 'https://example.org/tinycore.iso',
        content: 'iso',
        filename: 'tinycore.iso',
      }),
    );
    expect(done.ok).toBe(true);
    expect(done.upid.split(':')[5]).toBe('download');
    const content = await get<{ volid: string }[]>('/nodes/node1/storage/nas/content', { content: 'iso' });
    expect(content.map((c) => c.volid)).toContain('nas:iso/tinycore.iso');
    const wrong = await failure(
      post('/nodes/node1/storage/local-lvm/download-url', {
        url: 'https://x/a.iso',
        content: 'iso',
        filename: 'a.iso',
      }),
    );
    expect(wrong.reason).toBe("cannot download to storage type 'lvmthin'");
  });

  it('uploads a file streamed as multipart, with progress, a verified checksum and its task', async () => {
    const bytes = new Uint8Array(300_000).map((_, i) => i % 251);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const progress: number[] = [];
    let total = 0;
    const upid = await api.uploadFile({
      node: 'node2',
      storage: 'local',
      content: 'iso',
      filename: 'tinycore.iso',
      file: new Blob([bytes]),
      checksum: { algorithm: 'sha256', value: sha256 },
      onProgress: (sent, all) => {
        progress.push(sent);
        total = all;
      },
    });
    const done = await task(upid);
    expect(done.ok).toBe(true);
    expect(done.log).toContain('calculating checksum...OK, checksum verified');
    expect(done.log).toContain('file size is: 300000');
    expect(progress.at(-1)).toBe(total);
    expect(progress.every((n, i) => i === 0 || n >= progress[i - 1]!)).toBe(true);
    const [volume] = await get<{ volid: string; size: number }[]>('/nodes/node2/storage/local/content', {
      content: 'iso',
    });
    expect(volume).toMatchObject({ volid: 'local:iso/tinycore.iso', size: 300_000 });

    const bad = await task(
      api.uploadFile({
        node: 'node2',
        storage: 'local',
        content: 'iso',
        filename: 'bad.iso',
        file: new Blob([bytes]),
        checksum: { algorithm: 'sha256', value: '0'.repeat(64) },
      }),
    );
    expect(bad.ok).toBe(false);
    expect(bad.exitstatus).toBe(`checksum mismatch: got '${sha256}' != expect '${'0'.repeat(64)}'`);
  });

  it('stops an upload when its signal aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await failure(
      api.uploadFile({
        node: 'node1',
        storage: 'local',
        content: 'iso',
        filename: 'a.iso',
        file: new Blob([new Uint8Array(10)]),
        signal: controller.signal,
      }),
    );
    expect(error.kind).toBe('aborted');
  });
});
