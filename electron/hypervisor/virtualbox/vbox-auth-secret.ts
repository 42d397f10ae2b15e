/**
 * The per-user secret vboxwebsrv checks through VBoxAuthSimple (never `-A null`, which VirtualBox
 * persists and which lets every local process in). VBoxAuthSimple compares the SHA-256 hex of the
 * password with the global extradata `VBoxAuthSimple/users/<user>`; we set that with VBoxManage.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';

import { octal, tightenPrivateFile } from '../../fs/private-file.ts';

export const WEB_SERVICE_USER = 'nestlab';

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function vboxAuthSimpleHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export interface SecretStore {
  load(): Promise<string | undefined>;
  save(secret: string): Promise<void>;
}

/**
 * A file readable only by the user (0600; an existing looser one is tightened and `warn` says so).
 * The Electron shell may wrap it with safeStorage.
 */
export function fileSecretStore(
  file: string,
  warn: (line: string) => void = (line) => console.warn(line),
): SecretStore {
  return {
    load: async () => {
      try {
        const text = (await readFile(file, 'utf8')).trim();
        const { tightened, was } = await tightenPrivateFile(file);
        if (tightened) {
          warn(`${file} was readable by other users (mode ${octal(was ?? 0)}); NestLab set it to 0600.`);
        }
        return text || undefined;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    save: (secret) => writeFileAtomic(file, secret + '\n', { mode: 0o600 }),
  };
}

export type RunVBoxManage = (args: string[]) => Promise<void>;

/** Loads (or creates and stores) the secret and registers its hash with VirtualBox. */
export async function ensureWebServiceCredentials(
  store: SecretStore,
  runVBoxManage: RunVBoxManage,
  username = WEB_SERVICE_USER,
): Promise<{ username: string; password: string }> {
  let secret = await store.load();
  if (!secret) {
    secret = newSecret();
    await store.save(secret);
  }
  await runVBoxManage([
    'setextradata',
    'global',
    `VBoxAuthSimple/users/${username}`,
    vboxAuthSimpleHash(secret),
  ]);
  return { username, password: secret };
}
