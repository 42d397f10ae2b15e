// A tiny sequential test harness for the end-to-end script: named checks, a closing
// "N passed, M failed" line, screenshots under test-results/.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const RESULTS_DIR = join(process.cwd(), 'test-results');

export function createHarness() {
  // Each run starts clean, so no screenshot from an earlier run is mistaken for this one's.
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(RESULTS_DIR, { recursive: true });
  const results = [];
  let page = null;
  return {
    results,
    /** The page to photograph when a check fails (test-results/failed-N.png). */
    setPage(p) {
      page = p;
    },
    /** Runs one check; a failure is recorded and printed, never thrown. Returns whether it passed. */
    async check(name, fn) {
      const started = Date.now();
      try {
        await fn();
        results.push({ name, ok: true });
        console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
        return true;
      } catch (error) {
        results.push({ name, ok: false, error });
        await page
          ?.screenshot({ path: join(RESULTS_DIR, `failed-${results.length}.png`) })
          .catch(() => undefined);
        console.log(
          `  ✗ ${name}\n      ${String(error?.message ?? error)
            .split('\n')
            .join('\n      ')}`,
        );
        return false;
      }
    },
    summary() {
      const passed = results.filter((r) => r.ok).length;
      const failed = results.length - passed;
      console.log(`${passed} passed, ${failed} failed`);
      return failed;
    },
  };
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export function assertEqual(actual, expected, what) {
  if (actual !== expected)
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
