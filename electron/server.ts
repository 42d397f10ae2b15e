/**
 * The browser host: the same app as the desktop, served to a browser over WebSocket on
 * 127.0.0.1 with a per-run token. Plain Node; no Electron import.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { createApp, type App } from './app/create-app.ts';
import { defaultDataDir } from './app/data-dir.ts';
import { loadHostAddress, saveHostAddress } from './app/host-address.ts';
import type { AppDeps } from './app/deps.ts';
import { consoleLogger } from './app/deps.ts';
import { repoRoot } from './app/version.ts';
import { createRouter } from './ipc/router.ts';
import { startWsHost, type WsHost } from './ipc/ws-transport.ts';

export interface BrowserHostOptions extends Partial<AppDeps> {
  /** Off by default: the browser host is a WebSocket server, so a host terminal is a remote shell. */
  hostTerminal?: boolean;
  port?: number;
  token?: string;
  staticDir?: string;
}

export interface BrowserHost {
  app: App;
  host: WsHost;
  /** The saved address could not be reused (its port was taken): open tabs must open the new one. */
  addressChanged: { previousPort: number } | null;
  close(): Promise<void>;
}

export async function startBrowserHost(options: BrowserHostOptions = {}): Promise<BrowserHost> {
  const root = repoRoot();
  const log = options.log ?? consoleLogger;
  const dataDir = options.dataDir ?? defaultDataDir();
  const app = await createApp({
    shell: 'browser',
    dataDir,
    labsDir: options.labsDir ?? join(root, 'labs'),
    log,
    ...(options.backend ? { backend: options.backend } : {}),
    hostTerminal: options.hostTerminal === true,
    ...(options.hostPty ? { hostPty: options.hostPty } : {}),
  });
  const staticDir = options.staticDir ?? join(root, 'dist', 'renderer');
  const start = (address: { port?: number; token?: string }) =>
    startWsHost({
      router: createRouter(app.handlers, { log: (m, e) => log.error(m, e) }),
      hub: app.hub,
      log: (m, e) => log.error(m, e),
      ...(existsSync(staticDir) ? { staticDir } : {}),
      ...address,
    });
  let host: WsHost;
  let addressChanged: BrowserHost['addressChanged'] = null;
  try {
    if (options.port !== undefined || options.token !== undefined) {
      host = await start({
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.token !== undefined ? { token: options.token } : {}),
      });
    } else {
      // Same address as last time, so a tab left open reconnects after a restart.
      const saved = await loadHostAddress(dataDir);
      try {
        host = await start(saved ?? {});
      } catch (error) {
        if (!saved || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
        host = await start({});
        addressChanged = { previousPort: saved.port };
      }
      await saveHostAddress(dataDir, { port: host.port, token: host.token });
    }
  } catch (error) {
    await app.close();
    throw error;
  }
  return {
    app,
    host,
    addressChanged,
    async close() {
      await host.close();
      await app.close();
    },
  };
}
