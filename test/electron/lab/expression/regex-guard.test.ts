import { describe, expect, it } from 'vitest';
import { hasNestedQuantifier } from '../../../../electron/lab/expression/regex-guard.ts';

describe('hasNestedQuantifier', () => {
  it.each([
    ['(a+)+', true],
    ['(a*)*b', true],
    ['(?:x+y)+', true],
    ['((a)+)+', true],
    ['(a{2,})*', true],
    ['(a+){3,}', true],
    ['^(?:a|a?)*$', true],
    ['(a?)+', true],
    ['(?:ab)*', false],
    ['^https?://(\\w|-)+$', false],
    ['^(vm|ct):\\d+$', false],
    ['(a+)?', false],
    ['(a+){2}', false],
    ['(ab)+c*', false],
    ['[(a+)]+', false],
    ['\\(a+\\)+', false],
    ['(unbalanced', false],
  ])('%s → %s', (source, expected) => {
    expect(hasNestedQuantifier(source)).toBe(expected);
  });
});
