import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, fetch } from 'undici';
import { startTestNodes, type TestNodes } from './test-nodes.ts';

let nodes: TestNodes;
let agent: Agent;

beforeAll(async () => {
  nodes = await startTestNodes(['node1', 'node2']);
  agent = new Agent({ connect: { ca: nodes.servers.map((s) => s.caPem) } });
});
afterAll(async () => {
  await agent.close();
  await nodes.close();
});

async function raw(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string; node?: number } = {},
): Promise<{ status: number; statusText: string; body: { data: unknown; errors?: Record<string, string> } }> {
  const server = nodes.servers[options.node ?? 0]!;
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: options.headers,
    body: options.body,
    dispatcher: agent,
  });
  const text = await response.text();
  // pveproxy answers authentication failures with a status line and no body.
  return {
    status: response.status,
    statusText: response.statusText,
    body: (text === '' ? null : JSON.parse(text)) as never,
  };
}

async function login(): Promise<{ cookie: string; csrf: string }> {
  const reply = await raw('POST', '/api2/json/access/ticket', {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'username=root%40pam&password=secret',
  });
  expect(reply.status).toBe(200);
  const data = reply.body.data as { ticket: string; CSRFPreventionToken: string; username: string };
  expect(data.username).toBe('root@pam');
  expect(data.ticket).toMatch(/^PVE:root@pam:[0-9A-F]{8}::/);
  expect(data.CSRFPreventionToken).toMatch(/^[0-9A-F]{8}:/);
  return { cookie: `PVEAuthCookie=${encodeURIComponent(data.ticket)}`, csrf: data.CSRFPreventionToken };
}

describe('node API server', () => {
  it('presents a self-signed certificate whose SHA-256 fingerprint it reports', () => {
    for (const server of nodes.servers) {
      expect(server.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    }
    expect(nodes.servers[0]!.fingerprint).not.toBe(nodes.servers[1]!.fingerprint);
  });

  it('refuses calls without a ticket, with a forged ticket, and a wrong password', async () => {
    const none = await raw('GET', '/api2/json/version');
    expect(none.status).toBe(401);
    expect(none.statusText).toBe('No ticket');
    const forged = await raw('GET', '/api2/json/version', {
      headers: { Cookie: 'PVEAuthCookie=PVE:root@pam:6560A1B2::AAAA' },
    });
    expect(forged.status).toBe(401);
    expect(forged.statusText).toBe('Authentication failed!');
    expect(forged.body).toBeNull();
    const wrong = await raw('POST', '/api2/json/access/ticket', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'root@pam', password: 'nope' }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.statusText).toBe('authentication failure');
  });

  it('answers GETs with a ticket cookie, in the data envelope', async () => {
    const { cookie } = await login();
    const reply = await raw('GET', '/api2/json/version', { headers: { Cookie: cookie } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ data: { version: '9.1.3', release: '9.1', repoid: 'e5010dce' } });
  });

  it('requires the CSRF prevention token on writes', async () => {
    const { cookie, csrf } = await login();
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const missing = await raw('POST', '/api2/json/cluster/config', {
      headers: { ...form, Cookie: cookie },
      body: 'clustername=lab',
    });
    expect(missing.status).toBe(401);
    expect(missing.statusText).toBe('Permission denied - invalid csrf token');
    const bad = await raw('POST', '/api2/json/cluster/config', {
      headers: { ...form, Cookie: cookie, CSRFPreventionToken: `${csrf.split(':')[0]}:forged` },
      body: 'clustername=lab',
    });
    expect(bad.status).toBe(401);
    const good = await raw('POST', '/api2/json/cluster/config', {
      headers: { ...form, Cookie: cookie, CSRFPreventionToken: csrf },
      body: 'clustername=lab',
    });
    expect(good.status).toBe(200);
    expect(good.body.data).toMatch(/^UPID:node1:.*:clustercreate:lab:root@pam:$/);
  });

  it('accepts API tokens without CSRF and rejects a wrong secret', async () => {
    const token = nodes.auth.addToken('lab');
    const ok = await raw('POST', '/api2/json/cluster/ha/resources', {
      headers: {
        Authorization: `PVEAPIToken=${token.tokenId}=${token.secret}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ sid: 'vm:100', max_restart: '2', failback: 'false' }),
    });
    expect(ok.status).toBe(200);
    const call = nodes.calls.at(-1)!;
    expect(call.user).toBe('root@pam!lab');
    expect(call.params).toEqual({ sid: 'vm:100', max_restart: 2, failback: false });
    const bad = await raw('GET', '/api2/json/version', {
      headers: { Authorization: `PVEAPIToken=${token.tokenId}=00000000-0000-0000-0000-000000000000` },
    });
    expect(bad.status).toBe(401);
    expect(bad.statusText).toBe('Authentication failed!');
  });

  it('keeps cluster formation to a real root@pam session, as PVE does for tokens', async () => {
    const token = nodes.auth.addToken('ci');
    const reply = await raw('POST', '/api2/json/cluster/config', {
      headers: {
        Authorization: `PVEAPIToken=${token.tokenId}=${token.secret}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'clustername=lab',
    });
    expect(reply.status).toBe(403);
    expect(reply.statusText).toBe('Permission check failed (user != root@pam)');
  });

  it('answers 501 for paths and methods it does not serve', async () => {
    const { cookie, csrf } = await login();
    const unknown = await raw('GET', '/api2/json/foo', { headers: { Cookie: cookie } });
    expect(unknown.status).toBe(501);
    expect(unknown.statusText).toBe("Method 'GET /foo' not implemented");
    const wrongMethod = await raw('DELETE', '/api2/json/version', {
      headers: { Cookie: cookie, CSRFPreventionToken: csrf },
    });
    expect(wrongMethod.status).toBe(501);
    expect(wrongMethod.statusText).toBe("Method 'DELETE /version' not implemented");
  });

  it('validates parameters against the schema with PVE wording', async () => {
    const { cookie, csrf } = await login();
    const headers = {
      Cookie: cookie,
      CSRFPreventionToken: csrf,
      'Content-Type': 'application/x-www-form-urlencoded',
    };
    const reply = await raw('POST', '/api2/json/cluster/ha/resources', {
      headers,
      body: 'sid=vm%3A100&state=running&max_restart=-1&bogus=1&max_relocate=x',
    });
    expect(reply.status).toBe(400);
    expect(reply.statusText).toBe('Parameter verification failed.');
    expect(reply.body.errors).toEqual({
      state:
        "value 'running' does not have a value in the enumeration 'started, stopped, enabled, disabled, ignored'",
      max_restart: 'value must have a minimum value of 0',
      max_relocate: "type check ('integer') failed - got 'x'",
      bogus: 'property is not defined in schema and the schema does not allow additional properties',
    });
    const missing = await raw('POST', '/api2/json/cluster/ha/resources', { headers, body: '' });
    expect(missing.body.errors).toEqual({ sid: 'property is missing and it is not optional' });
    const tooLong = await raw('POST', '/api2/json/cluster/config', {
      headers,
      body: 'clustername=averyveryverylongname',
    });
    expect(tooLong.body.errors).toEqual({ clustername: 'value may only be 15 characters long' });
    const vmid = await raw('GET', '/api2/json/nodes/node1/qemu/42/status/current', {
      headers: { Cookie: cookie },
    });
    expect(vmid.status).toBe(400);
    expect(vmid.body.errors).toEqual({ vmid: 'value must have a minimum value of 100' });
  });

  it('checks property strings key by key', async () => {
    const { cookie, csrf } = await login();
    const headers = {
      Cookie: cookie,
      CSRFPreventionToken: csrf,
      'Content-Type': 'application/x-www-form-urlencoded',
    };
    const good = await raw('POST', '/api2/json/nodes/node1/qemu', {
      headers,
      body: new URLSearchParams({
        vmid: '100',
        net0: 'virtio,bridge=vmbr0,firewall=1',
        scsi0: 'nas:8',
        memory: '512',
      }).toString(),
    });
    expect(good.status).toBe(200);
    const bad = await raw('POST', '/api2/json/nodes/node1/qemu', {
      headers,
      body: new URLSearchParams({ vmid: '100', net0: 'model=fast,bridge=vmbr0', link_down: '1' }).toString(),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.['net0']).toMatch(
      /^invalid format - format error\nnet0\.model: value 'fast' does not have a value in the enumeration/,
    );
    expect(bad.body.errors?.['link_down']).toBe(
      'property is not defined in schema and the schema does not allow additional properties',
    );
  });

  it('refuses parameters a PVE 8 node does not know', async () => {
    const pve8 = await startTestNodes(['old'], { major: 8 });
    try {
      const a = new Agent({ connect: { ca: pve8.servers[0]!.caPem } });
      const token = pve8.auth.addToken('t');
      const response = await fetch(`${pve8.servers[0]!.url}/api2/json/cluster/ha/resources`, {
        method: 'POST',
        headers: {
          Authorization: `PVEAPIToken=${token.tokenId}=${token.secret}`,
          'Content-Type': 'application/x-www-form-urlencoded',
        },
        body: 'sid=vm:100&failback=0',
        dispatcher: a,
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { errors: Record<string, string> }).errors).toEqual({
        failback: 'property is not defined in schema and the schema does not allow additional properties',
      });
      await a.close();
    } finally {
      await pve8.close();
    }
  });

  it('passes handler failures through with their status and message', async () => {
    const { cookie, csrf } = await login();
    const reply = await raw('POST', '/api2/json/cluster/config', {
      headers: {
        Cookie: cookie,
        CSRFPreventionToken: csrf,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'clustername=noquorum',
    });
    expect(reply.status).toBe(500);
    expect(reply.statusText).toBe('cluster not ready - no quorum?');
  });

  it('answers 595 when a call must be proxied to a node it cannot reach', async () => {
    const { cookie } = await login();
    nodes.alive.set('node2', false);
    try {
      const reply = await raw('GET', '/api2/json/nodes/node2/qemu/100/status/current', {
        headers: { Cookie: cookie },
      });
      expect(reply.status).toBe(595);
    } finally {
      nodes.alive.set('node2', true);
    }
  });
});
