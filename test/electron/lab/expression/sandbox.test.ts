import { describe, expect, it } from 'vitest';
import { ExpressionError } from '../../../../electron/lab/expression/expression-error.ts';
import { compileExpression } from '../../../../electron/lab/expression/sandbox.ts';

async function failure(p: Promise<unknown>): Promise<ExpressionError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ExpressionError);
  return e as ExpressionError;
}

describe('expression sandbox', () => {
  const status = [
    { type: 'cluster', name: 'lab', quorate: 1, nodes: 3 },
    { type: 'node', name: 'pve1', online: 1 },
    { type: 'node', name: 'pve2', online: 1 },
    { type: 'node', name: 'pve3', online: 0 },
  ];

  it('evaluates over the JSON result with bindings', async () => {
    const online = compileExpression("$count($[type='node' and online=1])");
    expect(await online.evaluate(status)).toBe(2);
    const vs = compileExpression('$count($machines) = 3 and $vars.name = "x"');
    expect(await vs.evaluate({}, { machines: [1, 2, 3], vars: { name: 'x' } })).toBe(true);
  });

  it('reports syntax errors with the position', () => {
    try {
      compileExpression('$count(data[type=])');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ExpressionError);
      const err = e as ExpressionError;
      expect(err.code).toBe('syntax');
      expect(err.position).toBeGreaterThan(10);
      expect(err.message).toContain('$count(data[type=])');
    }
  });

  it('stops a runaway tail-recursive loop by time', async () => {
    const loop = compileExpression('($f := function($x){ $f($x + 1) }; $f(0))', { timeoutMs: 50 });
    const err = await failure(loop.evaluate({}));
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('50 ms');
  });

  it('stops deep recursion', async () => {
    const deep = compileExpression('($f := function($x){ 1 + $f($x + 1) }; $f(0))', { maxDepth: 100 });
    expect((await failure(deep.evaluate({}))).code).toBe('too-deep');
  });

  it('stops huge sequences', async () => {
    const big = compileExpression('$count([1..1000000])', { maxSequence: 1000 });
    expect((await failure(big.evaluate({}))).code).toBe('too-long-sequence');
  });

  it('stops strings that grow past the output limit while building', async () => {
    const grow = compileExpression('($f := function($s){ $f($s & $s) }; $f("ab"))', {
      maxOutputBytes: 10_000,
    });
    expect((await failure(grow.evaluate({}))).code).toBe('output-too-large');
    const pad = compileExpression('$pad("x", 50000)', { maxOutputBytes: 10_000 });
    expect((await failure(pad.evaluate({}))).code).toBe('output-too-large');
  });

  it('refuses oversized input', async () => {
    const e = compileExpression('$count($)', { maxInputBytes: 1000 });
    expect((await failure(e.evaluate(new Array(500).fill('xx')))).code).toBe('input-too-large');
    expect(await e.evaluate([1, 2, 3])).toBe(3);
  });

  it('refuses a function as result', async () => {
    const e = compileExpression('function($x){ $x }');
    expect((await failure(e.evaluate({}))).code).toBe('not-data');
  });

  it('reaches no host object: prototypes and constructors are invisible', async () => {
    expect(await compileExpression('constructor').evaluate({ a: 1 })).toBeUndefined();
    expect(await compileExpression('{"a":1}.constructor').evaluate({})).toBeUndefined();
    expect(await compileExpression('__proto__').evaluate({})).toBeUndefined();
    expect(await compileExpression('$keys($)').evaluate({ a: 1 })).toBe('a');
    // Input objects are copied as plain JSON: a getter on the caller's object runs once, at copy time.
    let reads = 0;
    const input = {
      get x() {
        reads++;
        return 5;
      },
    };
    expect(await compileExpression('x + x').evaluate(input)).toBe(10);
    expect(reads).toBe(1);
  });

  it('maps evaluation errors to clear messages', async () => {
    const e = compileExpression('$number("abc") + 1');
    const err = await failure(e.evaluate({}));
    expect(err.code).toBe('evaluation');
    expect(err.message).toContain('$number("abc") + 1');
  });
});

describe('regular expressions', () => {
  it('refuses nested unbounded quantifiers at compile time', () => {
    for (const bad of [
      '$match(x, /(a+)+b/)',
      '$contains(x, /(\\w+\\s?)*$/)',
      '$replace(x, /((ab)*c)+/, "")',
    ]) {
      expect(() => compileExpression(bad), bad).toThrow(/repeats a repeated group/);
    }
  });

  it('allows ordinary patterns', async () => {
    const e = compileExpression('$match(sid, /^(vm|ct):(\\d+)$/).groups[1]');
    expect(await e.evaluate({ sid: 'vm:100' })).toBe('100');
    for (const ok of ['$contains(x, /[+]+/)', '$contains(x, /\\(a+\\)+/)', '$contains(x, /(ab){2,3}c+/)']) {
      expect(() => compileExpression(ok), ok).not.toThrow();
    }
  });
});
