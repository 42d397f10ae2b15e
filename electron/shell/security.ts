/**
 * The desktop window's security defaults: sandboxed web preferences, a strict CSP header,
 * navigation and window.open denied, every permission request denied, and only links to an
 * allow-listed site (Proxmox's and VirtualBox's documentation, the project's pages) opened in the
 * system browser. A lab's Markdown may link anywhere; those links are not followed.
 */
import type { Session, WebContents, WebPreferences } from 'electron';

export const RENDERER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; " +
  "form-action 'none'";

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

type SessionLike = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> & {
  webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>;
};

export function hardenSession(session: SessionLike): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [RENDERER_CSP],
        'X-Content-Type-Options': ['nosniff'],
      },
    });
  });
}

type WebContentsLike = Pick<WebContents, 'setWindowOpenHandler' | 'on'>;

/** Sites the app itself links to. */
export const EXTERNAL_LINK_HOSTS: readonly string[] = [
  'pve.proxmox.com',
  'www.proxmox.com',
  'proxmox.com',
  'forum.proxmox.com',
  'www.virtualbox.org',
  'nestlab.dev',
];

/** Only https links to an allow-listed site leave the app, and only through the system browser. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      parsed.protocol === 'https:' &&
      parsed.username === '' &&
      parsed.password === '' &&
      parsed.port === '' &&
      EXTERNAL_LINK_HOSTS.includes(parsed.hostname)
    );
  } catch {
    return false;
  }
}

export function hardenWebContents(contents: WebContentsLike, openExternal: (url: string) => void): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
