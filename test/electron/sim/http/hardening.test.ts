/**
 * Request shapes that once crashed or confused a simulated node (issue #10), each answered the way
 * pveproxy does, and a bounded fuzz run: 1 200 malformed requests, after which the node still
 * answers a valid call through the real client.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simRoutes } from '../../../../electron/sim/api/index.ts';
import { startSimDatacenter, type SimDatacenter } from '../../../../electron/sim/datacenter.ts';
import { httpPveClients, type HttpPveApi } from '../../../../electron/pve/http-client.ts';
import { httpClientOf } from '../../../support/sim-http-client.ts';
import { rawRequest } from './raw-request.ts';
import { startTestNodes } from './test-nodes.ts';

let dc: SimDatacenter;
let api: HttpPveApi;
let url: string;
let cookie: string;
let csrf: string;

beforeAll(async () => {
  dc = await startSimDatacenter({
    pveClients: httpPveClients,
    initial: { kind: 'cluster' },
    // Manual: the ticket must not age out while the fuzz runs (a fast clock races hours ahead).
    clockMode: { kind: 'manual' },
    rootPassword: 'pw',
    nodes: [{ name: 'node1', ip: '192.168.56.11' }],
  });
  api = httpClientOf(dc);
  url = dc.endpoints[0]!.url;
  const login = await rawRequest(
    url,
    request('POST', '/api2/json/access/ticket', {}, 'username=root%40pam&password=pw'),
  );
  const data = (JSON.parse(login.body) as { data: { ticket: string; CSRFPreventionToken: string } }).data;
  cookie = `PVEAuthCookie=${encodeURIComponent(data.ticket)}`;
  csrf = data.CSRFPreventionToken;
});
afterAll(async () => {
  await dc.close();
});

function request(method: string, target: string, headers: Record<string, string> = {}, body = ''): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: node1', 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (body !== '' || method === 'POST' || method === 'PUT') {
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
      lines.push('Content-Type: application/x-www-form-urlencoded');
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

const authed = (): Record<string, string> => ({ Cookie: cookie, CSRFPreventionToken: csrf });

describe('request shapes that must never crash a node', () => {
  it('answers an absolute-form target with 400 and keeps serving', async () => {
    for (const target of ['http://[/', 'http://a:99999/', 'http://[/api2/json/version', '*']) {
      const answer = await rawRequest(url, request('GET', target, authed()));
      expect({ target, hung: answer.hung, status: answer.status }).toEqual({
        target,
        hung: false,
        status: 400,
      });
    }
    expect(await api.request({ method: 'GET', path: '/version' })).toMatchObject({ release: '9.1' });
  });

  it('answers a percent-encoding that does not decode with 400', async () => {
    for (const target of [
      '/api2/json/nodes/%E0%A4%A',
      '/api2/json/%',
      '/api2/json/nodes/%zz/status',
      '/api2/json/%C0%AF',
      '/api2/json/%ff',
    ]) {
      const answer = await rawRequest(url, request('GET', target, authed()));
      expect({ target, status: answer.status }).toEqual({ target, status: 400 });
    }
  });

  it('never resolves .. into another route', async () => {
    // Resolved, these would be /api2/json/version (200). pveproxy does not resolve dot segments.
    for (const target of [
      '/api2/json/nodes/../version',
      '/api2/json/nodes/node1/../../version',
      '/api2/json/nodes/%2e%2e/../version',
    ]) {
      const answer = await rawRequest(url, request('GET', target, authed()));
      expect({ target, status: answer.status }).not.toEqual({ target, status: 200 });
      expect(answer.hung).toBe(false);
    }
    const dots = await rawRequest(url, request('GET', '/api2/json/nodes/../status', authed()));
    expect(dots.status).toBe(400); // `..` is not a node name (pve-node format)
  });

  it('refuses __proto__ and constructor keys with 400, in the query, a form and JSON', async () => {
    const cases = [
      request('GET', '/api2/json/cluster/resources?__proto__[type]=vm', authed()),
      request('GET', '/api2/json/cluster/resources?constructor=x', authed()),
      request('POST', '/api2/json/cluster/ha/resources', authed(), 'sid=vm%3A999&__proto__=x'),
      request(
        'POST',
        '/api2/json/cluster/ha/resources',
        { ...authed(), 'Content-Type': 'application/json' },
        '{"sid":"vm:999","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}',
      ),
    ];
    for (const bytes of cases) {
      const answer = await rawRequest(url, bytes);
      expect(answer.status).toBe(400);
      expect(answer.statusText).toBe('Parameter verification failed.');
    }
    const polluted = Object.prototype as unknown as Record<string, unknown>;
    expect(polluted['polluted']).toBeUndefined();
    expect(polluted['type']).toBeUndefined();
  });

  it('answers failed authentication as pveproxy: 401, status line only, after its delay', async () => {
    const none = await rawRequest(url, request('GET', '/api2/json/version'));
    expect([none.status, none.statusText, none.body]).toEqual([401, 'No ticket', '']);
    const forged = await rawRequest(
      url,
      request('GET', '/api2/json/version', { Cookie: 'PVEAuthCookie=PVE:root@pam:6560A1B2::AAAA' }),
    );
    expect([forged.status, forged.statusText, forged.body]).toEqual([401, 'Authentication failed!', '']);
    // Authentication comes before routing: an unknown path without a ticket is a 401, not a 501.
    const unknown = await rawRequest(url, request('GET', '/api2/json/no/such/thing'));
    expect(unknown.status).toBe(401);
    // The ticket is also taken from `Authorization: PVEAuthCookie=…`.
    const viaHeader = await rawRequest(url, request('GET', '/api2/json/version', { Authorization: cookie }));
    expect(viaHeader.status).toBe(200);
  });

  it('holds failed authentications back for the configured delay', async () => {
    const nodes = await startTestNodes(['slow'], { authFailureDelayMs: 300 });
    try {
      const started = performance.now();
      const wrong = await rawRequest(
        nodes.servers[0]!.url,
        request('POST', '/api2/json/access/ticket', {}, 'username=root%40pam&password=wrong'),
      );
      expect(wrong.status).toBe(401);
      // A lower bound only: the answer may never come earlier than the delay.
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      await nodes.close();
    }
  });
});

describe('fuzzing a simulated node', () => {
  it('survives 1 200 malformed requests and still answers a valid call', async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        'api2',
        'json',
        'nodes',
        'node1',
        'qemu',
        '100',
        'config',
        'storage',
        'local',
        'content',
        'cluster',
        'ha',
        'resources',
        'access',
        'ticket',
        'status',
        'current',
        'tasks',
        '..',
        '.',
        '',
        '%',
        '%zz',
        '%E0%A4%A',
        '%2e%2e',
        '%00',
        '__proto__',
        'constructor',
        '%2F',
      ),
      fc.string({ maxLength: 12 }).map((s) => encodeURIComponent(s)),
      fc.string({ maxLength: 6 }),
    );
    // Real routes with fuzzed placeholders and parameters reach the handlers themselves.
    const templates = simRoutes(dc.world).map((r) => r.path);
    const placeholder = fc.oneof(
      fc.constantFrom(
        'node1',
        'node2',
        '100',
        '999',
        'vm:100',
        'local',
        'local-lvm',
        'local:iso/x.iso',
        'UPID:node1:00000001:00000001:00000001:qmstart:100:root@pam:',
      ),
      segment,
    );
    const routed = fc
      .tuple(fc.constantFrom(...templates), fc.array(placeholder, { minLength: 4, maxLength: 4 }))
      .map(
        ([path, values]) =>
          `/api2/json${path.replace(/\{[^}]+\}/g, () => encodeURIComponent(values.shift() ?? 'x'))}`,
      );
    const target = fc.oneof(
      { arbitrary: routed, weight: 4 },
      fc.array(segment, { maxLength: 8 }).map((parts) => `/api2/json/${parts.join('/')}`),
      fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`),
      fc.constantFrom(
        'http://[/',
        'http://a:99999/',
        '*',
        'http://node1/api2/json/version',
        '//',
        '/api2/json/nodes/node1/qemu/100/config?digest=%',
      ),
      fc.string({ maxLength: 40 }),
    );
    const query = fc.array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom(
            '__proto__',
            'constructor',
            'prototype',
            'vmid',
            'node',
            'type',
            'delete',
            'digest',
            'net0',
            'memory',
          ),
          fc.string({ maxLength: 8 }),
        ),
        fc.string({ maxLength: 16 }),
      ),
      { maxLength: 4 },
    );
    const body = fc.oneof(
      fc.constant(''),
      query.map((pairs) => new URLSearchParams(pairs).toString()),
      fc.json(),
      fc.string({ maxLength: 80 }),
      fc.constant('{"__proto__":{"x":1}}'),
    );
    const contentType = fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/json',
      'multipart/form-data; boundary=xx',
      'multipart/form-data',
      'text/plain',
    );
    const auth = fc.constantFrom<'none' | 'ticket' | 'junk' | 'header'>(
      'none',
      'ticket',
      'ticket',
      'junk',
      'header',
    );
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'BREW');
    const shape = fc.record({ method, target, query, body, contentType, auth, raw: fc.boolean() });

    const samples = fc.sample(shape, { numRuns: 1_200, seed: 1210 });
    const statuses = new Map<string, number>();
    const internal: string[] = [];
    let hung = 0;
    const send = async (s: (typeof samples)[number]): Promise<void> => {
      const headers: Record<string, string> =
        s.auth === 'ticket'
          ? authed()
          : s.auth === 'junk'
            ? { Cookie: 'PVEAuthCookie=PVE:%zz', Authorization: 'PVEAPIToken=a!b=c' }
            : s.auth === 'header'
              ? { Authorization: cookie, CSRFPreventionToken: csrf }
              : {};
      headers['Content-Type'] = s.contentType;
      const q =
        s.query.length > 0
          ? `?${s.query.map(([k, v]) => `${k}=${s.raw ? v : encodeURIComponent(v)}`).join('&')}`
          : '';
      const bytes = request(
        s.method,
        `${s.target}${q}`.replace(/[\r\n ]/g, s.raw ? '' : '%20'),
        headers,
        s.method === 'GET' ? '' : s.body,
      );
      const answer = await rawRequest(url, bytes);
      if (answer.hung) hung++;
      const key = String(answer.status ?? 'closed');
      statuses.set(key, (statuses.get(key) ?? 0) + 1);
      // A 500 must carry Proxmox-like text, never a JavaScript failure.
      if (
        answer.status === 500 &&
        /Cannot read|is not a function|undefined|null|Unexpected token/.test(answer.statusText ?? '')
      )
        internal.push(`${s.method} ${s.target}: ${answer.statusText}`);
    };
    const lanes = 4;
    for (let i = 0; i < samples.length; i += lanes) await Promise.all(samples.slice(i, i + lanes).map(send));

    console.info(
      `fuzz: ${samples.length} requests, answers by status ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(hung).toBe(0);
    expect(internal).toEqual([]);
    expect(await api.request({ method: 'GET', path: '/version' })).toMatchObject({ release: '9.1' });
    const status = await api.request<{ type: string }[]>({ method: 'GET', path: '/cluster/status' });
    expect(status[0]!.type).toBe('cluster');
  }, 120_000);
});
