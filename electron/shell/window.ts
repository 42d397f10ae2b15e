/** BrowserWindow factory with the security defaults applied before any content loads. */
import { BrowserWindow, shell } from 'electron';

import { hardenSession, hardenWebContents, secureWebPreferences } from './security.ts';

export function createMainWindow(preloadPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'NestLab',
    webPreferences: secureWebPreferences(preloadPath),
  });
  hardenSession(window.webContents.session);
  hardenWebContents(window.webContents, (url) => void shell.openExternal(url));
  window.once('ready-to-show', () => window.show());
  return window;
}
