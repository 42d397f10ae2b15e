import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { EventHub } from '../../../electron/app/event-hub.ts';
import type { Router } from '../../../electron/ipc/router.ts';
import { BROWSER_HOST_CSP, startWsHost, type WsHost } from '../../../electron/ipc/ws-transport.ts';

const echoRouter: Router = { dispatch: async (method, params) => ({ result: { method, params } }) };

function upgrade(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ opened: boolean; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.on('unexpected-response', (_req, res) => resolve({ opened: false, status: res.statusCode }));
    ws.on('error', () => resolve({ opened: false }));
  });
}

describe('browser host transport', () => {
  let host: WsHost;
  let staticDir: string;

  beforeAll(async () => {
    staticDir = await mkdtemp(join(tmpdir(), 'nestlab-static-'));
    await mkdir(join(staticDir, 'assets'));
    await writeFile(join(staticDir, 'index.html'), '<!doctype html><title>NestLab</title>');
    await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    host = await startWsHost({ router: echoRouter, hub: new EventHub(), staticDir });
  });
  afterAll(async () => {
    await host.close();
    await rm(staticDir, { recursive: true, force: true });
  });

  it('listens on loopback only and prints a URL with the token', () => {
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/\\?token=`));
    expect(host.token.length).toBeGreaterThanOrEqual(32);
  });

  it('accepts the right token from the page origin', async () => {
    const result = await upgrade(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, {
      Origin: `http://127.0.0.1:${host.port}`,
    });
    expect(result.opened).toBe(true);
  });

  it('refuses a missing or wrong token with 401', async () => {
    expect(await upgrade(`ws://127.0.0.1:${host.port}/api`)).toEqual({ opened: false, status: 401 });
    expect(await upgrade(`ws://127.0.0.1:${host.port}/api?token=${host.token}x`)).toEqual({
      opened: false,
      status: 401,
    });
  });

  it('refuses a foreign Origin even with the token', async () => {
    const result = await upgrade(`ws://127.0.0.1:${host.port}/api?token=${host.token}`, {
      Origin: 'https://evil.example',
    });
    expect(result).toEqual({ opened: false, status: 403 });
  });

  it('serves the renderer with a strict CSP and never outside its folder', async () => {
    const page = await fetch(`http://127.0.0.1:${host.port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(BROWSER_HOST_CSP);
    expect(await page.text()).toContain('NestLab');
    const asset = await fetch(`http://127.0.0.1:${host.port}/assets/app.js`);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    const escape = await fetch(`http://127.0.0.1:${host.port}/..%2f..%2f..%2fetc%2fpasswd`);
    expect(escape.status).toBe(403);
    const post = await fetch(`http://127.0.0.1:${host.port}/`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('answers a call and reports non-JSON messages as bad requests', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${host.port}/api?token=${host.token}`);
    await new Promise((r) => ws.once('open', r));
    const replies: unknown[] = [];
    const two = new Promise<void>((resolve) =>
      ws.on('message', (m) => {
        replies.push(JSON.parse(String(m)));
        if (replies.length === 2) resolve();
      }),
    );
    ws.send(JSON.stringify({ id: 7, method: 'app.info', params: {} }));
    ws.send('not json');
    await two;
    ws.close();
    expect(replies).toContainEqual({ id: 7, result: { method: 'app.info', params: {} } });
    expect(replies).toContainEqual({
      id: -1,
      error: { code: 'bad-request', message: 'Message is not JSON.' },
    });
  });
});
