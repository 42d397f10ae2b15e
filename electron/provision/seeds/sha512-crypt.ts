/**
 * SHA-512 crypt (`$6$salt$hash`), the scheme glibc's crypt(3), chpasswd -e and mkpasswd use, written
 * from Ulrich Drepper's published specification ("Unix crypt using SHA-256 and SHA-512"). It lets
 * the answer file and the NAS seed carry a password hash instead of the password.
 */
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const DEFAULT_ROUNDS = 5000;

// The spec's byte order for the final 64-byte digest, three bytes per four characters.
const ORDER: [number, number, number][] = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
];

const sha512 = (...parts: Buffer[]): Buffer => {
  const hash = createHash('sha512');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** `length` bytes of `block` repeated. */
function stretch(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += block.length) block.copy(out, i, 0, Math.min(block.length, length - i));
  return out;
}

function encode24(b2: number, b1: number, b0: number, chars: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < chars; i++, w >>= 6) out += ALPHABET[w & 0x3f];
  return out;
}

export function randomCryptSalt(length = 16): string {
  return [...randomBytes(length)].map((b) => ALPHABET[b & 0x3f]).join('');
}

export function sha512Crypt(
  password: string,
  salt: string = randomCryptSalt(),
  rounds = DEFAULT_ROUNDS,
): string {
  if (!/^[./0-9A-Za-z]{1,16}$/.test(salt)) throw new Error('salt must be 1–16 characters of [./0-9A-Za-z]');
  if (!Number.isInteger(rounds) || rounds < 1000 || rounds > 999_999_999)
    throw new Error('rounds must be 1000–999999999');
  const p = Buffer.from(password, 'utf8');
  const s = Buffer.from(salt, 'ascii');

  const b = sha512(p, s, p);
  const a = createHash('sha512').update(p).update(s).update(stretch(b, p.length));
  for (let n = p.length; n > 0; n >>= 1) a.update(n & 1 ? b : p);
  const digestA = a.digest();

  const pSeq = stretch(sha512(...Array<Buffer>(p.length).fill(p)), p.length);
  const sSeq = stretch(sha512(...Array<Buffer>(16 + digestA[0]!).fill(s)), s.length);

  let c = digestA;
  for (let r = 0; r < rounds; r++) {
    const h = createHash('sha512');
    h.update(r & 1 ? pSeq : c);
    if (r % 3) h.update(sSeq);
    if (r % 7) h.update(pSeq);
    h.update(r & 1 ? c : pSeq);
    c = h.digest();
  }

  const hash =
    ORDER.map(([x, y, z]) => encode24(c[x]!, c[y]!, c[z]!, 4)).join('') + encode24(0, 0, c[63]!, 2);
  const roundsPart = rounds === DEFAULT_ROUNDS ? '' : `rounds=${rounds}$`;
  return `$6$${roundsPart}${salt}$${hash}`;
}
