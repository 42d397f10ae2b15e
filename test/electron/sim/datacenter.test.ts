import { httpPveClients } from '../../../electron/pve/http-client.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimDatacenter, type SimDatacenter } from '../../../electron/sim/datacenter.ts';
import { PveError } from '../../../electron/pve/api.ts';

let dc: SimDatacenter | undefined;
afterEach(async () => {
  await dc?.close();
  dc = undefined;
});

async function failure(promise: Promise<unknown>): Promise<PveError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PveError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('startSimDatacenter', () => {
  it('serves every node over HTTPS with its own certificate, reported in join information', async () => {
    dc = await startSimDatacenter({
      pveClients: httpPveClients,
      initial: { kind: 'cluster' },
      clockMode: { kind: 'fast' },
      rootPassword: 'pw',
    });
    expect(dc.endpoints.map((e) => e.name)).toEqual(['node1', 'node2', 'node3']);
    expect(new Set(dc.endpoints.map((e) => e.fingerprint)).size).toBe(3);
    const api = dc.createClient();
    const join = await api.request<{ nodelist: { name: string; pve_fp: string }[] }>({
      method: 'GET',
      path: '/cluster/config/join',
    });
    for (const endpoint of dc.endpoints) {
      expect(join.nodelist.find((n) => n.name === endpoint.name)?.pve_fp).toBe(endpoint.fingerprint);
    }
    const ticket = await api.request<{ clustername?: string }>({
      method: 'POST',
      path: '/access/ticket',
      params: { username: 'root@pam', password: 'pw' },
    });
    expect(ticket.clustername).toBe('lab');
  });

  it('generates a random root password unless one is given, and an API token on request', async () => {
    dc = await startSimDatacenter({
      pveClients: httpPveClients,
      clockMode: { kind: 'fast' },
      apiTokenId: 'ci',
    });
    expect(dc.credentials.password.length).toBeGreaterThanOrEqual(12);
    expect(dc.credentials.token?.tokenId).toBe('root@pam!ci');
  });

  it('stops answering on a node that loses power or its cable, and the client moves on', async () => {
    dc = await startSimDatacenter({
      pveClients: httpPveClients,
      initial: { kind: 'cluster' },
      clockMode: { kind: 'fast' },
    });
    const api = dc.createClient();
    await api.request({ method: 'GET', path: '/version' });
    expect(api.currentNode).toBe('node1');

    dc.world.powerOff('node1');
    const dead = await failure(api.request({ method: 'GET', path: '/version', node: 'node1' }));
    expect(dead.kind).toBe('unreachable');
    await api.request({ method: 'GET', path: '/cluster/status' });
    expect(api.currentNode).not.toBe('node1');

    dc.world.setCable('node2', false);
    const unplugged = await failure(api.request({ method: 'GET', path: '/version', node: 'node2' }));
    expect(unplugged.kind).toBe('unreachable');
    await api.request({ method: 'GET', path: '/cluster/status' });
    expect(api.currentNode).toBe('node3');
  });

  it('can leave a dead node silent instead, and the client still moves on', async () => {
    dc = await startSimDatacenter({
      pveClients: httpPveClients,
      initial: { kind: 'cluster' },
      clockMode: { kind: 'fast' },
      deadApi: 'hang',
    });
    const api = dc.createClient({ failoverAfterMs: 200 });
    await api.request({ method: 'GET', path: '/cluster/status' });
    dc.world.powerOff('node1');
    const status = await api.request<{ type: string; name: string; local?: number }[]>({
      method: 'GET',
      path: '/cluster/status',
    });
    expect(api.currentNode).not.toBe('node1');
    expect(status.find((s) => s.type === 'node' && s.local)?.name).toBe(api.currentNode);
    const silent = await failure(
      api.request({ method: 'GET', path: '/version', node: 'node1', timeoutMs: 300 }),
    );
    expect(silent.kind).toBe('timeout');
  });

  it('answers 595 for calls proxied to an unreachable node', async () => {
    dc = await startSimDatacenter({
      pveClients: httpPveClients,
      initial: { kind: 'cluster' },
      clockMode: { kind: 'fast' },
    });
    const api = dc.createClient();
    dc.world.powerOff('node3');
    const error = await failure(api.request({ method: 'GET', path: '/nodes/node3/status', node: 'node1' }));
    expect(error.status).toBe(595);
  });

  it('holds the virtual clock while a call is in flight', async () => {
    dc = await startSimDatacenter({
      pveClients: httpPveClients,
      clockMode: { kind: 'fast' },
      routes: (world) => [
        { method: 'GET', path: '/version', handle: () => ({ holds: world.clock.heldBy(), t: world.now() }) },
      ],
    });
    const api = dc.createClient();
    const reply = await api.request<{ holds: string[] }>({ method: 'GET', path: '/version' });
    expect(reply.holds).toContain('api node1 GET /api2/json/version');
    expect(reply.holds).toContain('pve GET /version');
    expect(dc.clock.heldBy()).toEqual([]);
  });

  it('opens a shell on a node and refuses unknown nodes', async () => {
    dc = await startSimDatacenter({ pveClients: httpPveClients, clockMode: { kind: 'fast' } });
    const shell = dc.openShell('node2');
    expect(shell.prompt).toBe('root@node2:~# ');
    expect(() => dc!.openShell('nodeX')).toThrow("openShell: no node 'nodeX' in this datacenter");
  });
});
