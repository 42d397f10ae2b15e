/**
 * The per-student signing key: Ed25519, made by the teacher's `class prepare`. The private half
 * goes into the student's connection file, the public half stays in the teacher's class file, so
 * only the teacher can tell a bundle the student's NestLab signed from one edited by hand.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

export interface StudentKeyPair {
  /** PKCS#8 PEM, for the student's connection file. */
  privateKeyPem: string;
  /** SPKI PEM, for the teacher's class file. */
  publicKeyPem: string;
}

export function generateStudentKey(): StudentKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function privateKeyOf(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the signing key is not an Ed25519 key');
  return key;
}

function publicKeyOf(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the public key is not an Ed25519 key');
  return key;
}

/** Base64 signature of `bytes`. */
export function signBytes(bytes: string, privateKeyPem: string): string {
  return sign(null, Buffer.from(bytes, 'utf8'), privateKeyOf(privateKeyPem)).toString('base64');
}

export function verifyBytes(bytes: string, signature: string, publicKeyPem: string): boolean {
  let sig: Buffer;
  try {
    sig = Buffer.from(signature, 'base64');
  } catch {
    return false;
  }
  return verify(null, Buffer.from(bytes, 'utf8'), publicKeyOf(publicKeyPem), sig);
}
