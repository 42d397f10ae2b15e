import { describe, expect, it } from 'vitest';
import { isUncleanStop, mapMachineState } from '../../../../electron/hypervisor/virtualbox/map-state.ts';

describe('mapMachineState', () => {
  it.each([
    ['PoweredOff', 'off'],
    ['Aborted', 'off'],
    ['Saved', 'saved'],
    ['AbortedSaved', 'saved'],
    ['Running', 'running'],
    ['LiveSnapshotting', 'running'],
    ['Paused', 'paused'],
    ['Starting', 'starting'],
    ['Restoring', 'starting'],
    ['Stopping', 'stopping'],
    ['Saving', 'stopping'],
    ['Stuck', 'error'],
    ['RestoringSnapshot', 'off'],
  ])('%s → %s', (state, power) => {
    expect(mapMachineState(state)).toBe(power);
  });

  it('treats a state it does not know as an error rather than guessing', () => {
    expect(mapMachineState('FirstOnline')).toBe('error');
    expect(mapMachineState('')).toBe('error');
  });

  it('tells a killed VM process from a clean power-off', () => {
    expect(isUncleanStop('Aborted')).toBe(true);
    expect(isUncleanStop('PoweredOff')).toBe(false);
  });
});
