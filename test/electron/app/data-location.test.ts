import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createApp } from '../../../electron/app/create-app.ts';
import { silentLogger } from '../../../electron/app/deps.ts';
import { createRouter } from '../../../electron/ipc/router.ts';

const labsDir = fileURLToPath(new URL('../../fixtures/labs/good', import.meta.url));

describe('choosing the data folder', () => {
  let base: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'nestlab-base-'));
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  it('keeps using the current folder until the next start, then uses the chosen one', async () => {
    const chosen = join(base, 'elsewhere', 'nestlab-data');
    let app = await createApp({ shell: 'browser', dataDir: base, labsDir, log: silentLogger });
    expect(await app.handlers['settings.get']({})).toMatchObject({ dataDir: base, nextDataDir: null });
    const saved = await app.handlers['settings.set']({ dataDir: chosen, theme: 'dark' });
    expect(saved).toMatchObject({ dataDir: base, nextDataDir: chosen, theme: 'dark' });
    expect(await readdir(chosen)).toEqual([]);
    await app.close();

    app = await createApp({ shell: 'browser', dataDir: base, labsDir, log: silentLogger });
    expect(await app.handlers['settings.get']({})).toMatchObject({
      dataDir: chosen,
      nextDataDir: null,
      theme: 'dark',
    });
    expect((await app.handlers['app.info']({})).dataDir).toBe(chosen);
    await app.close();
  });

  it('refuses a relative folder with a clear message', async () => {
    const app = await createApp({ shell: 'browser', dataDir: base, labsDir, log: silentLogger });
    const outcome = await createRouter(app.handlers).dispatch('settings.set', { dataDir: 'my-labs' });
    expect(outcome).toEqual({
      error: { code: 'bad-request', message: 'The data folder must be a full path, not "my-labs".' },
    });
    await app.close();
  });
});
