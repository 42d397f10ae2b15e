/**
 * Expressions that stay within every static limit and still run for ever (issue #10): they must be
 * stopped, never freeze the engine's thread, and leave the next evaluation working.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { ExpressionWorker } from '../../../../electron/lab/expression/evaluator.ts';
import { ExpressionError } from '../../../../electron/lab/expression/expression-error.ts';
import { compileExpression } from '../../../../electron/lab/expression/sandbox.ts';

const worker = new ExpressionWorker();
afterAll(() => worker.close());

async function failure(p: Promise<unknown>): Promise<ExpressionError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ExpressionError);
  return e as ExpressionError;
}

describe('runaway lab expressions', () => {
  it('stops a polynomial regular expression the static guard lets through, without blocking the thread', async () => {
    const runaway = compileExpression('$contains($.text, /a*a*a*a*a*b/)', { timeoutMs: 100 }, worker);
    let turns = 0;
    const ticker = setInterval(() => turns++, 1);
    const result = failure(runaway.evaluate({ text: 'a'.repeat(5000) }));
    // The engine's own thread keeps turning while the match runs elsewhere.
    await expect.poll(() => turns, { timeout: 15_000 }).toBeGreaterThan(3);
    const error = await result;
    clearInterval(ticker);
    expect(error.code).toBe('timeout');
    expect(error.message).toContain('/a*a*a*a*a*b/');
    expect(worker.restarts).toBe(1);
    // A fresh worker answers the next one.
    expect(await compileExpression('$contains($.text, /b$/)', {}, worker).evaluate({ text: 'aab' })).toBe(
      true,
    );
  });

  it('answers the other evaluations that were waiting behind the runaway one', async () => {
    const runaway = compileExpression('$match($, /(a|aa)*c/)', { timeoutMs: 100 }, worker);
    const quick = compileExpression('$uppercase($)', {}, worker);
    const stopped = failure(runaway.evaluate('a'.repeat(60)));
    const answered = quick.evaluate('still here');
    expect(await answered).toBe('STILL HERE');
    expect((await stopped).code).toBe('timeout');
  });

  it('refuses the nested-optional pattern from the issue at compile time', () => {
    expect(() => compileExpression('$match($, /^(?:a|a?)*$/)')).toThrow(/repeats a repeated group/);
  });

  it('refuses $eval, called or passed on, with its position', () => {
    for (const source of ['$eval("$match($, /(a+)+$/)")', '($e := $eval; $e("1"))', '$map(["1"], $eval)']) {
      let error: unknown;
      try {
        compileExpression(source, {}, worker);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ExpressionError);
      expect((error as ExpressionError).message).toContain('uses $eval');
      expect((error as ExpressionError).position).toBeGreaterThanOrEqual(0);
    }
  });

  it('keeps ordinary checks fast and exact', async () => {
    const online = compileExpression("$count($[type='node' and online=1])", {}, worker);
    const status = [
      { type: 'node', name: 'pve1', online: 1 },
      { type: 'node', name: 'pve2', online: 0 },
    ];
    for (let i = 0; i < 200; i++) expect(await online.evaluate(status)).toBe(1);
  });
});
