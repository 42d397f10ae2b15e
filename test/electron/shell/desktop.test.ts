import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { createApp, type App } from '../../../electron/app/create-app.ts';
import { silentLogger } from '../../../electron/app/deps.ts';
import { isRendererUrl, rendererUrlFor, startDesktop } from '../../../electron/shell/desktop.ts';
import { FakeIpc } from '../../support/fake-ipc.ts';

const APP_ROOT = '/opt/NestLab/resources/app';

function fakeElectron(options: { firstInstance?: boolean } = {}) {
  const listeners = new Map<string, () => void>();
  const calls: string[] = [];
  const app = {
    requestSingleInstanceLock: () => options.firstInstance ?? true,
    quit: () => void calls.push('quit'),
    whenReady: async () => void calls.push('ready'),
    getPath: (name: string) => `/home/ana/.config/NestLab/${name}`,
    on: (event: string, listener: () => void) => listeners.set(event, listener),
  };
  return { app, listeners, calls };
}

describe('desktop start-up', () => {
  let engine: App | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await engine?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('quits at once when another instance is running, before creating anything', async () => {
    const electron = fakeElectron({ firstInstance: false });
    let created = false;
    const result = await startDesktop({
      app: electron.app,
      ipcMain: new FakeIpc('x').main,
      protocol: { handle: () => undefined } as never,
      createWindow: () => {
        created = true;
        throw new Error('must not be called');
      },
      createEngine: async () => {
        created = true;
        throw new Error('must not be called');
      },
      appRoot: APP_ROOT,
      bundleDir: join(APP_ROOT, 'dist', 'electron'),
      env: {},
      log: silentLogger,
    });
    expect(result).toBeNull();
    expect(electron.calls).toEqual(['quit']);
    expect(created).toBe(false);
  });

  it('loads our renderer, trusts only it, and closes the engine with the last window', async () => {
    const electron = fakeElectron();
    const rendererUrl = rendererUrlFor(APP_ROOT);
    const ipc = new FakeIpc(`${rendererUrl}#/run`);
    const loaded: string[] = [];
    const preloads: string[] = [];
    const window = {
      webContents: ipc.webContents,
      isMinimized: () => false,
      restore: () => undefined,
      focus: () => void electron.calls.push('focus'),
      loadURL: async (url: string) => void loaded.push(url),
    };
    dataDir = await mkdtemp(join(tmpdir(), 'nestlab-desktop-'));
    const engineDeps: unknown[] = [];
    const protocols: { scheme: string }[] = [];
    const started = await startDesktop({
      app: electron.app,
      ipcMain: ipc.main,
      protocol: { handle: (scheme: string) => void protocols.push({ scheme }) } as never,
      createWindow: (preload) => {
        preloads.push(preload);
        return window as never;
      },
      createEngine: async (deps) => {
        engineDeps.push(deps);
        engine = await createApp({ ...deps, dataDir: dataDir!, labsDir: join(process.cwd(), 'labs') });
        return engine;
      },
      appRoot: APP_ROOT,
      bundleDir: join(APP_ROOT, 'dist', 'electron'),
      env: { LAB_BACKEND: 'sim' },
      log: silentLogger,
    });
    expect(started).not.toBeNull();
    expect(electron.calls[0]).toBe('ready');
    expect(engineDeps[0]).toMatchObject({
      shell: 'electron',
      backend: 'sim',
      dataDir: '/home/ana/.config/NestLab/userData',
      labsDir: join(APP_ROOT, 'labs'),
    });
    expect(preloads).toEqual([join(APP_ROOT, 'dist', 'electron', 'preload.cjs')]);
    expect(loaded).toEqual([rendererUrl]);
    expect(rendererUrl).toBe('app://nestlab/index.html');
    // app:// is answered from the app's own renderer folder.
    expect(protocols.map((p) => p.scheme)).toEqual(['app']);

    // The page we loaded may call the engine, from any of its views…
    expect(await ipc.invoke('api', 'app.info', {})).toMatchObject({ result: { shell: 'electron' } });
    // …a page from anywhere else may not.
    ipc.frame = { url: 'file:///etc/passwd', parent: null };
    expect(await ipc.invoke('api', 'app.info', {})).toMatchObject({ error: { code: 'forbidden' } });
    ipc.frame = { url: `file://${APP_ROOT}/dist/renderer/index.html`, parent: null };
    expect(await ipc.invoke('api', 'app.info', {})).toMatchObject({ error: { code: 'forbidden' } });

    electron.listeners.get('second-instance')?.();
    expect(electron.calls).toContain('focus');
    electron.listeners.get('window-all-closed')?.();
    await new Promise((r) => setTimeout(r, 50));
    expect(electron.calls.at(-1)).toBe('quit');
    expect(ipc.handlers.has('api')).toBe(false);
    engine = undefined;
  });

  it('matches the renderer URL exactly, ignoring only the view and query', () => {
    const url = rendererUrlFor(APP_ROOT);
    expect(isRendererUrl(`${url}#/drill`, url)).toBe(true);
    expect(isRendererUrl(`${url}?token=1`, url)).toBe(true);
    expect(isRendererUrl(url.replace('index.html', 'other.html'), url)).toBe(false);
    expect(isRendererUrl('https://example.org/', url)).toBe(false);
  });
});
