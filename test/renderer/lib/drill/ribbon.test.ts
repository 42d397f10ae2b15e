import { describe, expect, it } from 'vitest';

import { ribbonStages } from '../../../../renderer/lib/drill/ribbon.ts';
import { allLanguages } from '../../support/fixtures.ts';

const none = allLanguages('');

describe('ribbonStages', () => {
  it('lights stages as their milestones arrive and marks the latest as current', () => {
    const stages = ribbonStages([
      { id: 'fault-injected', label: none, at: 0 },
      { id: 'node-unknown', label: none, at: 18_000 },
    ]);
    expect(stages.map((s) => s.at)).toEqual([0, 18_000, null, null, null, null]);
    expect(stages.filter((s) => s.current).map((s) => s.id)).toEqual(['fence-delay']);
  });

  it('fills a skipped stage from the next one (the CRM fenced and recovered between two polls)', () => {
    const stages = ribbonStages([
      { id: 'fault-injected', label: none, at: 0 },
      { id: 'service-recovery', label: none, at: 180_000 },
    ]);
    expect(stages.map((s) => s.at)).toEqual([0, 180_000, 180_000, 180_000, null, null]);
    expect(stages[3]!.current).toBe(true);
  });
});
