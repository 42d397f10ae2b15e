/**
 * Where progress, drill history and trusted fingerprints live. The learner may choose another
 * folder in Settings; the choice is kept next to the settings (in the default folder) and used
 * from the next start, so nothing moves under a running lab.
 */
import { mkdir, readFile } from 'node:fs/promises';

import { dataFolderProblem } from './data-folder-check.ts';
import { isAbsolute, join, resolve } from 'node:path';

import writeFileAtomic from 'write-file-atomic';

import { ApiError } from '../contract/errors.ts';

const LOCATION_FILE = 'location.json';

export async function chosenDataDir(baseDir: string): Promise<string | null> {
  try {
    const { dataDir } = JSON.parse(await readFile(join(baseDir, LOCATION_FILE), 'utf8')) as {
      dataDir?: unknown;
    };
    return typeof dataDir === 'string' && isAbsolute(dataDir) ? dataDir : null;
  } catch {
    return null;
  }
}

/**
 * The folder to use now: the chosen one if it passes the bounded check, otherwise the default
 * (and `unusable` names the chosen folder, so the app can say so).
 */
export async function checkedDataDir(
  baseDir: string,
): Promise<{ dataDir: string; unusable?: string; problem?: string }> {
  const chosen = await chosenDataDir(baseDir);
  if (!chosen) return { dataDir: baseDir };
  const problem = await dataFolderProblem(chosen);
  return problem === null ? { dataDir: chosen } : { dataDir: baseDir, unusable: chosen, problem };
}

export async function resolveDataDir(baseDir: string): Promise<string> {
  return (await checkedDataDir(baseDir)).dataDir;
}

export async function chooseDataDir(baseDir: string, dir: string): Promise<string> {
  if (!isAbsolute(dir))
    throw new ApiError('bad-request', `The data folder must be a full path, not "${dir}".`);
  const target = resolve(dir);
  const problem = await dataFolderProblem(target);
  if (problem !== null)
    throw new ApiError('bad-request', `Cannot use this folder for NestLab's data: ${problem}.`);
  await mkdir(baseDir, { recursive: true });
  await writeFileAtomic(join(baseDir, LOCATION_FILE), JSON.stringify({ dataDir: target }, null, 2) + '\n');
  return target;
}
