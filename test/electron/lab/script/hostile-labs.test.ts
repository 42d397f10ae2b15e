/**
 * The hostile-lab corpus (test/fixtures/labs/hostile/README.md): each file gets a deadline (the
 * test timeout) and must come back as a positioned error or as a lab whose runaway expressions
 * are stopped. Before issue #10 several of these hung the loader or froze the engine's thread.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LabCatalog } from '../../../../electron/app/lab-catalog.ts';
import { ExpressionError } from '../../../../electron/lab/expression/expression-error.ts';
import { compileExpression } from '../../../../electron/lab/expression/sandbox.ts';
import { escapeControl, formatLoadError } from '../../../../electron/lab/script/load-error.ts';
import { loadLabFile, type LoadResult } from '../../../../electron/lab/script/load.ts';
import type { LabFile } from '../../../../electron/lab/script/schema.ts';

const corpus = fileURLToPath(new URL('../../../fixtures/labs/hostile/', import.meta.url));
const DEADLINE = { timeout: 30_000 };

function errorsOf(result: LoadResult): string[] {
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors.map(formatLoadError);
}

/** Every JSONata expression a lab runs: check expects and observes, and wait conditions. */
function expressionsOf(lab: LabFile): string[] {
  const found: string[] = [];
  for (const step of lab.steps) {
    for (const check of step.checks) found.push(check.expect, ...Object.values(check.observe ?? {}));
    for (const action of step.solve ?? []) if (action.action === 'wait') found.push(action.until);
  }
  return found;
}

/** Evaluates over a result shaped to make the pattern backtrack; the thread must keep turning meanwhile. */
async function runAway(source: string): Promise<ExpressionError> {
  const hostileResult = [{ type: 'node', name: 'a'.repeat(4000) }];
  let turns = 0;
  const ticker = setInterval(() => turns++, 5);
  try {
    const outcome = compileExpression(source, { timeoutMs: 100 })
      .evaluate(hostileResult)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    await expect.poll(() => turns, { timeout: 15_000 }).toBeGreaterThan(2);
    const error = await outcome;
    expect(error).toBeInstanceOf(ExpressionError);
    return error as ExpressionError;
  } finally {
    clearInterval(ticker);
  }
}

describe('hostile lab corpus', () => {
  it.each([
    [
      'redos-nested-optional/lab.yaml',
      /lab\.yaml:30:\d+ steps\[0\]\.checks\[0\]\.expect: .*repeats a repeated group/,
    ],
    ['eval-regex/lab.yaml', /lab\.yaml:30:\d+ steps\[0\]\.checks\[0\]\.expect: .*uses \$eval/],
    [
      'eval-in-template/lab.yaml',
      /lab\.yaml:\d+:\d+ steps\[0\]\.solve\[0\]\.params\.clustername: .*uses \$eval/,
    ],
    [
      'wait-spin/lab.yaml',
      /lab\.yaml:\d+:\d+ steps\[0\]\.solve\[0\]\.intervalSeconds: too small \(expected ≥ 0\.5/,
    ],
    ['deep-nesting.yaml', /deep-nesting\.yaml:\d+:\d+ nested too deep/],
    ['deep-mappings.yaml', /deep-mappings\.yaml:\d+:\d+ nested too deep \(expected at most 32 levels\)/],
  ])('%s is refused with file, line and field', DEADLINE, async (name, expected) => {
    const errors = errorsOf(await loadLabFile(join(corpus, name)));
    expect(errors.join('\n')).toMatch(expected);
  });

  it('terminal-escapes: the error quotes the key with its control characters escaped', DEADLINE, async () => {
    const [error] = errorsOf(await loadLabFile(join(corpus, 'terminal-escapes/lab.yaml')));
    expect(error).toMatch(/unknown key/);
    expect(error).toContain('\\x1b[2J\\x1b[HFAKE ok');
    expect(error).toContain('\\x1b]8;;https://evil.example\\x1b\\click');
    expect(error).toContain('\\u202e');
    // eslint-disable-next-line no-control-regex -- looking for raw control characters
    expect(error).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
  });

  it('lab text printed to a terminal (lab run) keeps its lines and shows its escapes', () => {
    expect(
      escapeControl('## Step\n\n\u001b[2Jclick\u001b]8;;https://evil.example\u0007', { keepLines: true }),
    ).toBe('## Step\n\n\\x1b[2Jclick\\x1b]8;;https://evil.example\\x07');
  });

  it.each(['redos-polynomial/lab.yaml', 'redos-in-until/lab.yaml'])(
    '%s loads, and its runaway expression is stopped without freezing the engine',
    DEADLINE,
    async (name) => {
      const loaded = await loadLabFile(join(corpus, name));
      expect(loaded.ok).toBe(true);
      if (!loaded.ok) return;
      const runaway = expressionsOf(loaded.lab).find((e) => e.includes('/'));
      expect(runaway).toBeDefined();
      expect((await runAway(runaway!)).code).toBe('timeout');
    },
  );

  it(
    'overlay/ loads (its Markdown is for the sanitiser: test/renderer/lib/markdown.test.ts)',
    DEADLINE,
    async () => {
      expect((await loadLabFile(join(corpus, 'overlay/lab.yaml'))).ok).toBe(true);
    },
  );

  describe('files made at run time', () => {
    let dir: string;
    const outsideSecret = 'root-password: hunter2-first-line';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'nestlab-hostile-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    async function labFolder(name: string, labs = 'labs'): Promise<string> {
      const folder = join(dir, labs, name);
      await mkdir(folder, { recursive: true });
      return join(folder, 'lab.yaml');
    }

    it('a 90 000-key flood under 1 MB is refused by count, in one linear pass', DEADLINE, async () => {
      const file = await labFolder('key-flood');
      const text =
        'id: key-flood\nvars:\n' + Array.from({ length: 90_000 }, (_, i) => ` k${i}: 1`).join('\n') + '\n';
      expect(Buffer.byteLength(text)).toBeLessThan(1024 * 1024);
      await writeFile(file, text);
      expect(errorsOf(await loadLabFile(file)).join('\n')).toMatch(
        /too many YAML nodes \(expected at most 20000/,
      );
    });

    it('a 2 MB file is refused before it is read', DEADLINE, async () => {
      const file = await labFolder('too-big');
      await writeFile(file, `id: too-big\n#${'x'.repeat(2 * 1024 * 1024)}\n`);
      expect(errorsOf(await loadLabFile(file)).join('\n')).toMatch(
        /file too large \(expected at most 1048576 bytes, got \d+\)/,
      );
    });

    it.skipIf(process.platform === 'win32')(
      'a FIFO named lab.yaml is refused, not waited on',
      DEADLINE,
      async () => {
        const file = await labFolder('fifo', 'fifo-labs');
        execFileSync('mkfifo', [file]);
        expect(errorsOf(await loadLabFile(file)).join('\n')).toMatch(
          /lab\.yaml:1:1 is a named pipe \(FIFO\), not a lab file/,
        );
        // The library lists it as a problem too, instead of hanging.
        const { problems } = await new LabCatalog(join(dir, 'fifo-labs')).list('en');
        expect(problems.find((p) => p.file === file)?.errors[0]).toMatch(/named pipe/);
      },
    );

    it.skipIf(process.platform === 'win32')(
      'lab.yaml linked to /dev/urandom is refused without reading it',
      DEADLINE,
      async () => {
        const file = await labFolder('urandom');
        await symlink('/dev/urandom', file);
        expect(errorsOf(await loadLabFile(file)).join('\n')).toMatch(/link to a file outside its lab folder/);
      },
    );

    it(
      'lab.yaml linked to a file outside the lab folder is refused without quoting that file',
      DEADLINE,
      async () => {
        const outside = join(dir, 'secret.txt');
        await writeFile(outside, `${outsideSecret}\nmore: secrets\n`);
        const file = await labFolder('outside-link');
        await symlink(outside, file);
        const errors = errorsOf(await loadLabFile(file)).join('\n');
        expect(errors).toMatch(/link to a file outside its lab folder/);
        expect(errors).not.toContain('hunter2');
      },
    );

    it('a link inside the lab folder is followed', DEADLINE, async () => {
      const file = await labFolder('inside-link');
      const real = join(dir, 'labs', 'inside-link', 'real.yaml');
      await writeFile(real, 'id: inside-link\n');
      await symlink(real, file);
      // It is read (and found incomplete), not refused as a link.
      expect(errorsOf(await loadLabFile(file)).join('\n')).toMatch(/missing required field/);
    });

    it('a folder named lab.yaml is refused', DEADLINE, async () => {
      const file = await labFolder('folder');
      await mkdir(file);
      expect(errorsOf(await loadLabFile(file)).join('\n')).toMatch(/is a folder, not a lab file/);
    });
  });
});
