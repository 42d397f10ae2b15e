/**
 * Request shapes no browser sends, straight over TCP: each must get an answer (400 for a target
 * that cannot be a path) and the host must keep serving. Before the fix these exited the process.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { EventHub } from '../../../electron/app/event-hub.ts';
import type { Router } from '../../../electron/ipc/router.ts';
import { parseTarget, startWsHost, type WsHost } from '../../../electron/ipc/ws-transport.ts';
import { rawRequest } from '../../support/raw-http.ts';

const echoRouter: Router = { dispatch: async (method) => ({ result: { method } }) };

/** Targets from issue #10 that crashed the host, plus neighbours of the same kind. */
export const HOSTILE_TARGETS = [
  '/%E0%A4%A',
  '/%',
  '/%zz',
  '/%C0%AF',
  '/%ff',
  '/assets/%E0%A4%A.png',
  'http://[',
  'http://a:99999/',
  'http://[/',
  'http://127.0.0.1/',
  '*',
  '//evil.example/',
];

const get = (target: string): string =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
const upgrade = (target: string): string =>
  `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

describe('browser host under hostile requests', () => {
  let host: WsHost;
  let staticDir: string;
  const logged: string[] = [];

  beforeAll(async () => {
    staticDir = await mkdtemp(join(tmpdir(), 'nestlab-static-'));
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>NestLab</title>');
    host = await startWsHost({
      router: echoRouter,
      hub: new EventHub(),
      staticDir,
      log: (m) => logged.push(m),
    });
  });
  afterAll(async () => {
    await host.close();
    await rm(staticDir, { recursive: true, force: true });
  });

  async function stillServes(): Promise<void> {
    const page = await fetch(`http://127.0.0.1:${host.port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('NestLab');
  }

  it.each(HOSTILE_TARGETS)('answers GET %s with 400 and keeps serving', async (target) => {
    const answer = await rawRequest(host.port, get(target));
    expect(answer.status).toBe(400);
    await stillServes();
  });

  it.each(HOSTILE_TARGETS)(
    'refuses a WebSocket upgrade to %s with 400 before looking at the token',
    async (target) => {
      const answer = await rawRequest(host.port, upgrade(target));
      expect(answer.status).toBe(400);
      await stillServes();
    },
  );

  it('knows which targets are paths', () => {
    expect(parseTarget('/api?token=x')?.pathname).toBe('/api');
    expect(parseTarget('/caf%C3%A9')?.pathname).toBe('/caf%C3%A9');
    for (const target of HOSTILE_TARGETS) expect(parseTarget(target)).toBeNull();
  });

  it('survives 1 000 malformed requests (seeded) and then answers a valid one', async () => {
    const hex = fc.constantFrom(...'0123456789abcdefABCDEFzZ%'.split(''));
    const brokenEscape = fc
      .tuple(fc.constant('%'), fc.string({ unit: hex, maxLength: 2 }))
      .map(([p, h]) => p + h);
    const segment = fc.oneof(
      fc.string({ maxLength: 6 }),
      brokenEscape,
      fc.constantFrom('..', '.', '%00', '%2f'),
    );
    const path = fc.array(segment, { maxLength: 5 }).map((parts) => '/' + parts.join('/'));
    const absolute = fc
      .tuple(
        fc.constantFrom('http://', 'https://', 'ws://', 'http://['),
        fc.string({ maxLength: 12 }),
        fc.integer(),
      )
      .map(([scheme, hostPart, port]) => `${scheme}${hostPart}:${port}/`);
    const target = fc.oneof(path, absolute, fc.string({ maxLength: 20 }));
    const method = fc.constantFrom('GET', 'HEAD', 'POST', 'OPTIONS', 'G\u00e9T', '');
    const header = fc.oneof(
      fc.constant('Host: 127.0.0.1'),
      fc.constant(
        'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      ),
      fc.constant('Content-Length: -1'),
      fc.constant('Transfer-Encoding: chunked'),
      fc.string({ maxLength: 30 }),
    );
    const request = fc
      .tuple(
        method,
        target,
        fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/9', ''),
        fc.array(header, { maxLength: 3 }),
      )
      .map(([m, t, v, hs]) => `${m} ${t} ${v}\r\n${hs.join('\r\n')}\r\n\r\n`);
    const samples = fc.sample(
      fc.oneof(
        request,
        fc.string({ maxLength: 200 }).map((s) => s + '\r\n\r\n'),
      ),
      {
        numRuns: 1000,
        seed: 20261204,
      },
    );
    expect(samples).toHaveLength(1000);
    const statuses = new Map<string, number>();
    // A few at a time: enough to be quick, few enough for a loaded 2-core machine.
    for (let i = 0; i < samples.length; i += 10) {
      const answers = await Promise.all(
        samples.slice(i, i + 10).map((bytes) => rawRequest(host.port, bytes)),
      );
      for (const answer of answers) {
        const key = String(answer.status);
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      }
    }
    // Every malformed request was answered (or closed by the HTTP parser), never a 500.
    expect(statuses.get('500') ?? 0).toBe(0);
    expect(logged).toEqual([]);
    await stillServes();
  });
});
