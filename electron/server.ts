/**
 * The browser host: the same app as the desktop, served to a browser over WebSocket on
 * 127.0.0.1 with a per-run token. Plain Node; no Electron import.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { createApp, type App } from './app/create-app.ts';
import { defaultDataDir } from './app/data-dir.ts';
import type { AppDeps } from './app/deps.ts';
import { consoleLogger } from './app/deps.ts';
import { repoRoot } from './app/version.ts';
import { createRouter } from './ipc/router.ts';
import { startWsHost, type WsHost } from './ipc/ws-transport.ts';

export interface BrowserHostOptions extends Partial<AppDeps> {
  port?: number;
  token?: string;
  staticDir?: string;
}

export interface BrowserHost {
  app: App;
  host: WsHost;
  close(): Promise<void>;
}

export async function startBrowserHost(options: BrowserHostOptions = {}): Promise<BrowserHost> {
  const root = repoRoot();
  const log = options.log ?? consoleLogger;
  const app = await createApp({
    shell: 'browser',
    dataDir: options.dataDir ?? defaultDataDir(),
    labsDir: options.labsDir ?? join(root, 'labs'),
    log,
    ...(options.backend ? { backend: options.backend } : {}),
  });
  const staticDir = options.staticDir ?? join(root, 'dist', 'renderer');
  const host = await startWsHost({
    router: createRouter(app.handlers, { log: (m, e) => log.error(m, e) }),
    hub: app.hub,
    log: (m, e) => log.error(m, e),
    ...(existsSync(staticDir) ? { staticDir } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
  });
  return {
    app,
    host,
    async close() {
      await host.close();
      await app.close();
    },
  };
}
