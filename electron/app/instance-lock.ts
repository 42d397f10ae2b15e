/**
 * One NestLab per data folder: `<dataDir>/nestlab.lock` holds the owner's pid. Two instances on
 * one folder would overwrite each other's settings and progress (a second one changed the first
 * one's language). A lock whose process is gone is stale and taken over.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

export const LOCK_FILE = 'nestlab.lock';

export class InstanceLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `Another NestLab is already running with the data folder ${dataDir} (process ${pid}). ` +
        'Use that one, or close it first; to run a second one, give it its own folder (NESTLAB_DATA_DIR).',
    );
    this.name = 'InstanceLockedError';
  }
}

export interface InstanceLock {
  readonly path: string;
  release(): Promise<void>;
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function acquireInstanceLock(
  dataDir: string,
  options: { pid?: number; alive?: (pid: number) => boolean } = {},
): Promise<InstanceLock> {
  const pid = options.pid ?? process.pid;
  const alive = options.alive ?? processAlive;
  const path = join(dataDir, LOCK_FILE);
  await mkdir(dataDir, { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // 'wx': create only if absent, so two instances starting together cannot both win.
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(`${pid}\n`, 'utf8');
      await handle.close();
      let released = false;
      return {
        path,
        async release() {
          if (released) return;
          released = true;
          // Only our own lock: a stale-lock takeover by another instance must survive our exit.
          const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
          if (owner === pid) await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && alive(owner)) throw new InstanceLockedError(dataDir, owner);
    // Stale (the owner crashed) or unreadable: remove it and try again.
    await rm(path, { force: true });
  }
  throw new Error(`Could not take the lock ${path}: it keeps reappearing.`);
}
