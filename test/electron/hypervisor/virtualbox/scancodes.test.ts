import { describe, expect, it } from 'vitest';
import { textToScancodes } from '../../../../electron/hypervisor/virtualbox/scancodes.ts';

describe('textToScancodes (set 1, US layout)', () => {
  it('presses and releases each key, holding shift for shifted characters', () => {
    expect(textToScancodes('c')).toEqual([0x2e, 0xae]);
    expect(textToScancodes('A=')).toEqual([0x2a, 0x1e, 0x9e, 0xaa, 0x0d, 0x8d]);
    expect(textToScancodes('/\n')).toEqual([0x35, 0xb5, 0x1c, 0x9c]);
    expect(textToScancodes('|')).toEqual([0x2a, 0x2b, 0xab, 0xaa]);
  });

  it('refuses a character the guest keyboard cannot type instead of dropping it', () => {
    expect(() => textToScancodes('é')).toThrow(/cannot type "é"/);
  });
});
