import { describe, expect, it } from 'vitest';

import { randomCryptSalt, sha512Crypt } from '../../../../electron/provision/seeds/sha512-crypt.ts';
import { opensslSha512Crypt } from '../../../support/seed-tools.ts';

describe('sha512Crypt', () => {
  it.each([
    ['nestlab-root', 'abcdefgh12345678'],
    ['Hello world!', 'saltstring'],
    ['contraseña-ñandú', 'x'],
    ['a'.repeat(130), './ABCxyz0189'],
  ])('matches openssl passwd -6 for %j', (password, salt) => {
    expect(sha512Crypt(password, salt)).toBe(opensslSha512Crypt(password, salt));
  });

  it('makes 16-character salts of the crypt alphabet', () => {
    const salt = randomCryptSalt();
    expect(salt).toMatch(/^[./0-9A-Za-z]{16}$/);
    expect(sha512Crypt('secret123', salt)).toBe(opensslSha512Crypt('secret123', salt));
  });

  it('writes a non-default round count into the hash', () => {
    expect(sha512Crypt('x', 'salt', 10_000)).toMatch(/^\$6\$rounds=10000\$salt\$[./0-9A-Za-z]{86}$/);
    expect(() => sha512Crypt('x', 'bad salt')).toThrow(/salt/);
  });
});
