import { describe, expect, it } from 'vitest';

import { outcomeMark, outcomeTone } from '../../../../renderer/lib/drill/outcome.ts';

describe('drill outcome', () => {
  it('reads a recovery as good, a failover impossible by design as a lesson, and a miss as bad', () => {
    expect([outcomeTone('recovered'), outcomeMark('recovered')]).toEqual(['ok', '✓']);
    for (const lesson of ['observed', 'no-quorum', 'no-failover'] as const) {
      expect([outcomeTone(lesson), outcomeMark(lesson)]).toEqual(['warn', '○']);
    }
    for (const miss of ['not-recovered', 'aborted'] as const) {
      expect([outcomeTone(miss), outcomeMark(miss)]).toEqual(['bad', '✗']);
    }
  });
});
