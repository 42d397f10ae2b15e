/**
 * The renderer is served from `app://nestlab/`, a privileged custom scheme, not from `file://`:
 * under `file://`, CSP `'self'` and the IPC trust check would cover every local file, and Electron
 * gives file pages extra privileges (the grantFileProtocolExtraPrivileges fuse is off, see
 * build/electron-builder.yml). Only files inside the built renderer folder are answered.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

import type { Protocol } from 'electron';

import { RENDERER_CSP } from './security.ts';
import { STATIC_MIME as MIME } from '../ipc/static-mime.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'nestlab';
export const RENDERER_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Registered before the app is ready: a standard, secure origin (so `'self'` means app://nestlab). */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** The file an app:// URL names inside `rendererDir`; null for another host, a bad path or a way out. */
export function rendererFileFor(rendererDir: string, url: string): { file: string } | { status: 400 | 404 } {
  let parsed: URL;
  let pathname: string;
  try {
    parsed = new URL(url);
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return { status: 400 };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return { status: 404 };
  if (pathname.includes('\0')) return { status: 400 };
  const root = resolve(rendererDir);
  const file = normalize(join(root, pathname === '/' ? 'index.html' : pathname));
  if (!file.startsWith(root + sep)) return { status: 404 };
  return { file };
}

const HEADERS = { 'Content-Security-Policy': RENDERER_CSP, 'X-Content-Type-Options': 'nosniff' };

export async function answerAppRequest(rendererDir: string, url: string): Promise<Response> {
  const found = rendererFileFor(rendererDir, url);
  if ('status' in found) return new Response(null, { status: found.status, headers: HEADERS });
  try {
    const body = await readFile(found.file);
    return new Response(body, {
      status: 200,
      headers: { ...HEADERS, 'Content-Type': MIME[extname(found.file)] ?? 'application/octet-stream' },
    });
  } catch {
    return new Response(null, { status: 404, headers: HEADERS });
  }
}

/** Answers app:// from the built renderer folder (after the app is ready). */
export function serveAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => answerAppRequest(rendererDir, request.url));
}
