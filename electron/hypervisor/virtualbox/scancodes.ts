/**
 * Text → PC keyboard set-1 scancodes (make, then break = make | 0x80) for IKeyboard.putScancodes, on a
 * US layout: what GRUB and the BIOS read, whatever keyboard the host has. Pure.
 */

const MAKE: Record<string, number> = {};
const SHIFTED = new Set<string>();

function row(first: number, plain: string, shifted: string): void {
  [...plain].forEach((c, i) => (MAKE[c] = first + i));
  [...shifted].forEach((c, i) => {
    MAKE[c] = first + i;
    SHIFTED.add(c);
  });
}
row(0x02, '1234567890-=', '!@#$%^&*()_+');
row(0x10, 'qwertyuiop[]', 'QWERTYUIOP{}');
row(0x1e, "asdfghjkl;'`", 'ASDFGHJKL:"~');
row(0x2c, 'zxcvbnm,./', 'ZXCVBNM<>?');
MAKE['\\'] = 0x2b;
MAKE['|'] = 0x2b;
SHIFTED.add('|');
MAKE[' '] = 0x39;
MAKE['\n'] = 0x1c;
MAKE['\t'] = 0x0f;

export const SCANCODE = {
  leftShift: 0x2a,
  enter: 0x1c,
  escape: 0x01,
  down: 0x50,
  up: 0x48,
  e: 0x12,
} as const;

const press = (make: number): number[] => [make, make | 0x80];

/** Every character must be typeable; anything else is a clear error, never a silently dropped key. */
export function textToScancodes(text: string): number[] {
  const codes: number[] = [];
  for (const char of text) {
    const make = MAKE[char];
    if (make === undefined) throw new Error(`cannot type ${JSON.stringify(char)} on the guest's US keyboard`);
    if (SHIFTED.has(char)) codes.push(SCANCODE.leftShift, ...press(make), SCANCODE.leftShift | 0x80);
    else codes.push(...press(make));
  }
  return codes;
}

export function keyPress(make: number): number[] {
  return press(make);
}
