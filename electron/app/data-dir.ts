/** Where NestLab keeps settings, progress and drill history when not told otherwise. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.NESTLAB_DATA_DIR) return env.NESTLAB_DATA_DIR;
  const home = homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'NestLab');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'NestLab');
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'nestlab');
}
