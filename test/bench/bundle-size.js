// What the renderer downloads, measured (not asserted) in Chromium through the browser host: the
// gzipped JS and CSS each screen requests — the library (first screen), the lab run screen, and
// what the Datacenter tab, a terminal and the drill add when first opened (they are lazy chunks).
// Run after `npm run build`:  node test/bench/bundle-size.js      target: lab run screen ≤ 200 KB
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { chromium } from 'playwright-core';
import { register } from 'tsx/esm/api';

register();
const { startBrowserHost } = await import('../../electron/server.ts');

const dist = join(process.cwd(), 'dist', 'renderer');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM) || !existsSync(join(dist, 'index.html'))) {
  console.error('Needs Chromium (or CHROMIUM_PATH) and a build (npm run build).');
  process.exit(1);
}

const gz = (path) => gzipSync(readFileSync(path), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

const dataDir = mkdtempSync(join(tmpdir(), 'nestlab-bench-bundle-'));
const server = await startBrowserHost({
  dataDir,
  backend: 'sim',
  log: { debug() {}, info() {}, warn() {}, error() {} },
});
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const seen = new Set();
let marker = new Set();
const take = () => {
  const fresh = [...seen].filter((f) => !marker.has(f));
  marker = new Set(seen);
  return { files: fresh, gzip: fresh.reduce((sum, f) => sum + gz(join(dist, f)), 0) };
};
const rows = [];
try {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname.replace(/^\//, '');
    if (/\.(js|css)$/.test(path) && existsSync(join(dist, path))) seen.add(path);
  });
  await page.goto(server.host.url);
  await page.waitForSelector('[data-testid^="lab-card-"]', { timeout: 30_000 });
  const library = take();
  rows.push(['library (first screen)', library]);
  await page.click('[data-testid="lab-card-proxmox-ha-basics"] button');
  await page.waitForSelector('[data-testid="topology"]', { timeout: 30_000 });
  const run = take();
  rows.push(['+ lab run screen', run]);
  rows.push([
    '= lab run screen in total',
    { files: [...library.files, ...run.files], gzip: library.gzip + run.gzip },
  ]);
  await page.click('[role="tab"][id$="-datacenter"]');
  await page.waitForSelector('[data-testid="tree-node-pve1"]', { timeout: 30_000 });
  rows.push(['+ Datacenter tab', take()]);
  await page.click('[role="tab"][id$="-terminal:pve1"]');
  await page.waitForSelector('[data-testid="terminal-pve1"] .xterm', { timeout: 30_000 });
  rows.push(['+ first terminal', take()]);
  await page.click('[data-nav="drill"]');
  await page.waitForSelector('main[data-view="drill"]', { timeout: 30_000 });
  rows.push(['+ drill view', take()]);
} finally {
  await browser.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
for (const [what, { files, gzip }] of rows)
  console.log(`${what.padEnd(28)} ${kb(gzip).padStart(10)} gzipped  ${files.join(' ')}`);
