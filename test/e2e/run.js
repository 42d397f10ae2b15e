// End-to-end: the real UI in Debian's Chromium through the browser host (simulator backend),
// on a temporary data folder. Prints "N passed, M failed" and exits non-zero on failure.
// Run with `npm run test:e2e` (builds the renderer first).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium } from 'playwright-core';
import { register } from 'tsx/esm/api';

import { createHarness } from './harness.js';
import { libraryChecks } from './library-checks.js';
import { hostileChecks } from './hostile-checks.js';
import { labChecks } from './lab-checks.js';
import { reconnectChecks } from './reconnect-checks.js';
import { datacenterChecks } from './datacenter-checks.js';
import { terminalGlyphChecks } from './terminal-glyph-checks.js';

register();
const { startBrowserHost } = await import('../../electron/server.ts');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(
    `Chromium not found at ${CHROMIUM}: install Debian's (apt-get install chromium) or set CHROMIUM_PATH.`,
  );
  console.log('0 passed, 1 failed');
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

const dataDir = mkdtempSync(join(tmpdir(), 'nestlab-e2e-'));
const harness = createHarness();
let server;
let browser;
try {
  server = await startBrowserHost({ dataDir, backend: 'sim', log: quietLog() });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  harness.setPage(page);
  // Stops the engine, lets the caller look at the page, then starts a new one on the same
  // address and token (what a crash and restart of NestLab looks like to the page).
  const restartHost = async (whileDown) => {
    const { port, token } = server.host;
    await server.close();
    server = undefined;
    await whileDown();
    server = await startBrowserHost({ dataDir, backend: 'sim', log: quietLog(), port, token });
    return server.host;
  };
  const env = { harness, page, context, browser, host: server.host, pageErrors, restartHost };
  // E2E_ONLY=datacenter runs one group (while working on it); CI runs them all.
  const only = process.env.E2E_ONLY;
  if (!only || only === 'library') {
    console.log('library');
    await libraryChecks(env);
  }
  if (!only || only === 'lab') {
    console.log('lab');
    await labChecks(env);
  }
  if (!only || only === 'lab') {
    console.log('terminal glyphs');
    await terminalGlyphChecks(env);
  }
  if (!only || only === 'hostile') {
    console.log('hostile');
    await hostileChecks(env);
  }
  if (!only || only === 'connection') {
    console.log('connection');
    await reconnectChecks(env);
  }
  if (!only || only === 'datacenter') {
    console.log('datacenter');
    // Each way on its own fresh simulator (and data folder).
    const startHost = (dir) => startBrowserHost({ dataDir: dir, backend: 'sim', log: quietLog() });
    await datacenterChecks({ harness, browser, startHost });
  }
} catch (error) {
  await harness.check('e2e setup', () => {
    throw error;
  });
} finally {
  await browser?.close().catch(() => undefined);
  await server?.close().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
}
process.exitCode = harness.summary() > 0 ? 1 : 0;

function quietLog() {
  const errors = [];
  return {
    debug() {},
    info() {},
    warn() {},
    error(message, error) {
      errors.push(message);
      console.error(`  [host] ${message}`, error?.message ?? '');
    },
  };
}
