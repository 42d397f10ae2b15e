import { chmod, mkdtemp, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ensureWebServiceCredentials,
  fileSecretStore,
  vboxAuthSimpleHash,
} from '../../../../electron/hypervisor/virtualbox/vbox-auth-secret.ts';

describe('VBoxAuthSimple secret', () => {
  it('hashes like `VBoxManage internalcommands passwordhash` (SHA-256 hex)', () => {
    expect(vboxAuthSimpleHash('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('creates one secret per user, keeps it private, and registers its hash each time', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nestlab-secret-'));
    const store = fileSecretStore(path.join(dir, 'vboxwebsrv.secret'));
    const calls: string[][] = [];
    const first = await ensureWebServiceCredentials(store, async (args) => void calls.push(args));
    const second = await ensureWebServiceCredentials(store, async (args) => void calls.push(args));
    expect(first.username).toBe('nestlab');
    expect(first.password).toHaveLength(43);
    expect(second.password).toBe(first.password);
    expect(calls[0]).toEqual([
      'setextradata',
      'global',
      'VBoxAuthSimple/users/nestlab',
      vboxAuthSimpleHash(first.password),
    ]);
    expect(calls).toHaveLength(2);
    if (process.platform !== 'win32')
      expect((await stat(path.join(dir, 'vboxwebsrv.secret'))).mode & 0o777).toBe(0o600);
  });

  it.skipIf(process.platform === 'win32')(
    'tightens an existing secret file others can read, and says so',
    async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'nestlab-secret-'));
      const file = path.join(dir, 'vboxwebsrv.secret');
      await writeFile(file, 'old-secret\n');
      await chmod(file, 0o644);
      const warnings: string[] = [];
      const store = fileSecretStore(file, (line) => warnings.push(line));
      expect(await store.load()).toBe('old-secret');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(warnings).toEqual([`${file} was readable by other users (mode 0644); NestLab set it to 0600.`]);
      await store.load();
      expect(warnings).toHaveLength(1);
    },
  );
});
