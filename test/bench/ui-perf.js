// UI performance, measured (not asserted): first paint of the lab library in Chromium through the
// browser host, and the gzipped size of the production renderer bundle.
// Run after `npm run build`:  node test/bench/ui-perf.js [runs]
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { chromium } from 'playwright-core';
import { register } from 'tsx/esm/api';

register();
const { startBrowserHost } = await import('../../electron/server.ts');

const runs = Number(process.argv[2] ?? 7);
const dist = join(process.cwd(), 'dist', 'renderer');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(
    `Chromium not found at ${CHROMIUM}: install Debian's (apt-get install chromium) or set CHROMIUM_PATH.`,
  );
  process.exit(1);
}
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function bundleSizes() {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(js|css|html)$/.test(name)) files.push(path);
    }
  };
  walk(dist);
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const content = readFileSync(file);
    raw += content.length;
    gzip += gzipSync(content, { level: 9 }).length;
  }
  return { files: files.length, raw, gzip };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const dataDir = mkdtempSync(join(tmpdir(), 'nestlab-bench-'));
const server = await startBrowserHost({ dataDir, backend: 'sim', log: { info() {}, warn() {}, error() {} } });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const fcp = [];
const library = [];
try {
  for (let i = 0; i < runs; i++) {
    // A fresh context each time: nothing cached (the host also sends Cache-Control: no-store).
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    await page.goto(server.host.url);
    await page.waitForSelector('[data-testid^="lab-card-"]', { timeout: 30_000 });
    const timings = await page.evaluate(() => ({
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
      library: performance.now(),
    }));
    // The first run warms the host's and the OS's file caches; it is reported but not counted.
    if (i > 0) {
      if (timings.fcp !== null) fcp.push(timings.fcp);
      library.push(timings.library);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}

const size = bundleSizes();
console.log(
  `renderer bundle: ${size.files} files, ${(size.raw / 1024).toFixed(1)} KiB raw, ${(size.gzip / 1024).toFixed(1)} KiB gzipped (target ≤ 600 KB)`,
);
console.log(
  `first contentful paint: median ${median(fcp).toFixed(0)} ms over ${fcp.length} cold loads (min ${Math.min(...fcp).toFixed(0)}, max ${Math.max(...fcp).toFixed(0)})`,
);
console.log(
  `library cards on screen: median ${median(library).toFixed(0)} ms over ${library.length} cold loads (min ${Math.min(...library).toFixed(0)}, max ${Math.max(...library).toFixed(0)}) (target ≤ 1 s)`,
);
