import { describe, expect, it, vi } from 'vitest';

import {
  RENDERER_CSP,
  hardenSession,
  hardenWebContents,
  isSafeExternalUrl,
  secureWebPreferences,
} from '../../../electron/shell/security.ts';

describe('window security defaults', () => {
  it('sandboxes the renderer and isolates the preload', () => {
    const prefs = secureWebPreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    });
  });

  it('denies every permission request and check, and adds the CSP header', () => {
    let requestHandler: ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void) | undefined;
    let checkHandler: (() => boolean) | undefined;
    let headersHandler:
      | ((details: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void)
      | undefined;
    const session = {
      setPermissionRequestHandler: (h: typeof requestHandler) => (requestHandler = h),
      setPermissionCheckHandler: (h: typeof checkHandler) => (checkHandler = h),
      webRequest: { onHeadersReceived: (h: typeof headersHandler) => (headersHandler = h) },
    };
    hardenSession(session as never);
    const decisions: boolean[] = [];
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read']) {
      requestHandler?.({}, permission, (ok) => decisions.push(ok));
    }
    expect(decisions).toEqual([false, false, false, false]);
    expect(checkHandler?.()).toBe(false);
    let response: { responseHeaders: Record<string, string[]> } | undefined;
    headersHandler?.({ responseHeaders: { 'X-Other': ['1'] } }, (r) => (response = r as typeof response));
    expect(response?.responseHeaders['Content-Security-Policy']).toEqual([RENDERER_CSP]);
    expect(response?.responseHeaders['X-Other']).toEqual(['1']);
    expect(RENDERER_CSP).toContain("script-src 'self'");
    expect(RENDERER_CSP).not.toContain('unsafe-eval');
  });

  it('denies window.open, sending only https links to the system browser', () => {
    let openHandler: ((d: { url: string }) => { action: string }) | undefined;
    const events = new Map<string, (e: { preventDefault: () => void }) => void>();
    const contents = {
      setWindowOpenHandler: (h: typeof openHandler) => (openHandler = h),
      on: (name: string, h: (e: { preventDefault: () => void }) => void) => events.set(name, h),
    };
    const openExternal = vi.fn();
    hardenWebContents(contents as never, openExternal);
    expect(openHandler?.({ url: 'https://pve.proxmox.com/wiki/High_Availability' })).toEqual({
      action: 'deny',
    });
    expect(openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(openHandler?.({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['https://pve.proxmox.com/wiki/High_Availability']]);
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const preventDefault = vi.fn();
      events.get(name)?.({ preventDefault });
      expect(preventDefault, name).toHaveBeenCalled();
    }
  });

  it('opens only https links to the sites the app itself links to (issue #10)', () => {
    expect(isSafeExternalUrl('https://pve.proxmox.com/pve-docs/chapter-ha-manager.html')).toBe(true);
    expect(isSafeExternalUrl('https://www.virtualbox.org/wiki/Downloads')).toBe(true);
    expect(isSafeExternalUrl('https://example.org')).toBe(false);
    expect(isSafeExternalUrl('https://pve.proxmox.com.evil.example/')).toBe(false);
    expect(isSafeExternalUrl('https://user:pw@pve.proxmox.com/')).toBe(false);
    expect(isSafeExternalUrl('https://pve.proxmox.com:8443/')).toBe(false);
    expect(isSafeExternalUrl('http://pve.proxmox.com/')).toBe(false);
    expect(isSafeExternalUrl('not a url')).toBe(false);
  });
});
