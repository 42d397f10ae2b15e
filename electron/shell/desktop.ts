/**
 * The desktop app's start-up, with Electron's objects passed in so it can be tested with fakes:
 * single-instance lock, the engine (composition root), one secured window, the IPC transport
 * trusting only our renderer's URL, and an orderly shutdown.
 */
import { join } from 'node:path';

import type { App as ElectronApp, BrowserWindow, IpcMain, Protocol } from 'electron';

import type { App } from '../app/create-app.ts';
import type { AppDeps, Logger } from '../app/deps.ts';
import { BACKENDS, type BackendKind } from '../contract/dto.ts';
import { attachElectronTransport } from '../ipc/electron-transport.ts';
import { createRouter } from '../ipc/router.ts';
import { RENDERER_URL, serveAppProtocol } from './app-protocol.ts';

type WindowLike = Pick<BrowserWindow, 'isMinimized' | 'restore' | 'focus' | 'loadURL'> & {
  webContents: Pick<BrowserWindow['webContents'], 'id' | 'send' | 'isDestroyed'>;
};

export interface DesktopDeps {
  app: Pick<ElectronApp, 'requestSingleInstanceLock' | 'quit' | 'whenReady' | 'getPath'> & {
    on(event: 'second-instance' | 'window-all-closed', listener: () => void): unknown;
  };
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  /** Serves app:// (registered as privileged before ready, in main.ts). */
  protocol: Pick<Protocol, 'handle'>;
  createWindow(preloadPath: string): WindowLike;
  createEngine(deps: AppDeps): Promise<App>;
  /** Folder holding dist/ and labs/. */
  appRoot: string;
  /** Folder of the bundled main process (the preload sits beside it). */
  bundleDir: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** "Open the node's own web interface" (node-web-window.ts). */
  openNodeWindow?: AppDeps['openNodeWindow'];
}

/** The renderer's address: app://nestlab/index.html, answered from `<appRoot>/dist/renderer`. */
export function rendererUrlFor(_appRoot: string): string {
  return RENDERER_URL;
}

/** Our page, whatever view (#/…) it shows; nothing else — no other file, no web page. */
export function isRendererUrl(url: string, rendererUrl: string): boolean {
  return url.split('#')[0]?.split('?')[0] === rendererUrl;
}

export function requestedBackend(env: NodeJS.ProcessEnv): BackendKind | undefined {
  const value = env.LAB_BACKEND;
  return value && (BACKENDS as readonly string[]).includes(value) ? (value as BackendKind) : undefined;
}

/** Starts the desktop app; resolves with null when another instance already runs. */
export async function startDesktop(deps: DesktopDeps): Promise<{ engine: App; window: WindowLike } | null> {
  const { app } = deps;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  await app.whenReady();
  const backend = requestedBackend(deps.env);
  const engine = await deps.createEngine({
    shell: 'electron',
    dataDir: app.getPath('userData'),
    labsDir: join(deps.appRoot, 'labs'),
    log: deps.log,
    // The desktop window is the learner's own: a shell on this computer is what they expect there.
    hostTerminal: true,
    ...(backend ? { backend } : {}),
    ...(deps.openNodeWindow ? { openNodeWindow: deps.openNodeWindow } : {}),
  });
  serveAppProtocol(deps.protocol, join(deps.appRoot, 'dist', 'renderer'));
  const rendererUrl = rendererUrlFor(deps.appRoot);
  const window = deps.createWindow(join(deps.bundleDir, 'preload.cjs'));
  const detach = attachElectronTransport({
    ipcMain: deps.ipcMain,
    router: createRouter(engine.handlers, { log: (m, e) => deps.log.error(m, e) }),
    hub: engine.hub,
    webContents: window.webContents,
    isTrustedUrl: (url) => isRendererUrl(url, rendererUrl),
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
  return { engine, window };
}
