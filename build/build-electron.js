// Bundles the Electron main process and the sandboxed preload into dist/electron/*.cjs.
// (A sandboxed preload must be a single CommonJS file.) Native and WSDL-reading packages stay external.
import { cpSync } from 'node:fs';

import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  external: ['electron', 'node-pty', 'soap', 'virtualbox-soap', 'ssh2'],
  logLevel: 'warning',
  // The engine is ESM; in the CJS bundle import.meta.url is rebuilt from __filename.
  banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__importMetaUrl' },
};

await build({ ...common, entryPoints: ['electron/main.ts'], outfile: 'dist/electron/main.cjs' });
await build({
  ...common,
  entryPoints: ['electron/preload.ts'],
  outfile: 'dist/electron/preload.cjs',
  external: ['electron'],
});
// Lab expressions run in a worker thread (electron/lab/expression/evaluator.ts resolves it next to
// main.cjs); it is kept outside the asar archive (electron-builder.yml asarUnpack).
await build({
  ...common,
  format: 'esm',
  banner: {},
  define: {},
  entryPoints: ['electron/lab/expression/evaluation-worker.mjs'],
  outfile: 'dist/electron/evaluation-worker.mjs',
});

// The VirtualBox 7.1 WSDL is read at run time next to the bundle (soap-port.ts resolves it from import.meta.url).
cpSync('electron/hypervisor/virtualbox/wsdl', 'dist/electron/wsdl', { recursive: true });
