/**
 * The cluster certificate model through the real client: a joining node gets a certificate from
 * the cluster's CA (one CA file verifies every member), its authkey is replaced (old tickets stop
 * working), pveproxy restarts; a client that pinned the node before sees the pinning failure a
 * real node gives it, while the datacenter's own clients carry on with the new fingerprint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, fetch } from 'undici';
import { PveError } from '../../../../electron/pve/api.ts';
import { httpPveClients, HttpPveApi } from '../../../../electron/pve/http-client.ts';
import { httpClientOf } from '../../../support/sim-http-client.ts';
import { startSimDatacenter, type SimDatacenter } from '../../../../electron/sim/datacenter.ts';

let dc: SimDatacenter;

beforeAll(async () => {
  dc = await startSimDatacenter({
    pveClients: httpPveClients,
    clockMode: { kind: 'fast' },
    rootPassword: 'pw',
  });
});
afterAll(async () => {
  await dc.close();
});

async function status(url: string, ca: string, headers: Record<string, string> = {}): Promise<number> {
  const agent = new Agent({ connect: { ca } });
  try {
    const response = await fetch(`${url}/api2/json/version`, { headers, dispatcher: agent });
    await response.text();
    return response.status;
  } finally {
    await agent.close();
  }
}

describe('cluster certificates', () => {
  it('moves a joining node onto the cluster CA and its authkey', async () => {
    const api = httpClientOf(dc);
    const [node1, node2] = dc.endpoints;
    // Standalone: every node has its own CA, which verifies only its own certificate.
    expect(dc.caPem('node1')).not.toBe(dc.caPem('node2'));
    expect(await status(node2!.url, dc.caPem('node2'), {})).toBe(401);
    await expect(status(node2!.url, dc.caPem('node1'))).rejects.toThrow();

    const before = node2!.fingerprint;
    const pinnedBefore = new HttpPveApi({
      endpoints: dc.endpoints.map((e) => ({ ...e })),
      credentials: { kind: 'password', username: 'root@pam', password: 'pw' },
      clock: dc.clock,
    });
    expect(await pinnedBefore.request({ method: 'GET', path: '/version', node: 'node2' })).toMatchObject({
      release: '9.1',
    });
    // A second client that also talks to node1: node1 (pinned, trusted) will vouch for node2's new certificate.
    const vouched = new HttpPveApi({
      endpoints: dc.endpoints.map((e) => ({ ...e })),
      credentials: { kind: 'password', username: 'root@pam', password: 'pw' },
      clock: dc.clock,
    });
    for (const node of ['node1', 'node2']) await vouched.request({ method: 'GET', path: '/version', node });
    const oldTicket = await api.request<{ ticket: string }>({
      method: 'POST',
      path: '/access/ticket',
      node: 'node2',
      params: { username: 'root@pam', password: 'pw' },
    });
    const oldCookie = { Cookie: `PVEAuthCookie=${encodeURIComponent(oldTicket.ticket)}` };
    expect(await status(node2!.url, dc.caPem('node2'), oldCookie)).toBe(200);

    expect(
      (
        await api.waitForTask(
          await api.request<string>({
            method: 'POST',
            path: '/cluster/config',
            node: 'node1',
            params: { clustername: 'lab' },
          }),
        )
      ).ok,
    ).toBe(true);
    const join = await api.request<string>({
      method: 'POST',
      path: '/cluster/config/join',
      node: 'node2',
      params: { hostname: '192.168.56.11', fingerprint: node1!.fingerprint, password: 'pw' },
    });
    const result = await api.waitForTask(join);
    expect(result.ok).toBe(true);
    const log = await api.request<{ t: string }[]>({
      method: 'GET',
      path: `/nodes/node2/tasks/${encodeURIComponent(join)}/log`,
      node: 'node2',
    });
    expect(log.map((l) => l.t)).toContain(
      'generated new node certificate, restart pveproxy and pvedaemon services',
    );
    expect(log.map((l) => l.t)).toContain("successfully added node 'node2' to cluster.");

    // A new certificate, from the cluster's CA: node1's CA file now verifies node2 as well.
    const after = dc.endpoints.find((e) => e.name === 'node2')!.fingerprint;
    expect(after).not.toBe(before);
    expect(dc.caPem('node2')).toBe(dc.caPem('node1'));
    expect(await status(node2!.url, dc.caPem('node1'))).toBe(401);
    const nodes = await api.request<{ node: string; ssl_fingerprint: string }[]>({
      method: 'GET',
      path: '/nodes',
      node: 'node1',
    });
    expect(nodes.find((n) => n.node === 'node2')?.ssl_fingerprint).toBe(after);
    const joinInfo = await api.request<{ nodelist: { name: string; pve_fp: string }[] }>({
      method: 'GET',
      path: '/cluster/config/join',
      node: 'node1',
    });
    expect(joinInfo.nodelist.find((n) => n.name === 'node2')?.pve_fp).toBe(after);

    // The joined node's old tickets were signed with the authkey it no longer has.
    expect(await status(node2!.url, dc.caPem('node1'), oldCookie)).toBe(401);
    // The datacenter's clients learnt the new fingerprint and log in again.
    expect(await api.request({ method: 'GET', path: '/cluster/status', node: 'node2' })).toHaveLength(3);
    // One that pinned the old certificate and trusts no member is refused, as by a real node after a join.
    const refused = await pinnedBefore
      .request({ method: 'GET', path: '/version', node: 'node2' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PveError);
    expect((refused as PveError).kind).toBe('pinning');
    await pinnedBefore.close();
    // One that trusts a member of the cluster adopts the certificate that member reports for node2.
    expect(await vouched.request({ method: 'GET', path: '/version', node: 'node2' })).toMatchObject({
      release: '9.1',
    });
    expect(vouched.endpoints().find((e) => e.name === 'node2')?.fingerprint).toBe(after);
    await vouched.close();
  });
});
