import { describe, expect, it, vi } from 'vitest';

// A fake of Electron's BrowserWindow and shell: the window factory must apply every default itself.
const created: { options: Record<string, unknown>; window: FakeWindow }[] = [];
const openExternal = vi.fn();

class FakeWindow {
  handlers = new Map<string, (...args: unknown[]) => void>();
  openHandler: ((d: { url: string }) => { action: string }) | undefined;
  permissionRequest: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | undefined;
  headerHook: unknown;
  webContents = {
    session: {
      setPermissionRequestHandler: (h: FakeWindow['permissionRequest']) => (this.permissionRequest = h),
      setPermissionCheckHandler: () => undefined,
      webRequest: { onHeadersReceived: (h: unknown) => (this.headerHook = h) },
    },
    setWindowOpenHandler: (h: FakeWindow['openHandler']) => (this.openHandler = h),
    on: (event: string, h: (...args: unknown[]) => void) => this.handlers.set(`wc:${event}`, h),
  };
  constructor(options: Record<string, unknown>) {
    created.push({ options, window: this });
  }
  once(event: string, h: () => void): void {
    this.handlers.set(event, h);
  }
  show = vi.fn();
}

vi.mock('electron', () => ({ BrowserWindow: FakeWindow, shell: { openExternal } }));

describe('main window factory', () => {
  it('creates a hidden, sandboxed window with every handler in place before anything loads', async () => {
    const { createMainWindow } = await import('../../../electron/shell/window.ts');
    createMainWindow('/app/dist/electron/preload.cjs');
    const [{ options, window }] = created as [(typeof created)[number]];
    expect(options).toMatchObject({
      show: false,
      webPreferences: {
        preload: '/app/dist/electron/preload.cjs',
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        webviewTag: false,
        webSecurity: true,
      },
    });
    expect(window.permissionRequest).toBeTypeOf('function');
    expect(window.headerHook).toBeTypeOf('function');
    expect(window.openHandler?.({ url: 'https://pve.proxmox.com/' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://pve.proxmox.com/');
    expect(window.handlers.has('wc:will-navigate')).toBe(true);
    window.handlers.get('ready-to-show')?.();
    expect(window.show).toHaveBeenCalled();
  });
});
