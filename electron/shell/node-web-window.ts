/**
 * "Open the node's own web interface": an app window on a real node's https://<address>:8006 that
 * trusts exactly one certificate, the node's pinned one, in a session of its own (no cookies shared
 * with NestLab, no preload, sandboxed, no pop-ups, no navigation away from the node).
 */
import type { BrowserWindow as ElectronBrowserWindow, Session } from 'electron';

export interface NodeWebTarget {
  node: string;
  url: string;
  /** SHA-256 of the node's certificate, `AB:CD:…` (what NestLab pinned). */
  fingerprint: string;
}

/** Electron names a certificate `sha256/<base64 of the digest>`; NestLab pins hex pairs. */
export function electronFingerprint(hexPairs: string): string {
  const bytes = Buffer.from(hexPairs.replace(/:/g, ''), 'hex');
  return `sha256/${bytes.toString('base64')}`;
}

type SessionLike = Pick<
  Session,
  'setCertificateVerifyProc' | 'setPermissionRequestHandler' | 'setPermissionCheckHandler'
>;
interface WindowLike {
  webContents: Pick<ElectronBrowserWindow['webContents'], 'setWindowOpenHandler' | 'on'>;
  loadURL(url: string): Promise<void>;
}

export interface NodeWebWindowDeps {
  /** A fresh in-memory session per node (`session.fromPartition('nestlab-node-<node>')`). */
  sessionFor(node: string): SessionLike;
  createWindow(options: { title: string; session: SessionLike }): WindowLike;
}

export function openNodeWebWindow(deps: NodeWebWindowDeps, target: NodeWebTarget): WindowLike {
  const origin = new URL(target.url);
  if (origin.protocol !== 'https:')
    throw new Error(`${target.node}: the web interface must be https, not ${target.url}`);
  const pinned = electronFingerprint(target.fingerprint);
  const session = deps.sessionFor(target.node);
  // 0 = trusted, -2 = rejected; Chromium's own verdict is never consulted (the node's CA is self-made).
  session.setCertificateVerifyProc((request, callback) => {
    callback(request.hostname === origin.hostname && request.certificate.fingerprint === pinned ? 0 : -2);
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  const window = deps.createWindow({ title: `${target.node} — Proxmox VE`, session });
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event, url) => {
    if (new URL(url).origin !== origin.origin) event.preventDefault();
  });
  void window.loadURL(target.url);
  return window;
}
