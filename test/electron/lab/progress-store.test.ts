import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileProgressStore, type SavedProgress } from '../../../electron/lab/progress-store.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const writer = fileURLToPath(new URL('./fakes/progress-writer.ts', import.meta.url));

const progress = (labVersion: number): SavedProgress => ({
  format: 1,
  labId: 'crash-lab',
  labVersion,
  profile: 'sim',
  steps: { first: { passedBy: 'learner', passedAt: '2026-01-01T00:00:00.000Z' } },
  hintsShown: { second: 1 },
  savedAt: '2026-01-01T00:00:00.000Z',
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nestlab-progress-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileProgressStore', () => {
  it('round-trips progress and returns nothing for a lab never started', async () => {
    const store = new FileProgressStore(join(dir, 'progress'));
    expect(await store.load('crash-lab', 'sim')).toBeUndefined();
    await store.save(progress(1));
    expect(await store.load('crash-lab', 'sim')).toEqual(progress(1));
    expect(await store.load('crash-lab', 'virtualbox')).toBeUndefined();
    await store.clear('crash-lab', 'sim');
    expect(await store.load('crash-lab', 'sim')).toBeUndefined();
  });

  it('keeps the order of back-to-back saves', async () => {
    const store = new FileProgressStore(dir);
    await Promise.all([1, 2, 3, 4, 5].map((v) => store.save(progress(v))));
    expect((await store.load('crash-lab', 'sim'))?.labVersion).toBe(5);
  });

  it('sets a damaged file aside instead of overwriting it', async () => {
    const store = new FileProgressStore(dir);
    await writeFile(store.fileOf('crash-lab', 'sim'), '{"format":1,"labId":');
    expect(await store.load('crash-lab', 'sim')).toBeUndefined();
    const files = await readdir(dir);
    expect(files.some((f) => f.startsWith('crash-lab.sim.json.unreadable-'))).toBe(true);
    const aside = files.find((f) => f.includes('unreadable')) ?? '';
    expect(await readFile(join(dir, aside), 'utf8')).toBe('{"format":1,"labId":');
  });

  it('refuses ids that could escape the directory', () => {
    const store = new FileProgressStore(dir);
    expect(() => store.fileOf('../etc', 'sim')).toThrow(/invalid lab or profile id/);
  });

  /** Runs the writer until it dies by SIGKILL; resolves with the last save it saw resolve. */
  function runWriter(args: string[], killAfter?: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, ...args], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let acked = 0;
      let buffer = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        buffer += d.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) acked = Number(line);
        if (killAfter !== undefined && acked >= killAfter && !child.killed) child.kill('SIGKILL');
      });
      // Never leave a writer running if the crash did not happen.
      const guard = setTimeout(() => child.kill('SIGTERM'), 20_000);
      child.on('exit', (_code, signal) => {
        clearTimeout(guard);
        if (signal === 'SIGKILL') resolve(acked);
        else reject(new Error(`writer exited on its own: ${stderr}`));
      });
    });
  }

  it('a crash in the middle of a write loses nothing: the previous save is intact', async () => {
    const lastAck = await runWriter(['7']);
    expect(lastAck).toBe(6);
    const loaded = await new FileProgressStore(dir).load('crash-lab', 'sim');
    expect(loaded?.labVersion).toBe(6);
    expect(Object.keys(loaded?.steps ?? {})).toHaveLength(50 + 6 * 300);
    // The half-written temporary file is left beside it, never read as progress.
    const files = await readdir(dir);
    expect(files.filter((f) => f !== 'crash-lab.sim.json').length).toBeGreaterThan(0);
    expect(files).not.toContainEqual(expect.stringContaining('unreadable'));
  });

  it('killed at random moments, every acknowledged save survives', async () => {
    for (let round = 0; round < 2; round++) {
      const lastAck = await runWriter([], 3 + Math.floor(Math.random() * 20));
      const loaded = await new FileProgressStore(dir).load('crash-lab', 'sim');
      expect(loaded, `round ${round}: progress unreadable after the crash`).toBeDefined();
      // Never older than what the writer was told is saved (it may be newer: killed after a rename).
      expect(loaded?.labVersion).toBeGreaterThanOrEqual(lastAck);
    }
  });
});
