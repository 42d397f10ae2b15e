import { describe, expect, it } from 'vitest';

import { formatDelta, formatDuration } from '../../../../renderer/lib/format/duration.ts';

describe('formatDelta', () => {
  it('signs real differences and never a value that shows as zero', () => {
    expect(formatDelta(1000)).toBe('+1.0 s');
    expect(formatDelta(-3200)).toBe('-3.2 s');
    expect(formatDelta(40)).toBe('0.0 s');
    expect(formatDelta(-40)).toBe('0.0 s');
    expect(formatDelta(0)).toBe('0.0 s');
    expect(formatDelta(65_000)).toBe('+1 min 5 s');
    expect(formatDuration(-40)).toBe('0.0 s');
  });
});
