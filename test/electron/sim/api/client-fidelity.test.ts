/**
 * The details real clients (proxmoxer, Ansible's proxmox modules) trip over, through the real
 * HTTP client against the simulator's HTTPS nodes: MACs, the qmconfig task, storage checks before
 * any task, digests, stored-keys-only reads, `/version`'s console, JSON types.
 */
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
  });
  api = httpClientOf(dc); // the formed cluster has the NAS as storage `nas`
});
afterAll(async () => {
  await dc.close();
});

async function createVm(vmid: number, params: Record<string, string> = {}): Promise<void> {
  const upid = await api.request<string>({
    method: 'POST',
    path: '/nodes/node1/qemu',
    params: { vmid, scsi0: 'nas:1', net0: 'virtio,bridge=vmbr0', ...params },
  });
  expect((await api.waitForTask(upid)).ok).toBe(true);
}

type Config = Record<string, string | number>;
const config = (vmid: number): Promise<Config> =>
  api.request<Config>({ method: 'GET', path: `/nodes/node1/qemu/${vmid}/config` });

async function failure(promise: Promise<unknown>): Promise<PveError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PveError);
  return error as PveError;
}

describe('what real clients need from the simulated API', () => {
  it('gives a NIC without a MAC one on create and update, as qemu-server does', async () => {
    await createVm(200, { net1: 'model=e1000,bridge=vmbr0,firewall=1' });
    const created = await config(200);
    expect(created.net0).toMatch(/^virtio=BC:24:11(:[0-9A-F]{2}){3},bridge=vmbr0$/);
    expect(created.net1).toMatch(/^e1000=BC:24:11(:[0-9A-F]{2}){3},bridge=vmbr0,firewall=1$/);
    expect(created.boot).toBe('order=scsi0;net0');
    expect(String(created.meta)).toMatch(/^creation-qemu=[\d.]+,ctime=\d+$/);
    await api.request({
      method: 'PUT',
      path: '/nodes/node1/qemu/200/config',
      params: { net2: 'virtio,bridge=vmbr1', memory: '1024' },
    });
    const updated = await config(200);
    expect(updated.net2).toMatch(/^virtio=BC:24:11(:[0-9A-F]{2}){3},bridge=vmbr1$/);
    expect(updated.net0).toBe(created.net0); // untouched NICs keep their MAC
    // A MAC the client chose is kept.
    await api.request({
      method: 'PUT',
      path: '/nodes/node1/qemu/200/config',
      params: { net3: 'virtio=AA:BB:CC:00:11:22,bridge=vmbr0' },
    });
    expect((await config(200)).net3).toBe('virtio=AA:BB:CC:00:11:22,bridge=vmbr0');
  });

  it('runs POST …/config as a qmconfig task and PUT …/config synchronously', async () => {
    await createVm(201);
    const upid = await api.request<string>({
      method: 'POST',
      path: '/nodes/node1/qemu/201/config',
      params: { cores: 2 },
    });
    expect(upid).toMatch(/^UPID:node1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmconfig:201:root@pam:$/);
    expect((await api.waitForTask(upid)).ok).toBe(true);
    const log = await api.request<{ n: number; t: string }[]>({
      method: 'GET',
      path: `/nodes/node1/tasks/${encodeURIComponent(upid)}/log`,
    });
    expect(log.map((l) => l.t)).toEqual(['update VM 201: -cores 2', 'TASK OK']);
    expect((await config(201)).cores).toBe(2);
    expect(
      await api.request({ method: 'PUT', path: '/nodes/node1/qemu/201/config', params: { cores: 1 } }),
    ).toBeNull();
  });

  it('refuses a VM disk on a storage without images content with 400, before any task', async () => {
    const before = await api.request<unknown[]>({
      method: 'GET',
      path: '/nodes/node1/tasks',
      params: { typefilter: 'qmcreate' },
    });
    const error = await failure(
      api.request({ method: 'POST', path: '/nodes/node1/qemu', params: { vmid: 202, scsi0: 'local:1' } }),
    );
    expect(error.status).toBe(400);
    expect(error.errors).toEqual({ storage: "storage 'local' does not support vm images" });
    const after = await api.request<unknown[]>({
      method: 'GET',
      path: '/nodes/node1/tasks',
      params: { typefilter: 'qmcreate' },
    });
    expect(after.length).toBe(before.length);
    // Any storage with images content works, local-lvm as well as NFS.
    await createVm(203, { scsi0: 'local-lvm:2', scsi1: 'nas:1' });
    expect((await config(203)).scsi0).toBe('local-lvm:vm-203-disk-0,size=2G');
  });

  it('reports a config digest that follows the config, and refuses a stale one', async () => {
    await createVm(204);
    const first = String((await config(204)).digest);
    expect(first).toMatch(/^[0-9a-f]{40}$/);
    expect(String((await config(204)).digest)).toBe(first);
    await api.request({
      method: 'PUT',
      path: '/nodes/node1/qemu/204/config',
      params: { name: 'web', digest: first },
    });
    const second = String((await config(204)).digest);
    expect(second).not.toBe(first);
    const stale = await failure(
      api.request({
        method: 'PUT',
        path: '/nodes/node1/qemu/204/config',
        params: { name: 'db', digest: first },
      }),
    );
    expect(stale.status).toBe(500);
    // qemu-server's own words for a VM config (API2/Qemu.pm update_vm).
    expect(stale.reason).toBe('checksum mismatch (file change by other user?)');
    expect((await config(204)).name).toBe('web');
  });

  it('returns only stored keys from HA resources, with a digest that guards writes', async () => {
    await createVm(205);
    await api.request({ method: 'POST', path: '/cluster/ha/resources', params: { sid: 'vm:205' } });
    const [plain] = await api.request<Record<string, unknown>[]>({
      method: 'GET',
      path: '/cluster/ha/resources',
    });
    expect(Object.keys(plain!).sort()).toEqual(['digest', 'sid', 'type']);
    const digest = String(plain!.digest);
    await api.request({
      method: 'PUT',
      path: '/cluster/ha/resources/vm:205',
      params: { max_restart: 3, digest },
    });
    const changed = await api.request<Record<string, unknown>>({
      method: 'GET',
      path: '/cluster/ha/resources/vm:205',
    });
    expect(changed).toMatchObject({ sid: 'vm:205', type: 'vm', max_restart: 3 });
    expect(changed.digest).not.toBe(digest);
    const stale = await failure(
      api.request({
        method: 'PUT',
        path: '/cluster/ha/resources/vm:205',
        params: { max_restart: 4, digest },
      }),
    );
    expect(stale.reason).toBe('detected modified configuration - file changed by other user? Try again.');
    const storage = await api.request<{ digest: string }>({ method: 'GET', path: '/storage/nas' });
    expect(storage.digest).toMatch(/^[0-9a-f]{40}$/);
  });

  it('reports console in /version only once datacenter.cfg sets it', async () => {
    expect(await api.request({ method: 'GET', path: '/version' })).not.toHaveProperty('console');
    await api.request({ method: 'PUT', path: '/cluster/options', params: { console: 'xtermjs' } });
    expect(await api.request({ method: 'GET', path: '/version' })).toMatchObject({ console: 'xtermjs' });
    await api.request({ method: 'PUT', path: '/cluster/options', params: { delete: 'console' } });
    expect(await api.request({ method: 'GET', path: '/version' })).not.toHaveProperty('console');
  });

  it('encodes types as Perl does: nextid a string, memory integers', async () => {
    const next = await api.request({ method: 'GET', path: '/cluster/nextid' });
    expect(typeof next).toBe('string');
    expect(Number(next)).toBeGreaterThanOrEqual(100);
    await api.waitForTask(
      await api.request<string>({ method: 'POST', path: '/nodes/node1/qemu/201/status/start' }),
    );
    const resources = await api.request<{ type: string; mem?: number; maxmem?: number }[]>({
      method: 'GET',
      path: '/cluster/resources',
    });
    for (const r of resources) {
      if (r.mem !== undefined) expect(Number.isInteger(r.mem)).toBe(true);
      if (r.maxmem !== undefined) expect(Number.isInteger(r.maxmem)).toBe(true);
    }
    const list = await api.request<{ mem: number }[]>({ method: 'GET', path: '/nodes/node1/qemu' });
    for (const vm of list) expect(Number.isInteger(vm.mem)).toBe(true);
  });

  it('answers 501 for paths Proxmox does not have, and says so for ones the simulator does not model', async () => {
    const unknown = await failure(api.request({ method: 'GET', path: '/no/such/path' }));
    expect([unknown.status, unknown.reason]).toEqual([501, "Method 'GET /no/such/path' not implemented"]);
    const unmodelled = await failure(api.request({ method: 'GET', path: '/nodes/node1/apt/update' }));
    expect(unmodelled.status).toBe(501);
    expect(unmodelled.reason).toContain('not modelled by the NestLab simulator');
  });
});
