/**
 * Files only their user may read (secrets, the trust store). A copy restored from a backup or
 * written by an older version may be group- or world-readable; it is tightened to 0600 and the
 * caller says so. On Windows, modes do not apply.
 */
import { chmod, stat } from 'node:fs/promises';

export const PRIVATE_FILE_MODE = 0o600;

/** Tightens `file` to 0600 when others could read or write it; true when it had to. */
export async function tightenPrivateFile(file: string): Promise<{ tightened: boolean; was?: number }> {
  if (process.platform === 'win32') return { tightened: false };
  const info = await stat(file);
  const mode = info.mode & 0o777;
  if ((mode & 0o077) === 0) return { tightened: false };
  await chmod(file, PRIVATE_FILE_MODE);
  return { tightened: true, was: mode };
}

export function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
