import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createApp } from '../../../electron/app/create-app.ts';
import { silentLogger } from '../../../electron/app/deps.ts';
import { acquireInstanceLock, InstanceLockedError, LOCK_FILE } from '../../../electron/app/instance-lock.ts';
import { repoRoot } from '../../../electron/app/version.ts';

const labsDir = join(repoRoot(), 'labs');

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'nestlab-lock-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(child.stdout);
}

describe('one NestLab per data folder', () => {
  it('refuses a second instance on the same folder and says plainly which process holds it', async () => {
    const first = await createApp({ shell: 'browser', dataDir, labsDir, log: silentLogger });
    try {
      const second = createApp({ shell: 'browser', dataDir, labsDir, log: silentLogger });
      await expect(second).rejects.toBeInstanceOf(InstanceLockedError);
      await expect(second).rejects.toThrow(
        `Another NestLab is already running with the data folder ${dataDir} (process ${process.pid})`,
      );
      expect((await readFile(join(dataDir, LOCK_FILE), 'utf8')).trim()).toBe(String(process.pid));
    } finally {
      await first.close();
    }
    // Closed: the folder is free again.
    const again = await createApp({ shell: 'browser', dataDir, labsDir, log: silentLogger });
    await again.close();
  });

  it('takes over a stale lock left by a process that is gone', async () => {
    const gone = deadPid();
    await writeFile(join(dataDir, LOCK_FILE), `${gone}\n`);
    const lock = await acquireInstanceLock(dataDir);
    expect((await readFile(lock.path, 'utf8')).trim()).toBe(String(process.pid));
    await lock.release();
    await expect(readFile(lock.path, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('treats an unreadable lock file as stale, and a live owner as a clear refusal', async () => {
    await writeFile(join(dataDir, LOCK_FILE), 'garbage');
    const lock = await acquireInstanceLock(dataDir, { pid: 4242, alive: () => true });
    await expect(acquireInstanceLock(dataDir, { pid: 4343, alive: (pid) => pid === 4242 })).rejects.toThrow(
      '(process 4242)',
    );
    await lock.release();
  });
});
