/**
 * The desktop app's entry. Thin by design: shell/desktop.ts does the start-up, the engine
 * does everything else.
 */
import { join } from 'node:path';

import { app, BrowserWindow, dialog, ipcMain, protocol, session } from 'electron';

import { createApp } from './app/create-app.ts';
import { consoleLogger } from './app/deps.ts';
import { installProcessGuard } from './app/process-guard.ts';
import { registerAppScheme } from './shell/app-protocol.ts';
import { startDesktop } from './shell/desktop.ts';
import { openNodeWebWindow } from './shell/node-web-window.ts';
import { createMainWindow } from './shell/window.ts';

// Electron's main only warns on an unhandled rejection (the request that caused it would hang
// silently): log it and keep serving; an uncaught exception is said in a dialog and ends the app.
let lastReport = '';
installProcessGuard({
  entry: 'NestLab',
  mode: 'serve',
  report: (line) => {
    lastReport = line;
    consoleLogger.error(line);
  },
  exit: (code) => {
    if (app.isReady()) dialog.showErrorBox('NestLab', lastReport);
    app.exit(code);
  },
});

// Before the app is ready, or Chromium does not treat app:// as a secure standard origin.
registerAppScheme(protocol);

// Bundled layout (build/build-electron.js): dist/electron/main.cjs and preload.cjs; dist/renderer/; labs/.
startDesktop({
  app,
  ipcMain,
  protocol,
  createWindow: createMainWindow,
  createEngine: createApp,
  appRoot: join(__dirname, '..', '..'),
  bundleDir: __dirname,
  env: process.env,
  log: consoleLogger,
  openNodeWindow: (target) =>
    void openNodeWebWindow(
      {
        sessionFor: (node) => session.fromPartition(`nestlab-node-${node}`),
        createWindow: ({ title, session: own }) =>
          new BrowserWindow({
            width: 1280,
            height: 860,
            title,
            webPreferences: {
              session: own as Electron.Session,
              sandbox: true,
              contextIsolation: true,
              nodeIntegration: false,
              webviewTag: false,
            },
          }),
      },
      target,
    ),
}).catch((error: unknown) => {
  consoleLogger.error('NestLab could not start', error);
  app.exit(1);
});
