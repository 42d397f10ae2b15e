import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createApp, type App } from '../../../electron/app/create-app.ts';
import { silentLogger } from '../../../electron/app/deps.ts';
import { repoRoot } from '../../../electron/app/version.ts';
import type { LabLibrary, LabRunInfo } from '../../../electron/contract/dto.ts';
import { createRouter } from '../../../electron/ipc/router.ts';

let dataDir: string;
let app: App | undefined;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'nestlab-course-'));
  app = await createApp({
    shell: 'browser',
    dataDir,
    labsDir: join(repoRoot(), 'labs'),
    log: silentLogger,
    backend: 'sim',
  });
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

async function call<T>(method: string, params: unknown): Promise<T> {
  const outcome = await createRouter(app!.handlers).dispatch(method, params);
  if ('error' in outcome) throw new Error(`${method}: ${outcome.error.message}`);
  return outcome.result as T;
}

describe('the seed labs as a course', () => {
  it('lists the beginner lab first, then each lab’s next one, not alphabetically', async () => {
    const library = await call<LabLibrary>('lab.list', { lang: 'en' });
    expect(library.labs.map((l) => l.id)).toEqual(['proxmox-ha-basics', 'quorum', 'ha-rules-and-failback']);
    expect(library.labs[0]?.course).toEqual({ order: 1, next: 'quorum' });
    expect(library.labs[1]?.course?.startsFrom).toBe('proxmox-ha-basics');
  });

  it('opens a lab that starts where proxmox-ha-basics ends already there, its setup marked as NestLab’s', async () => {
    const opened = await call<LabRunInfo>('lab.open', { labId: 'quorum', lang: 'en' });
    expect(opened.steps.find((s) => s.id === 'prepare-cluster')?.startingPoint).toBe(true);
    const later = opened.steps.find((s) => s.id !== 'prepare-cluster' && !s.startingPoint);
    expect(later).toBeDefined();
    await call('sim.setSpeed', { speed: 'max' });
    let state = opened;
    for (
      let i = 0;
      i < 600 && state.steps.find((s) => s.id === 'prepare-cluster')?.status !== 'passed';
      i++
    ) {
      if (state.error) throw new Error(state.error);
      await new Promise((r) => setTimeout(r, 100));
      state = await call<LabRunInfo>('lab.getState', {});
    }
    expect(state.steps.find((s) => s.id === 'prepare-cluster')).toMatchObject({
      status: 'passed',
      solvedBy: 'nestlab',
    });
  }, 120_000);
});
