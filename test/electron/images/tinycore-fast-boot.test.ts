import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { writeFastBootTinyCore } from '../../../electron/images/tinycore-fast-boot.ts';

const dir = mkdtempSync(join(tmpdir(), 'nestlab-tc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const isolinuxCfg = [
  'display boot.msg',
  'default microcore',
  'label microcore',
  '\tkernel /boot/vmlinuz',
  '\tinitrd /boot/core.gz',
  '\tappend loglevel=3',
  '',
  'implicit 0',
  'prompt 1',
  'timeout 300',
  'F1 boot.msg',
  '',
].join('\n');

/** An ISO laid out like Core-17.1.iso (Rock Ridge + Joliet, /boot/isolinux/isolinux.cfg), made by xorriso. */
function coreLikeIso(cfg: string | undefined): string {
  const root = mkdtempSync(join(dir, 'root-'));
  mkdirSync(join(root, 'boot', 'isolinux'), { recursive: true });
  if (cfg !== undefined) writeFileSync(join(root, 'boot', 'isolinux', 'isolinux.cfg'), cfg);
  writeFileSync(join(root, 'boot', 'core.gz'), Buffer.alloc(70_000, 7));
  const iso = join(dir, `${Math.random().toString(36).slice(2)}.iso`);
  execFileSync('xorriso', ['-as', 'mkisofs', '-R', '-J', '-V', 'Core', '-o', iso, root], { stdio: 'ignore' });
  return iso;
}

describe('writeFastBootTinyCore', () => {
  it('sets the ISOLINUX timeout to 0.1 s in a copy and changes nothing else', async () => {
    const source = coreLikeIso(isolinuxCfg);
    const target = join(dir, 'fast.iso');

    expect(await writeFastBootTinyCore(source, target)).toEqual({
      patched: true,
      from: 'timeout 300',
      to: 'timeout 001',
    });

    const before = readFileSync(source);
    const after = readFileSync(target);
    expect(after.length).toBe(before.length);
    expect([...after].filter((byte, i) => byte !== before[i]).length).toBe(2); // "300" → "001": two bytes differ
    expect(statSync(source).size).toBe(before.length);
    const extracted = join(dir, 'isolinux.cfg');
    execFileSync('osirrox', ['-indev', target, '-extract', '/boot/isolinux/isolinux.cfg', extracted], {
      stdio: 'ignore',
    });
    expect(readFileSync(extracted, 'utf8')).toBe(isolinuxCfg.replace('timeout 300', 'timeout 001'));
  });

  it('leaves an ISO without a timeout or without ISOLINUX alone, and says why', async () => {
    const noTimeout = coreLikeIso('default microcore\n');
    expect(await writeFastBootTinyCore(noTimeout, join(dir, 'a.iso'))).toEqual({
      patched: false,
      reason: `isolinux.cfg in ${noTimeout} sets no timeout`,
    });
    const noCfg = coreLikeIso(undefined);
    expect(await writeFastBootTinyCore(noCfg, join(dir, 'b.iso'))).toEqual({
      patched: false,
      reason: `${noCfg} has no /boot/isolinux/isolinux.cfg`,
    });
  });
});
