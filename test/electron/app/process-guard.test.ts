import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const child = 'test/fixtures/process/guarded-server.ts';

interface Running {
  process: ChildProcess;
  port: number;
  stderr: () => string;
  exited: Promise<number | null>;
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.exitCode === null) p.kill();
});

function start(mode: 'serve' | 'command'): Promise<Running> {
  const proc = spawn(process.execPath, ['--import', 'tsx', child, mode], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(proc);
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    proc.stdout!.once('data', (d: Buffer) =>
      resolve({ process: proc, port: Number(String(d).trim()), stderr: () => stderr, exited }),
    );
    proc.once('exit', (code) => reject(new Error(`child exited ${code}: ${stderr}`)));
  });
}

describe('process guard', () => {
  it('a server logs a lost rejection with its entry point and keeps serving', async () => {
    const server = await start('serve');
    expect(await (await fetch(`http://127.0.0.1:${server.port}/reject`)).text()).toBe('ok');
    // The next request is still answered, and the log names the entry point and the error.
    expect(await (await fetch(`http://127.0.0.1:${server.port}/`)).text()).toBe('ok');
    await expect
      .poll(() => server.stderr(), { timeout: 15_000 })
      .toContain('nestlab test-entry: unexpected error, still running: Error: lost promise');
    expect(server.process.exitCode).toBeNull();
  });

  it('a one-shot command stops on a lost rejection with one line, not a stack', async () => {
    const command = await start('command');
    await fetch(`http://127.0.0.1:${command.port}/reject`).catch(() => undefined);
    expect(await command.exited).toBe(1);
    expect(command.stderr().trim()).toBe('nestlab test-entry: Error: lost promise');
  });

  it('an uncaught exception ends any entry point with one line first', async () => {
    const server = await start('serve');
    await fetch(`http://127.0.0.1:${server.port}/throw`).catch(() => undefined);
    expect(await server.exited).toBe(1);
    expect(server.stderr().split('\n')[0]).toBe(
      'nestlab test-entry: stopped after an unexpected error: TypeError: broken state',
    );
  });
});
