/**
 * One router suite, run through both transports: a fake Electron IPC pair (the real
 * attachElectronTransport + the renderer's ipcTransport) and the real WebSocket host.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { createApp, type App } from '../../electron/app/create-app.ts';
import { silentLogger } from '../../electron/app/deps.ts';
import { attachElectronTransport } from '../../electron/ipc/electron-transport.ts';
import { createRouter } from '../../electron/ipc/router.ts';
import { startWsHost, type WsHost } from '../../electron/ipc/ws-transport.ts';
import { ApiCallError, type Transport } from '../../renderer/lib/api/transport.ts';
import { ipcTransport } from '../../renderer/lib/api/transport-ipc.ts';
import { wsTransport } from '../../renderer/lib/api/transport-ws.ts';
import { FakeIpc } from '../support/fake-ipc.ts';

const labsDir = fileURLToPath(new URL('../fixtures/labs/good', import.meta.url));

interface Harness {
  transport: Transport;
  app: App;
  close(): Promise<void>;
}

async function newApp(): Promise<{ app: App; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'nestlab-contract-'));
  const app = await createApp({ shell: 'browser', dataDir, labsDir, log: silentLogger });
  return { app, dataDir };
}

const transports: Record<string, () => Promise<Harness>> = {
  'electron ipc': async () => {
    const { app, dataDir } = await newApp();
    const ipc = new FakeIpc('file:///app/dist/renderer/index.html');
    const detach = attachElectronTransport({
      ipcMain: ipc.main,
      router: createRouter(app.handlers),
      hub: app.hub,
      webContents: ipc.webContents,
      isTrustedUrl: (url) => url === 'file:///app/dist/renderer/index.html',
    });
    return {
      app,
      transport: ipcTransport(ipc.bridge),
      async close() {
        detach();
        await app.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
  websocket: async () => {
    const { app, dataDir } = await newApp();
    const host: WsHost = await startWsHost({ router: createRouter(app.handlers), hub: app.hub });
    const url = `ws://127.0.0.1:${host.port}/api?token=${host.token}`;
    return {
      app,
      transport: wsTransport(url, WebSocket as unknown as typeof globalThis.WebSocket),
      async close() {
        await host.close();
        await app.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
};

for (const [name, make] of Object.entries(transports)) {
  describe(`contract over ${name}`, () => {
    let h: Harness;
    beforeAll(async () => {
      h = await make();
    });
    afterAll(async () => h.close());

    it('answers app.info with the engine version and backend', async () => {
      const info = (await h.transport.invoke('app.info', {})) as {
        name: string;
        backend: string;
        version: string;
      };
      expect(info.name).toBe('NestLab');
      expect(info.backend).toBe('sim');
      expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    });

    it('lists the labs found in the labs folder', async () => {
      const library = (await h.transport.invoke('lab.list', { lang: 'en' })) as { labs: { id: string }[] };
      expect(library.labs.map((l) => l.id)).toContain('mini-cluster');
    });

    it('refuses an unknown method with a code, not a stack trace', async () => {
      const call = h.transport.invoke('lab.destroyEverything', {});
      await expect(call).rejects.toBeInstanceOf(ApiCallError);
      await expect(call).rejects.toMatchObject({ code: 'unknown-method' });
    });

    it('validates params against the schema', async () => {
      await expect(h.transport.invoke('lab.list', { lang: 'de' })).rejects.toMatchObject({
        code: 'bad-request',
      });
      await expect(h.transport.invoke('settings.set', { theme: 'dark', evil: 1 })).rejects.toMatchObject({
        code: 'bad-request',
      });
    });

    it('maps engine errors to {code, message}', async () => {
      await expect(h.transport.invoke('lab.solveStep', { stepId: 'x' })).rejects.toMatchObject({
        code: 'conflict',
      });
    });

    it('persists settings and reports them back', async () => {
      const saved = (await h.transport.invoke('settings.set', { lang: 'ca', theme: 'dark' })) as {
        lang: string;
      };
      expect(saved.lang).toBe('ca');
      expect(await h.transport.invoke('settings.get', {})).toMatchObject({ lang: 'ca', theme: 'dark' });
    });

    it('delivers engine events to the renderer', async () => {
      const received = new Promise<unknown>((resolve) => {
        const off = h.transport.on('sim.clock', (payload) => {
          off();
          resolve(payload);
        });
      });
      // Give the WebSocket time to connect before the event fires.
      await h.transport.invoke('app.info', {});
      h.app.hub.emit('sim.clock', { ms: 1234, speed: 10 });
      expect(await received).toEqual({ ms: 1234, speed: 10 });
    });
  });
}
