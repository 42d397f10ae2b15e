import { describe, expect, it } from 'vitest';

import { guestConsoleScreen } from '../../../../renderer/lib/datacenter/guest-console.ts';

describe('the simulated guest console', () => {
  it('is blank while the guest is stopped, boots with its uptime and answers at the prompt once booted', () => {
    expect(guestConsoleScreen('stopped', 0, 'tinycore')).toEqual({ lines: [], answering: false });
    const booting = guestConsoleScreen('running', 6, 'tinycore');
    expect(booting.answering).toBe(false);
    expect(booting.lines.at(-1)).toBe('Loading core.gz... ok');
    const up = guestConsoleScreen('running', 40, 'tinycore');
    expect(up.answering).toBe(true);
    expect(up.lines.at(-1)).toBe('[tinycore] tc@box:~$ ');
  });
});
