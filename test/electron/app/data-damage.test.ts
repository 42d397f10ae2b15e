/**
 * Damaged data files (issue #10): each is kept aside and said, never silently dropped, and never
 * takes other data with it. And the user's mistakes come back with the right code, without the
 * data folder's path. Through the app's handlers and router, on the embedded simulator.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createApp, type App } from '../../../electron/app/create-app.ts';
import type { Logger } from '../../../electron/app/deps.ts';
import { createRouter } from '../../../electron/ipc/router.ts';

const labsDir = fileURLToPath(new URL('../../../labs', import.meta.url));

describe('damaged data and user mistakes through the app', () => {
  let dataDir: string;
  let app: App | undefined;
  let warnings: string[];
  const log = (): Logger => ({
    info: () => undefined,
    warn: (m) => void warnings.push(m),
    error: () => undefined,
  });

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'nestlab-damage-'));
    warnings = [];
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('says once that settings and the trust file were damaged, keeps both aside, and cleans stale temp files', async () => {
    await writeFile(join(dataDir, 'settings.json'), '{"lang": "es", oops');
    await writeFile(join(dataDir, 'trusted-fingerprints.json'), 'null\n');
    const stale = join(dataDir, 'settings.json.1234567');
    await writeFile(stale, '{}');
    await utimes(stale, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    app = await createApp({ shell: 'browser', dataDir, labsDir, log: log() });

    const info = await app.handlers['app.info']({});
    const kinds = (info.notices ?? []).map((n) => n.kind).sort();
    expect(kinds).toEqual(['settings-damaged', 'trust-damaged']);
    for (const notice of info.notices ?? []) {
      expect(notice.file).toMatch(/\.damaged-\d+$/);
      // The old file is where the notice says.
      expect((await stat(notice.file)).isFile()).toBe(true);
    }
    expect(warnings.some((w) => w.startsWith('settings could not be read; using the defaults'))).toBe(true);
    expect(warnings.filter((w) => w.includes('settings could not be read'))).toHaveLength(1);
    expect(await readdir(dataDir)).not.toContain('settings.json.1234567');
    expect(warnings).toContain(`removed a temporary file left by an interrupted save: ${stale}`);
    // Settings still work (defaults), and the next save writes a fresh file.
    expect((await app.handlers['settings.set']({ lang: 'fr' })).lang).toBe('fr');
  });

  it('a damaged progress file, or a folder in its place, is said in the lab state with where it went', async () => {
    await mkdir(join(dataDir, 'progress', 'quorum.sim.json'), { recursive: true });
    app = await createApp({ shell: 'browser', dataDir, labsDir, log: log() });
    const opened = await app.handlers['lab.open']({ labId: 'quorum' });
    expect(opened.notice?.kind).toBe('progress-damaged');
    expect(opened.notice?.file).toMatch(/progress\/quorum\.sim\.json\.unreadable-\d+$/);
    expect((await stat(opened.notice!.file)).isDirectory()).toBe(true);
    expect(opened.steps[0]?.status).toBe('active');
    expect((await app.handlers['lab.getState']({}))?.notice?.kind).toBe('progress-damaged');
  });

  it('answers unknown drill runs, steps and a reboot of a powered-off node with the user-facing code', async () => {
    app = await createApp({ shell: 'browser', dataDir, labsDir, log: log() });
    const router = createRouter(app.handlers, { log: () => undefined });
    const error = async (method: string, params: unknown) => {
      const outcome = await router.dispatch(method, params);
      expect('error' in outcome).toBe(true);
      const { code, message } = (outcome as { error: { code: string; message: string } }).error;
      expect(message).not.toContain(dataDir);
      return { code, message };
    };
    expect(await error('drill.report', { labId: 'quorum', runId: 'no-such-run' })).toEqual({
      code: 'not-found',
      message: 'No drill run "no-such-run" for lab "quorum".',
    });
    expect((await error('drill.export', { labId: 'quorum', runId: 'no-such-run', format: 'csv' })).code).toBe(
      'not-found',
    );
    expect(await router.dispatch('drill.history', { labId: 'quorum' })).toEqual({ result: [] });

    await app.handlers['lab.open']({ labId: 'quorum' });
    for (const method of ['lab.solveStep', 'lab.solveUpTo', 'lab.showHint']) {
      expect(await error(method, { stepId: 'no-such-step' })).toEqual({
        code: 'not-found',
        message: 'Lab "quorum" has no step "no-such-step" in profile "sim".',
      });
    }
    const node = 'pve3';
    await app.handlers['machine.act']({ machine: node, action: 'power-off' });
    expect(await error('machine.act', { machine: node, action: 'reboot' })).toEqual({
      code: 'conflict',
      message: `Machine "${node}" is powered off; power it on instead of rebooting it.`,
    });
  });

  it('refuses a data folder in /proc at once, and a location file pointing there at start', async () => {
    app = await createApp({ shell: 'browser', dataDir, labsDir, log: log() });
    const router = createRouter(app.handlers, { log: () => undefined });
    const outcome = await router.dispatch('settings.set', { dataDir: '/proc/self/x' });
    expect(outcome).toMatchObject({ error: { code: 'bad-request' } });
    expect((outcome as { error: { message: string } }).error.message).toMatch(
      /\/proc\/self\/x is inside \/proc/,
    );
    await app.close();

    await writeFile(join(dataDir, 'location.json'), JSON.stringify({ dataDir: '/proc/self/x' }));
    app = await createApp({ shell: 'browser', dataDir, labsDir, log: log() });
    const info = await app.handlers['app.info']({});
    expect(info.dataDir).toBe(dataDir);
    expect(info.notices).toEqual([{ kind: 'data-dir-unusable', file: '/proc/self/x' }]);
  });

  it('a usable chosen folder is made and kept', async () => {
    app = await createApp({ shell: 'browser', dataDir, labsDir, log: log() });
    const chosen = join(dataDir, 'elsewhere', 'nested');
    const settings = await app.handlers['settings.set']({ dataDir: chosen });
    expect(settings.nextDataDir).toBe(chosen);
    expect((await stat(chosen)).isDirectory()).toBe(true);
    expect(JSON.parse(await readFile(join(dataDir, 'location.json'), 'utf8'))).toEqual({ dataDir: chosen });
  });
});
