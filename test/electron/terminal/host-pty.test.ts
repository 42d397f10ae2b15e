import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createApp, type App } from '../../../electron/app/create-app.ts';
import { silentLogger } from '../../../electron/app/deps.ts';
import { repoRoot } from '../../../electron/app/version.ts';
import { createRouter } from '../../../electron/ipc/router.ts';
import { HostPtySpawner } from '../../../electron/terminal/host-pty.ts';

/** A real pseudo-terminal (node-pty) running a harmless command: no login shell in tests. */
const harmless = new HostPtySpawner({
  file: '/bin/sh',
  args: ['-c', 'printf "tty=%s\\n" "$(tty >/dev/null && echo yes)"; echo "nestlab-host-$((6 * 7))"'],
});

function collect(app: App): { output: () => string; exited: Promise<number> } {
  let output = '';
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((r) => (resolveExit = r));
  app.hub.subscribe((event, payload) => {
    if (event === 'terminal.data') output += (payload as { data: string }).data;
    if (event === 'terminal.exit') resolveExit((payload as { code: number }).code);
  });
  return { output: () => output, exited };
}

let dataDir: string;
let app: App | undefined;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'nestlab-hostterm-'));
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

describe.skipIf(process.platform === 'win32')('the terminal on this computer', () => {
  it('runs a command in a real pty and streams its output and exit through the contract', async () => {
    app = await createApp({
      shell: 'electron',
      dataDir,
      labsDir: join(repoRoot(), 'labs'),
      log: silentLogger,
      hostTerminal: true,
      hostPty: harmless,
    });
    const events = collect(app);
    const router = createRouter(app.handlers);
    const opened = await router.dispatch('terminal.open', { host: true });
    expect(opened).toMatchObject({ result: { node: '@host' } });
    expect(await events.exited).toBe(0);
    expect(events.output()).toContain('nestlab-host-42');
    // It is a terminal, not a pipe.
    expect(events.output()).toContain('tty=yes');
    expect(app.info.hostTerminal).toBe(true);
  });

  it('is off in the browser host unless a flag says so, with a reason', async () => {
    app = await createApp({
      shell: 'browser',
      dataDir,
      labsDir: join(repoRoot(), 'labs'),
      log: silentLogger,
      hostPty: harmless,
    });
    const outcome = await createRouter(app.handlers).dispatch('terminal.open', { host: true });
    expect(outcome).toMatchObject({
      error: { code: 'forbidden', message: expect.stringContaining('--host-terminal') },
    });
    expect(app.info.hostTerminal).toBe(false);
    // Neither a node and the host at once, nor a made-up flag.
    expect(
      await createRouter(app.handlers).dispatch('terminal.open', { host: true, node: 'pve1' }),
    ).toMatchObject({ error: { code: 'bad-request' } });
  });

  it('the default spawner loads node-pty lazily and starts the user shell', async () => {
    const pty = await new HostPtySpawner({ file: '/bin/sh', args: ['-c', 'exit 3'] }).open('@host', {
      cols: 80,
      rows: 24,
    });
    const code = await new Promise<number>((r) => pty.onExit(r));
    expect(code).toBe(3);
  });
});
