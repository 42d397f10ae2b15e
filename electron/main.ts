/**
 * The desktop app's entry: single-instance lock, the composition root, one secured window,
 * the IPC transport. Thin by design; everything else lives in the engine.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { app, ipcMain } from 'electron';

import { createApp, type App } from './app/create-app.ts';
import { consoleLogger } from './app/deps.ts';
import { BACKENDS, type BackendKind } from './contract/dto.ts';
import { attachElectronTransport } from './ipc/electron-transport.ts';
import { createRouter } from './ipc/router.ts';
import { createMainWindow } from './shell/window.ts';

// Bundled layout (build/build-electron.js): dist/electron/main.cjs, preload.cjs; dist/renderer/; labs/ beside dist.
const appRoot = join(__dirname, '..', '..');
const rendererIndex = join(appRoot, 'dist', 'renderer', 'index.html');
const rendererUrl = pathToFileURL(rendererIndex).href;

function requestedBackend(): BackendKind | undefined {
  const value = process.env.LAB_BACKEND;
  return value && (BACKENDS as readonly string[]).includes(value) ? (value as BackendKind) : undefined;
}

async function start(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  await app.whenReady();
  const backend = requestedBackend();
  const engine: App = await createApp({
    shell: 'electron',
    dataDir: app.getPath('userData'),
    labsDir: join(appRoot, 'labs'),
    log: consoleLogger,
    ...(backend ? { backend } : {}),
  });
  const window = createMainWindow(join(__dirname, 'preload.cjs'));
  const detach = attachElectronTransport({
    ipcMain,
    router: createRouter(engine.handlers, { log: (m, e) => consoleLogger.error(m, e) }),
    hub: engine.hub,
    webContents: window.webContents,
    isTrustedUrl: (url) => url.split('#')[0]?.split('?')[0] === rendererUrl,
  });
  app.on('second-instance', () => {
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('window-all-closed', () => {
    detach();
    void engine.close().finally(() => app.quit());
  });
  await window.loadURL(rendererUrl);
}

start().catch((error: unknown) => {
  consoleLogger.error('NestLab could not start', error);
  app.exit(1);
});
