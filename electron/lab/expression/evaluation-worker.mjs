// The worker thread lab expressions run in (evaluator.ts starts it). A runaway evaluation — a
// regular expression that backtracks for minutes inside one JSONata step — blocks only this thread;
// the engine terminates it at its deadline and starts a fresh one.
// Plain JavaScript so that Node runs it without a TypeScript loader (tests, CLI); the Electron build
// bundles it next to main.cjs.
import { parentPort } from 'node:worker_threads';

import jsonata from 'jsonata';

const EXIT_HOOK = Symbol.for('jsonata.__evaluate_exit');
const compiled = new Map();
const MAX_CACHED = 500;

/** @param {string} source @param {{timeoutMs:number,maxDepth:number,maxSequence:number,maxOutputBytes:number}} limits */
function expression(source, limits) {
  const key = `${limits.timeoutMs}/${limits.maxDepth}/${limits.maxSequence}/${limits.maxOutputBytes}/${source}`;
  let entry = compiled.get(key);
  if (entry) return entry;
  if (compiled.size >= MAX_CACHED) compiled.clear();
  entry = jsonata(source, {
    timeout: limits.timeoutMs,
    stack: limits.maxDepth,
    sequence: limits.maxSequence,
  });
  // Refused at compile time in the engine; shadowed here too so no lab expression reaches it.
  entry.assign('eval', () => {
    throw { code: 'eval-refused', message: '$eval is not available in lab expressions' };
  });
  entry.assign(EXIT_HOOK, (_expr, _input, _env, result) => {
    if (typeof result === 'string' && result.length > limits.maxOutputBytes)
      throw { code: 'output-too-large' };
  });
  compiled.set(key, entry);
  return entry;
}

/** @param {unknown} result */
function asJsonText(result) {
  if (result === undefined) return undefined;
  return JSON.stringify(result, (_k, v) => {
    if (typeof v === 'function') throw { code: 'not-data', message: 'returned a function' };
    return v;
  });
}

parentPort?.on('message', async (request) => {
  const { id, source, limits, data } = request;
  try {
    const { input, bindings } = JSON.parse(data);
    const result = await expression(source, limits).evaluate(input, bindings);
    let text;
    try {
      text = asJsonText(result);
    } catch (e) {
      parentPort?.postMessage({
        id,
        failure: { code: 'not-data', message: e?.message ?? 'returned something that is not JSON data' },
      });
      return;
    }
    parentPort?.postMessage({ id, text });
  } catch (e) {
    const failure = e !== null && typeof e === 'object' ? e : { message: String(e) };
    parentPort?.postMessage({
      id,
      failure: {
        code: typeof failure.code === 'string' ? failure.code : undefined,
        message: typeof failure.message === 'string' ? failure.message : String(e),
        position: typeof failure.position === 'number' ? failure.position : undefined,
      },
    });
  }
});

// Deadlines start from here: starting a thread on a loaded machine is not the expression's time.
parentPort?.postMessage({ ready: true });
