import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { answerAppRequest, registerAppScheme, RENDERER_URL } from '../../../electron/shell/app-protocol.ts';
import { RENDERER_CSP } from '../../../electron/shell/security.ts';

describe('app:// renderer scheme', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nestlab-app-scheme-'));
    await mkdir(join(dir, 'renderer', 'assets'), { recursive: true });
    await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>NestLab</title>');
    await writeFile(join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)');
    await writeFile(join(dir, 'secret.txt'), 'outside');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const root = (): string => join(dir, 'renderer');

  it('registers app as a secure standard scheme', () => {
    const registered: unknown[] = [];
    registerAppScheme({ registerSchemesAsPrivileged: (s) => void registered.push(...s) });
    expect(registered).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
  });

  it('serves the renderer with the CSP, and its assets with their types', async () => {
    const page = await answerAppRequest(root(), RENDERER_URL);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(await page.text()).toContain('NestLab');
    const asset = await answerAppRequest(root(), 'app://nestlab/assets/app.js');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it('answers nothing outside the renderer folder, from another host or for a bad path', async () => {
    expect((await answerAppRequest(root(), 'app://nestlab/..%2fsecret.txt')).status).toBe(404);
    expect((await answerAppRequest(root(), 'app://nestlab/%2e%2e/secret.txt')).status).toBe(404);
    expect((await answerAppRequest(root(), 'app://other/index.html')).status).toBe(404);
    expect((await answerAppRequest(root(), 'app://nestlab/%E0%A4%A')).status).toBe(400);
    expect((await answerAppRequest(root(), 'app://nestlab/a%00b')).status).toBe(400);
    expect((await answerAppRequest(root(), 'app://nestlab/missing.js')).status).toBe(404);
  });
});

describe('Electron fuses in build/electron-builder.yml', () => {
  it('are all set, the file protocol one off (the renderer is on app://)', () => {
    const config = parse(
      readFileSync(fileURLToPath(new URL('../../../build/electron-builder.yml', import.meta.url)), 'utf8'),
    ) as { electronFuses: Record<string, boolean> };
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
