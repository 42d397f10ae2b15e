#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx, so `npx nestlab` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../electron/cli/main.ts');
try {
  await main(process.argv);
} catch (error) {
  console.error(`nestlab: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
