import { describe, expect, it } from 'vitest';

import { EVENT_NAMES, METHOD_NAMES, isEventName, isMethodName } from '../../../electron/contract/names.ts';
import { paramSchemas } from '../../../electron/contract/schemas.ts';

describe('contract name lists', () => {
  it('list exactly the methods that have schemas', () => {
    expect([...METHOD_NAMES].sort()).toEqual(Object.keys(paramSchemas).sort());
  });

  it('follow noun.verb naming and have no duplicates', () => {
    expect(new Set(METHOD_NAMES).size).toBe(METHOD_NAMES.length);
    for (const name of [...METHOD_NAMES, ...EVENT_NAMES]) expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
  });

  it('reject names outside the contract', () => {
    expect(isMethodName('lab.list')).toBe(true);
    expect(isMethodName('__proto__')).toBe(false);
    expect(isMethodName(42)).toBe(false);
    expect(isEventName('lab.state')).toBe(true);
    expect(isEventName('constructor')).toBe(false);
  });
});
