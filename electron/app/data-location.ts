/**
 * Where progress, drill history and trusted fingerprints live. The learner may choose another
 * folder in Settings; the choice is kept next to the settings (in the default folder) and used
 * from the next start, so nothing moves under a running lab.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';

import writeFileAtomic from 'write-file-atomic';

import { ApiError } from '../contract/errors.ts';

const LOCATION_FILE = 'location.json';

export async function chosenDataDir(baseDir: string): Promise<string | null> {
  try {
    const { dataDir } = JSON.parse(await readFile(join(baseDir, LOCATION_FILE), 'utf8')) as { dataDir?: unknown };
    return typeof dataDir === 'string' && isAbsolute(dataDir) ? dataDir : null;
  } catch {
    return null;
  }
}

/** The folder to use now: the chosen one if it exists or can be made, otherwise the default. */
export async function resolveDataDir(baseDir: string): Promise<string> {
  const chosen = await chosenDataDir(baseDir);
  if (!chosen) return baseDir;
  try {
    await mkdir(chosen, { recursive: true });
    return chosen;
  } catch {
    return baseDir;
  }
}

export async function chooseDataDir(baseDir: string, dir: string): Promise<string> {
  if (!isAbsolute(dir)) throw new ApiError('bad-request', `The data folder must be a full path, not "${dir}".`);
  const target = resolve(dir);
  try {
    await mkdir(target, { recursive: true });
  } catch (error) {
    throw new ApiError('bad-request', `Cannot use ${target} as the data folder: ${(error as Error).message}`);
  }
  await mkdir(baseDir, { recursive: true });
  await writeFileAtomic(join(baseDir, LOCATION_FILE), JSON.stringify({ dataDir: target }, null, 2) + '\n');
  return target;
}
