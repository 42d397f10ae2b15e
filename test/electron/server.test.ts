import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { HOST_ADDRESS_FILE } from '../../electron/app/host-address.ts';
import { startBrowserHost, type BrowserHost } from '../../electron/server.ts';

const log = { debug() {}, info() {}, warn() {}, error() {} };

let dataDir: string;
let running: BrowserHost | undefined;
let blocker: Server | undefined;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'nestlab-host-'));
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  await new Promise<void>((done) => (blocker ? blocker.close(() => done()) : done()));
  blocker = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

describe('browser host address', () => {
  it('comes back on the same port and token after a restart, so an open tab reconnects', async () => {
    running = await startBrowserHost({ dataDir, backend: 'sim', log });
    const { port, token } = running.host;
    expect(running.addressChanged).toBeNull();
    const saved = JSON.parse(await readFile(join(dataDir, HOST_ADDRESS_FILE), 'utf8'));
    expect(saved).toEqual({ port, token });
    if (process.platform !== 'win32')
      expect((await stat(join(dataDir, HOST_ADDRESS_FILE))).mode & 0o077).toBe(0);
    await running.close();
    running = await startBrowserHost({ dataDir, backend: 'sim', log });
    expect(running.host.port).toBe(port);
    expect(running.host.token).toBe(token);
  });

  it('takes a new address when the old port is taken, and says so', async () => {
    running = await startBrowserHost({ dataDir, backend: 'sim', log });
    const { port, token } = running.host;
    await running.close();
    running = undefined;
    blocker = createServer();
    await new Promise<void>((done) => blocker!.listen(port, '127.0.0.1', () => done()));
    running = await startBrowserHost({ dataDir, backend: 'sim', log });
    expect(running.addressChanged).toEqual({ previousPort: port });
    expect(running.host.port).not.toBe(port);
    expect(running.host.token).not.toBe(token);
    expect(JSON.parse(await readFile(join(dataDir, HOST_ADDRESS_FILE), 'utf8'))).toEqual({
      port: running.host.port,
      token: running.host.token,
    });
  });
});
