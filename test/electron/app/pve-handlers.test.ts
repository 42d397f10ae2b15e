/**
 * The Datacenter view's calls through the contract's router, against the embedded simulator's
 * HTTPS nodes: the view's own action functions build the cluster, Proxmox's errors arrive in its
 * own words, and a chunked upload lands on the storage.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApp, type App } from '../../../electron/app/create-app.ts';
import { silentLogger } from '../../../electron/app/deps.ts';
import {
  clusterStatus,
  createCluster,
  joinCluster,
  joinInformation,
  storageContent,
  addNfsStorage,
  scanNfs,
  taskStatus,
  type PveCall,
} from '../../../electron/contract/datacenter-actions.ts';
import { createRouter, type Router } from '../../../electron/ipc/router.ts';

const labsDir = fileURLToPath(new URL('../../../labs', import.meta.url));

describe('pve.* handlers (Datacenter view → open lab → simulator)', () => {
  let dataDir: string;
  let app: App;
  let router: Router;
  let call: PveCall;

  const invoke = async (method: string, params: unknown): Promise<unknown> => {
    const outcome = await router.dispatch(method, params);
    if ('error' in outcome) throw Object.assign(new Error(outcome.error.message), outcome.error);
    return outcome.result;
  };
  const finished = async (upid: string): Promise<string> => {
    for (;;) {
      const status = await taskStatus(call, upid);
      if (status.status === 'stopped') return status.exitstatus ?? '';
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'nestlab-pve-handlers-'));
    app = await createApp({ shell: 'browser', dataDir, labsDir, log: silentLogger });
    router = createRouter(app.handlers);
    call = (method, path, params, node) =>
      invoke('pve.call', { method, path, ...(params ? { params } : {}), ...(node ? { node } : {}) });
  });
  afterAll(async () => {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses calls while no lab is open, and malformed paths always', async () => {
    await expect(call('GET', '/version')).rejects.toMatchObject({ code: 'conflict' });
    await expect(invoke('pve.call', { method: 'GET', path: '/nodes/../etc' })).rejects.toMatchObject({
      code: 'bad-request',
    });
    await expect(invoke('pve.call', { method: 'GET', path: '/version?x=1' })).rejects.toMatchObject({
      code: 'bad-request',
    });
  });

  it('tells the view the nodes and the lab root password', async () => {
    await invoke('lab.open', { labId: 'proxmox-ha-basics' });
    await invoke('sim.setSpeed', { speed: 'max' });
    const info = (await invoke('pve.info', {})) as {
      nodes: { name: string; address: string }[];
      credentials: unknown;
      pveMajor: number;
    };
    expect(info.nodes.map((n) => n.name)).toEqual(['pve1', 'pve2', 'pve3']);
    expect(info.nodes[0]?.address).toBe('192.168.56.11');
    expect(info.credentials).toEqual({ username: 'root', password: 'nestlab-root' });
    expect(info.pveMajor).toBe(9);
    // A simulated node has no web interface of its own to open.
    await expect(invoke('pve.openWebUi', { node: 'pve1' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/simulated/),
    });
  });

  it('creates and joins the cluster with the view’s own call sequences', async () => {
    const created = await createCluster(call, { node: 'pve1', clusterName: 'lab' });
    expect(created.upid).toMatch(/^UPID:pve1:/);
    expect(await finished(created.upid!)).toBe('OK');

    // A second Create Cluster: Proxmox's own refusal, unchanged, with the code that says so.
    await expect(createCluster(call, { node: 'pve1', clusterName: 'lab' })).rejects.toMatchObject({
      code: 'proxmox',
      message: "cluster config '/etc/pve/corosync.conf' already exists",
      details: { call: 'POST /cluster/config', node: 'pve1', status: 500 },
    });

    const { information, details } = await joinInformation(call, { node: 'pve1' });
    expect(details.ipAddress).toBe('192.168.56.11');
    expect(details.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(JSON.parse(Buffer.from(information, 'base64').toString('utf8'))).toMatchObject({
      ipAddress: '192.168.56.11',
    });

    const wrong = await joinCluster(call, { node: 'pve2', information, password: 'not-it' });
    expect(await finished(wrong.upid!)).toMatch(/authentication failure/);

    const joined = await joinCluster(call, { node: 'pve2', information, password: 'nestlab-root' });
    expect(await finished(joined.upid!)).toBe('OK');
    for (;;) {
      const status = await clusterStatus(call, 'pve1');
      if (status.filter((s) => s.type === 'node' && s.online === 1).length === 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it('passes Proxmox’s parameter errors through as code "proxmox"', async () => {
    const failure = await addNfsStorage(call, {
      storage: 'bad id!',
      server: '192.168.56.20',
      export: '/mnt/tank/pve',
      content: ['iso'],
    }).catch((e: unknown) => e as { code: string; message: string });
    expect(failure).toMatchObject({ code: 'proxmox' });
    expect((failure as { message: string }).message).toMatch(/storage/);
  });

  it('lists the NAS exports and uploads a file in chunks onto the new storage', async () => {
    expect((await scanNfs(call, { node: 'pve1', server: '192.168.56.20' })).map((e) => e.path)).toContain(
      '/mnt/tank/pve',
    );
    await addNfsStorage(call, {
      storage: 'nfs-lab',
      server: '192.168.56.20',
      export: '/mnt/tank/pve',
      content: ['images', 'iso'],
    });

    const bytes = Buffer.alloc(700 * 1024, 7);
    const begun = (await invoke('pve.uploadBegin', {
      node: 'pve1',
      storage: 'nfs-lab',
      content: 'iso',
      filename: 'Core-17.1.iso',
      size: bytes.length,
    })) as {
      uploadId: string;
      chunkBytes: number;
    };
    let offset = 0;
    let progress: { received: number; size: number } | undefined;
    while (offset < bytes.length) {
      const piece = bytes.subarray(offset, offset + begun.chunkBytes);
      progress = (await invoke('pve.uploadChunk', {
        uploadId: begun.uploadId,
        offset,
        data: piece.toString('base64'),
      })) as typeof progress;
      offset += piece.length;
    }
    expect(progress).toEqual({ uploadId: begun.uploadId, received: bytes.length, size: bytes.length });
    const { upid } = (await invoke('pve.uploadFinish', { uploadId: begun.uploadId })) as { upid: string };
    expect(await finished(upid)).toBe('OK');
    const isos = await storageContent(call, { node: 'pve2', storage: 'nfs-lab', content: 'iso' });
    expect(isos.find((v) => v.volid === 'nfs-lab:iso/Core-17.1.iso')?.size).toBe(bytes.length);
  });

  it('refuses an out-of-order chunk', async () => {
    const begun = (await invoke('pve.uploadBegin', {
      node: 'pve1',
      storage: 'local',
      content: 'iso',
      filename: 'x.iso',
      size: 10,
    })) as { uploadId: string };
    await expect(
      invoke('pve.uploadChunk', { uploadId: begun.uploadId, offset: 5, data: 'AAAA' }),
    ).rejects.toMatchObject({
      code: 'bad-request',
      message: expect.stringMatching(/expected byte 0/),
    });
    await invoke('pve.uploadCancel', { uploadId: begun.uploadId });
    await expect(invoke('pve.uploadFinish', { uploadId: begun.uploadId })).rejects.toMatchObject({
      code: 'not-found',
    });
  });
});
