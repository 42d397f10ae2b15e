#!/usr/bin/env node
// `npm start`: the desktop app on the embedded simulator. Where Electron cannot run (its binary
// cannot be downloaded, or there is no display) say why in one line and start the browser host.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function electronBinary() {
  const pkgDir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(pkgDir, 'path.txt');
  const installed = () =>
    existsSync(pathFile) && existsSync(join(pkgDir, 'dist', readFileSync(pathFile, 'utf8')));
  if (!installed()) {
    // Electron's downloader (the electron package, @electron/get) needs Node ≥ 22.12; the engine and
    // the CLI need only Node 20.19, and the desktop app runs on the Node inside Electron.
    const [major, minor] = process.versions.node.split('.').map(Number);
    if (major < 22 || (major === 22 && minor < 12)) {
      return { error: `Electron's downloader needs Node ≥ 22.12 (this is Node ${process.versions.node})` };
    }
    // Electron ≥ 45 fetches its binary on first run; try once, quietly, with a time limit.
    const fetched = spawnSync(process.execPath, [join(pkgDir, 'install.js')], {
      encoding: 'utf8',
      timeout: 180_000,
    });
    if (fetched.status !== 0 || !installed()) {
      const reason = `${fetched.stderr ?? ''}${fetched.error?.message ?? ''}`.match(
        /(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|403|404)[^\n]*/,
      )?.[0];
      return { error: `Electron's binary could not be downloaded${reason ? ` (${reason.trim()})` : ''}` };
    }
  }
  return { path: join(pkgDir, 'dist', readFileSync(pathFile, 'utf8')) };
}

function hasDisplay() {
  if (process.platform !== 'linux') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

if (!existsSync(join(root, 'dist', 'renderer', 'index.html'))) run('npm', ['run', 'build', '--silent']);

const electron = hasDisplay()
  ? electronBinary()
  : { error: 'there is no display (DISPLAY/WAYLAND_DISPLAY unset)' };
if (electron.path) {
  run('npm', ['run', 'build:electron', '--silent']);
  const child = spawn(electron.path, [join(root, 'dist', 'electron', 'main.cjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(`Cannot open the desktop app: ${electron.error}. Starting the browser host instead.`);
  process.argv.splice(2, 0, 'web');
  await import('./nestlab.js');
}
