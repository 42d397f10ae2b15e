/** The node web window trusts the pinned certificate only, on the node's own origin only. */
import { createHash } from 'node:crypto';

import { describe, expect, it, vi } from 'vitest';

import { electronFingerprint, openNodeWebWindow } from '../../../electron/shell/node-web-window.ts';

type Verify = (
  request: { hostname: string; certificate: { fingerprint: string } },
  callback: (code: number) => void,
) => void;

function fakes() {
  const state: {
    verify?: Verify;
    permission?: (c: unknown, p: string, cb: (ok: boolean) => void) => void;
    openHandler?: () => { action: string };
    navigate?: (event: { preventDefault: () => void }, url: string) => void;
    loaded?: string;
    title?: string;
  } = {};
  const session = {
    setCertificateVerifyProc: (proc: Verify) => (state.verify = proc),
    setPermissionRequestHandler: (h: typeof state.permission) => (state.permission = h),
    setPermissionCheckHandler: vi.fn(),
  };
  const deps = {
    sessionFor: vi.fn(() => session),
    createWindow: (options: { title: string }) => {
      state.title = options.title;
      return {
        webContents: {
          setWindowOpenHandler: (h: typeof state.openHandler) => (state.openHandler = h),
          on: (_e: string, h: typeof state.navigate) => (state.navigate = h),
        },
        loadURL: (url: string) => {
          state.loaded = url;
          return Promise.resolve();
        },
      };
    },
  };
  return { state, deps };
}

describe('node web window', () => {
  const der = Buffer.from('a certificate');
  const digest = createHash('sha256').update(der).digest();
  const hex = [...digest].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':');

  it('names fingerprints as Electron does', () => {
    expect(electronFingerprint(hex)).toBe(`sha256/${digest.toString('base64')}`);
  });

  it('accepts exactly the pinned certificate on the node’s host and nothing else', () => {
    const { state, deps } = fakes();
    // @ts-expect-error the fakes cover what the factory uses
    openNodeWebWindow(deps, { node: 'pve1', url: 'https://192.168.56.11:8006/', fingerprint: hex });
    expect(deps.sessionFor).toHaveBeenCalledWith('pve1');
    expect(state.loaded).toBe('https://192.168.56.11:8006/');
    const verdict = (hostname: string, fingerprint: string) => {
      let code = 99;
      state.verify!({ hostname, certificate: { fingerprint } }, (c) => (code = c));
      return code;
    };
    expect(verdict('192.168.56.11', electronFingerprint(hex))).toBe(0);
    expect(verdict('192.168.56.11', 'sha256/AAAA')).toBe(-2);
    expect(verdict('evil.example', electronFingerprint(hex))).toBe(-2);
    let allowed: boolean | undefined;
    state.permission!(null, 'media', (ok) => (allowed = ok));
    expect(allowed).toBe(false);
    expect(state.openHandler!()).toEqual({ action: 'deny' });
    const away = { preventDefault: vi.fn() };
    state.navigate!(away, 'https://evil.example/');
    expect(away.preventDefault).toHaveBeenCalled();
    const inside = { preventDefault: vi.fn() };
    state.navigate!(inside, 'https://192.168.56.11:8006/#v1:0:=node%2Fpve1');
    expect(inside.preventDefault).not.toHaveBeenCalled();
  });

  it('refuses a plain-http address', () => {
    const { deps } = fakes();
    const open = () =>
      // @ts-expect-error the fakes cover what the factory uses
      openNodeWebWindow(deps, { node: 'pve1', url: 'http://192.168.56.11:8006/', fingerprint: hex });
    expect(open).toThrow(/must be https/);
  });
});
