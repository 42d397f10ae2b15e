/**
 * Users, groups, pools, ACLs and API tokens with real privilege checks, through the real HTTP
 * client: a student with PVEVMAdmin on /pool/<own> manages its own VMs and gets Proxmox's 403 for
 * anyone else's; a privilege-separated token has only what its own ACLs grant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PveError } from '../../../../electron/pve/api.ts';
import { httpPveClients, type HttpPveApi } from '../../../../electron/pve/http-client.ts';
import { httpClientOf } from '../../../support/sim-http-client.ts';
import { startSimDatacenter, type SimDatacenter } from '../../../../electron/sim/datacenter.ts';

let dc: SimDatacenter;
let admin: HttpPveApi;

beforeAll(async () => {
  dc = await startSimDatacenter({
    pveClients: httpPveClients,
    initial: { kind: 'cluster' },
    clockMode: { kind: 'fast' },
    rootPassword: 'pw',
  });
  admin = httpClientOf(dc);
  const put = (path: string, params: Record<string, string | number>): Promise<unknown> =>
    admin.request({ method: 'PUT', path, params });
  const post = (path: string, params: Record<string, string | number>): Promise<unknown> =>
    admin.request({ method: 'POST', path, params });
  await post('/access/groups', { groupid: 'students', comment: 'class 1' });
  for (const name of ['ana', 'ben']) {
    await post('/access/users', { userid: `${name}@pve`, password: `${name}-password`, groups: 'students' });
    await post('/pools', { poolid: name });
    await put('/access/acl', { path: `/pool/${name}`, roles: 'PVEVMAdmin', users: `${name}@pve` });
  }
  await put('/access/acl', { path: '/storage/nas', roles: 'PVEDatastoreUser', groups: 'students' });
  for (const [vmid, pool] of [
    [500, 'ana'],
    [501, 'ben'],
  ] as const) {
    const upid = await post('/nodes/node1/qemu', { vmid, scsi0: 'nas:1', pool });
    expect((await admin.waitForTask(String(upid))).ok).toBe(true);
  }
});
afterAll(async () => {
  await dc.close();
});

const as = (username: string, password: string): HttpPveApi =>
  httpClientOf(dc, { credentials: { kind: 'password', username, password } });

async function refusal(promise: Promise<unknown>): Promise<PveError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PveError);
  return error as PveError;
}

describe('access control', () => {
  it('lists users, groups, domains, roles and ACLs as the API does', async () => {
    const users = await admin.request<{ userid: string; groups?: string }[]>({
      method: 'GET',
      path: '/access/users',
    });
    expect(users.map((u) => u.userid)).toEqual(['ana@pve', 'ben@pve', 'root@pam']);
    expect(users.find((u) => u.userid === 'ana@pve')?.groups).toBe('students');
    expect(await admin.request({ method: 'GET', path: '/access/groups' })).toEqual([
      { groupid: 'students', comment: 'class 1', users: 'ana@pve,ben@pve' },
    ]);
    const domains = await admin.request<{ realm: string }[]>({ method: 'GET', path: '/access/domains' });
    expect(domains.map((d) => d.realm)).toEqual(['pam', 'pve']);
    const roles = await admin.request<{ roleid: string; privs: string }[]>({
      method: 'GET',
      path: '/access/roles',
    });
    expect(roles.find((r) => r.roleid === 'PVEVMAdmin')?.privs.split(',')).toContain('VM.PowerMgmt');
    const acl = await admin.request<{ path: string; ugid: string; roleid: string }[]>({
      method: 'GET',
      path: '/access/acl',
    });
    expect(acl).toContainEqual({
      path: '/pool/ana',
      type: 'user',
      ugid: 'ana@pve',
      roleid: 'PVEVMAdmin',
      propagate: 1,
    });
    expect(await admin.request({ method: 'GET', path: '/pools/ana' })).toMatchObject({
      members: [{ vmid: 500, type: 'qemu' }],
    });
  });

  it('lets a student manage the VMs of its pool and nothing else, with Proxmox 403s', async () => {
    const ana = as('ana@pve', 'ana-password');
    const ticket = await ana.request<{ cap: { vms: Record<string, number> } }>({
      method: 'POST',
      path: '/access/ticket',
      params: { username: 'ana@pve', password: 'ana-password' },
    });
    expect(ticket.cap.vms['VM.PowerMgmt']).toBe(1);
    expect(
      (
        await ana.waitForTask(
          await ana.request<string>({ method: 'POST', path: '/nodes/node1/qemu/500/status/start' }),
        )
      ).ok,
    ).toBe(true);
    const vms = await ana.request<{ vmid: number }[]>({ method: 'GET', path: '/nodes/node1/qemu' });
    expect(vms.map((v) => v.vmid)).toEqual([500]);
    const resources = await ana.request<{ type: string; vmid?: number; pool?: string }[]>({
      method: 'GET',
      path: '/cluster/resources',
      params: { type: 'vm' },
    });
    expect(resources.map((r) => [r.vmid, r.pool])).toEqual([[500, 'ana']]);

    const foreign = await refusal(
      ana.request({ method: 'POST', path: '/nodes/node1/qemu/501/status/start' }),
    );
    expect([foreign.status, foreign.reason]).toEqual([
      403,
      'Permission check failed (/vms/501, VM.PowerMgmt)',
    ]);
    const outside = await refusal(
      ana.request({ method: 'POST', path: '/nodes/node1/qemu', params: { vmid: 502, scsi0: 'nas:1' } }),
    );
    expect(outside.reason).toBe('Permission check failed (/vms/502, VM.Allocate)');
    // Creating inside its own pool works.
    const created = await ana.request<string>({
      method: 'POST',
      path: '/nodes/node1/qemu',
      params: { vmid: 503, scsi0: 'nas:1', pool: 'ana' },
    });
    expect((await ana.waitForTask(created)).ok).toBe(true);
    const ha = await refusal(
      ana.request({ method: 'POST', path: '/cluster/ha/resources', params: { sid: 'vm:500' } }),
    );
    expect(ha.reason).toBe('Permission check failed (/, Sys.Console)');
    const perms = await ana.request<Record<string, Record<string, number>>>({
      method: 'GET',
      path: '/access/permissions',
    });
    expect(perms['/vms/500']?.['VM.PowerMgmt']).toBe(1);
    expect(perms['/vms/501']).toBeUndefined();
    await ana.close();
  });

  it('gives a privilege-separated token only what its own ACLs allow', async () => {
    const ben = as('ben@pve', 'ben-password');
    const created = await ben.request<{ 'full-tokenid': string; value: string; info: { privsep: number } }>({
      method: 'POST',
      path: '/access/users/ben@pve/token/ci',
      params: {},
    });
    expect(created['full-tokenid']).toBe('ben@pve!ci');
    expect(created.info.privsep).toBe(1);
    const token = httpClientOf(dc, {
      credentials: { kind: 'token', tokenId: created['full-tokenid'], secret: created.value },
    });
    const none = await refusal(
      token.request({ method: 'GET', path: '/nodes/node1/qemu/501/status/current' }),
    );
    expect([none.status, none.reason]).toEqual([403, 'Permission check failed (/vms/501, VM.Audit)']);
    await admin.request({
      method: 'PUT',
      path: '/access/acl',
      params: { path: '/vms/501', roles: 'PVEAuditor', tokens: 'ben@pve!ci' },
    });
    expect(
      await token.request({ method: 'GET', path: '/nodes/node1/qemu/501/status/current' }),
    ).toMatchObject({ vmid: 501 });
    // Audit only: the token's ACL caps what the user could do.
    const stop = await refusal(token.request({ method: 'POST', path: '/nodes/node1/qemu/501/status/start' }));
    expect(stop.reason).toBe('Permission check failed (/vms/501, VM.PowerMgmt)');
    // A token of another user, or a wrong secret, does not authenticate.
    const wrong = httpClientOf(dc, {
      credentials: { kind: 'token', tokenId: 'ben@pve!ci', secret: '00000000-0000-0000-0000-000000000000' },
    });
    expect((await refusal(wrong.request({ method: 'GET', path: '/version' }))).status).toBe(401);
    await admin.request({ method: 'DELETE', path: '/access/users/ben@pve/token/ci' });
    expect((await refusal(token.request({ method: 'GET', path: '/version' }))).status).toBe(401);
    await Promise.all([ben.close(), token.close(), wrong.close()]);
  });

  it('refuses a wrong password and a disabled user', async () => {
    const bad = as('ana@pve', 'nope-nope');
    expect((await refusal(bad.request({ method: 'GET', path: '/version' }))).kind).toBe('auth');
    await admin.request({ method: 'PUT', path: '/access/users/ana@pve', params: { enable: 0 } });
    const disabled = as('ana@pve', 'ana-password');
    expect((await refusal(disabled.request({ method: 'GET', path: '/version' }))).kind).toBe('auth');
    await Promise.all([bad.close(), disabled.close()]);
  });
});
