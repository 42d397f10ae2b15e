/**
 * `npm run bench`: runs every benchmark script in this folder one after another (they share
 * two cores badly) and prints their own reports. Targets live in the scripts and in docs/benchmarks.md.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const scripts = readdirSync(here)
  .filter((f) => /\.(ts|js)$/.test(f) && f !== 'run.ts')
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

let failed = 0;
for (const script of scripts) {
  console.log(`\n=== ${script}`);
  const runner = script.endsWith('.ts') ? ['tsx', join(here, script)] : ['node', join(here, script)];
  const result = spawnSync('npx', runner, {
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: '--expose-gc' },
  });
  if (result.status !== 0) failed++;
}
console.log(`\n${scripts.length - failed} benchmarks ran, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
