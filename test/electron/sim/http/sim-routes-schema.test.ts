/**
 * Walks every route the simulator serves: each must exist in the official schema with the same
 * method (for the PVE release it simulates), and what it answers must fit the schema's `returns`.
 */
import { httpPveClients } from '../../../../electron/pve/http-client.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simRoutes } from '../../../../electron/sim/api/index.ts';
import { ApiSchema } from '../../../../electron/sim/http/api-schema.ts';
import { returnShapeProblems } from '../../../../electron/sim/http/returns-shape.ts';
import { startSimDatacenter, type SimDatacenter } from '../../../../electron/sim/datacenter.ts';
import type { PveApi } from '../../../../electron/pve/api.ts';
import { World } from '../../../../electron/sim/world.ts';
import { PveError } from '../../../../electron/pve/api.ts';

describe.each([8, 9] as const)('routes of the PVE %i simulator', (major) => {
  it('all exist in the schema with a matching method', () => {
    const world = new World({
      nodes: [{ name: 'node1', ip: '10.0.0.1' }],
      rootPassword: 'x',
      pveMajor: major,
    });
    const schema = new ApiSchema(major);
    const newest = new ApiSchema(9);
    const routes = simRoutes(world);
    expect(routes.length).toBeGreaterThan(20);
    const missing = routes
      .filter((r) => !newest.endpoint(r.method, r.path))
      .map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
    // Routes of newer releases (e.g. HA rules) may be served, but a PVE 8 node answers them 501.
    const servedHere = routes.filter((r) => schema.endpoint(r.method, r.path));
    expect(servedHere.length).toBeGreaterThan(20);
  });
});

describe('answers of every GET route', () => {
  let dc: SimDatacenter;
  let api: PveApi;
  let upid = '';

  beforeAll(async () => {
    dc = await startSimDatacenter({
      pveClients: httpPveClients,
      initial: { kind: 'cluster' },
      clockMode: { kind: 'fast' },
      rootPassword: 'x',
    });
    api = dc.createClient();
    const create = await api.request<string>({
      method: 'POST',
      path: '/nodes/node1/qemu',
      params: {
        vmid: 100,
        name: 'tiny',
        memory: '512',
        scsi0: 'nas:1,format=qcow2',
        net0: 'virtio,bridge=vmbr0',
      },
    });
    await api.waitForTask(create);
    upid = create;
    const upload = await api.upload!({
      node: 'node1',
      storage: 'local',
      content: 'vztmpl',
      filename: 'alpine.tar.zst',
      file: new Blob([new Uint8Array(4096)]),
    });
    expect((await api.waitForTask(upload)).ok).toBe(true);
    await api.waitForTask(
      await api.request<string>({
        method: 'POST',
        path: '/nodes/node1/lxc',
        params: {
          vmid: 101,
          ostemplate: 'local:vztmpl/alpine.tar.zst',
          hostname: 'ct',
          rootfs: 'local-lvm:1',
        },
      }),
    );
    for (const guest of ['qemu/100', 'lxc/101']) {
      const snap = await api.request<string>({
        method: 'POST',
        path: `/nodes/node1/${guest}/snapshot`,
        params: { snapname: 'snap1' },
      });
      expect((await api.waitForTask(snap)).ok).toBe(true);
    }
    await api.request({ method: 'POST', path: '/access/groups', params: { groupid: 'class' } });
    await api.request({
      method: 'POST',
      path: '/access/users',
      params: { userid: 'student@pve', password: 'student-secret', groups: 'class' },
    });
    await api.request({ method: 'POST', path: '/access/users/student@pve/token/ci', params: {} });
    await api.request({ method: 'POST', path: '/pools', params: { poolid: 'class' } });
    await api.request({ method: 'PUT', path: '/pools/class', params: { vms: '100' } });
    await api.request({
      method: 'PUT',
      path: '/access/acl',
      params: { path: '/pool/class', roles: 'PVEVMAdmin', users: 'student@pve' },
    });
    await api.request({ method: 'POST', path: '/cluster/ha/resources', params: { sid: 'vm:100' } });
    await api.request({
      method: 'POST',
      path: '/cluster/ha/rules',
      params: { rule: 'prefer1', type: 'node-affinity', resources: 'vm:100', nodes: 'node1:2,node2:1' },
    });
  });
  afterAll(async () => {
    await dc.close();
  });

  it('fit the schema returns shape', async () => {
    const schema = new ApiSchema(9);
    const values: Record<string, string> = {
      node: 'node1',
      vmid: '100',
      storage: 'nas',
      sid: 'vm:100',
      rule: 'prefer1',
      upid,
      group: 'nogroup',
      snapname: 'snap1',
      realm: 'pve',
      groupid: 'class',
      roleid: 'PVEVMAdmin',
      poolid: 'class',
      userid: 'student@pve',
      tokenid: 'ci',
      volume: 'nas:100/vm-100-disk-0.qcow2',
    };
    const problems: string[] = [];
    let checked = 0;
    for (const route of simRoutes(dc.world).filter((r) => r.method === 'GET')) {
      const lxc = route.path.startsWith('/nodes/{node}/lxc/');
      const path = route.path.replace(/\{([^}]+)\}/g, (_m, name: string) =>
        encodeURIComponent(name === 'vmid' && lxc ? '101' : (values[name] ?? name)),
      );
      let data: unknown;
      try {
        data = await api.request({ method: 'GET', path });
      } catch (error) {
        // A refusal that is part of the simulated behaviour (e.g. groups on PVE 9) is fine; a crash is not.
        if (
          error instanceof PveError &&
          error.kind === 'http' &&
          error.status !== undefined &&
          error.status < 500 &&
          error.status !== 501
        )
          continue;
        if (error instanceof PveError && error.status === 500 && route.path.startsWith('/cluster/ha/groups'))
          continue;
        problems.push(`GET ${route.path}: ${(error as Error).message}`);
        continue;
      }
      checked++;
      const endpoint = schema.endpoint('GET', route.path)!;
      problems.push(...returnShapeProblems(endpoint.returns, data).map((p) => `GET ${route.path}: ${p}`));
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(15);
  });
});

describe('answers of every route a lab workflow uses, writes included', () => {
  it('fit the schema returns shape', async () => {
    const schema = new ApiSchema(9);
    const problems: string[] = [];
    const used = new Set<string>();
    const dc = await startSimDatacenter({
      pveClients: httpPveClients,
      clockMode: { kind: 'fast' },
      rootPassword: 'pw',
      routes: (world) =>
        simRoutes(world).map((route) => ({
          ...route,
          handle: async (ctx) => {
            const data = await route.handle(ctx);
            used.add(`${route.method} ${route.path}`);
            const returns = schema.endpoint(route.method, route.path)?.returns;
            problems.push(
              ...returnShapeProblems(returns, data).map((p) => `${route.method} ${route.path}: ${p}`),
            );
            return data;
          },
        })),
    });
    try {
      const node1 = dc.openShell('node1');
      const node2 = dc.openShell('node2');
      const steps: [typeof node1, string, string[]?][] = [
        [node1, 'pvecm create lab'],
        [node2, 'pvecm add 192.168.56.11', ['pw', 'yes']],
        [node1, 'pvesm add nfs nas --server 192.168.56.20 --export /mnt/tank/pve --content images,iso'],
        [node1, 'pvesm status'],
        [node1, 'pvesm list nas'],
        [node1, 'qm create 100 --name web --memory 256 --scsi0 nas:1 --net0 virtio,bridge=vmbr0'],
        [node1, 'qm start 100'],
        [node1, 'qm status 100'],
        [node1, 'qm config 100'],
        [node1, 'qm list'],
        [node1, 'qm migrate 100 node2 --online'],
        [node2, 'qm shutdown 100'],
        [node2, 'ha-manager add vm:100'],
        [node2, 'ha-manager rules add node-affinity r1 --resources vm:100 --nodes node1:2,node2:1'],
        [node2, 'ha-manager rules config'],
        [node2, 'ha-manager set vm:100 --max_relocate 2'],
        [node2, 'ha-manager config'],
        [node2, 'ha-manager status --verbose'],
        [node2, 'ha-manager migrate vm:100 node1'],
        [node2, 'ha-manager relocate vm:100 node2'],
        [node2, 'ha-manager rules remove r1'],
        [node2, 'ha-manager remove vm:100'],
        [node2, 'pveversion'],
      ];
      for (const [shell, line, answers] of steps) {
        const result = await shell.run(line, answers ?? []);
        expect({
          line,
          exitCode: result.exitCode,
          output: result.exitCode === 0 ? '' : result.output,
        }).toEqual({
          line,
          exitCode: 0,
          output: '',
        });
      }
    } finally {
      await dc.close();
    }
    expect(problems).toEqual([]);
    expect(used.size).toBeGreaterThan(25);
  });
});
