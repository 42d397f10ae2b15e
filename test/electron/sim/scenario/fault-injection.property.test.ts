/**
 * Property-based fault injection (the case and its invariants: fault-injection-case.ts), bounded
 * for the unit suite; `test/bench/sim-fault-schedules.ts` runs ≥ 10 000 schedules on 5–7 nodes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseArb, runCase } from './fault-injection-case.ts';

describe('fault injection (fast-check)', () => {
  it('keeps the HA invariants under random power and network faults on 3–7 nodes', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        expect(runCase(c)).toEqual([]);
      }),
      { numRuns: 60, seed: 20261123, endOnFailure: true },
    );
  });

  it('keeps the invariants on 5–7 node clusters', () => {
    fc.assert(
      fc.property(caseArb(5, 7), (c) => {
        expect(runCase(c)).toEqual([]);
      }),
      { numRuns: 20, seed: 7, endOnFailure: true },
    );
  });

  it('keeps the invariants on a random seed as well', () => {
    fc.assert(
      fc.property(caseArb(), (c) => {
        expect(runCase(c)).toEqual([]);
      }),
      { numRuns: 20, endOnFailure: true },
    );
  });
});
