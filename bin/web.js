#!/usr/bin/env node
// `npm run web`: the browser host. Builds the renderer first when it is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'dist', 'renderer', 'index.html'))) {
  console.log('Building the user interface once (npm run build)…');
  const built = spawnSync('npm', ['run', 'build', '--silent'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
process.argv.splice(2, 0, 'web');
await import('./nestlab.js');
