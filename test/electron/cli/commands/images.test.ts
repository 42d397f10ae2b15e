import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { registerImages } from '../../../../electron/cli/commands/images.ts';
import type { CatalogImage } from '../../../../electron/images/catalog.ts';
import { ImageStore } from '../../../../electron/images/image-store.ts';
import { ImageServer, sha256 } from '../../../support/image-server.ts';

let server: ImageServer;
let dataDir: string;
const body = Buffer.alloc(50_000, 9);

beforeEach(async () => {
  server = await new ImageServer().start();
  dataDir = await mkdtemp(join(tmpdir(), 'nestlab-images-cli-'));
  server.serve('/iso/tc.iso', body);
  server.serve('/iso/SHA256SUMS', `${sha256(body)}  tc.iso\n`);
});

afterEach(async () => {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<{ out: string[]; err: string[]; code: number }> {
  const image: CatalogImage = {
    id: 'tc',
    title: 'Tiny test',
    version: '1.0',
    fileName: 'tc.iso',
    urls: [`${server.url}/iso/tc.iso`],
    checksum: { kind: 'sums-file', algorithm: 'sha256', name: 'SHA256SUMS' },
    format: 'iso',
    approxBytes: 50_000,
    homepage: 'https://example.invalid',
  };
  const result = { out: [] as string[], err: [] as string[], code: 0 };
  const program = new Command('nestlab').exitOverride();
  registerImages(program, {
    openStore: async () => new ImageStore({ dataDir, catalog: [image] }),
    io: {
      out: (line) => result.out.push(line),
      err: (line) => result.err.push(line),
      setExitCode: (code) => (result.code = code),
    },
  });
  await program.parseAsync(['node', 'nestlab', 'images', ...args]);
  return result;
}

describe('nestlab images', () => {
  it('lists, fetches with progress, lists as cached and verifies', async () => {
    const before = await run('list');
    expect(before.out[0]).toMatch(/^ID\s+VERSION\s+CACHE\s+FILE OR URL$/);
    expect(before.out[1]).toMatch(new RegExp(`^tc\\s+1\\.0\\s+-\\s+${server.url}/iso/tc.iso$`));

    const fetched = await run('fetch', 'tc');
    const path = join(dataDir, 'images', 'store', 'sha256', sha256(body), 'tc.iso');
    expect(fetched.code).toBe(0);
    expect(fetched.out).toEqual(['Fetching Tiny test (tc.iso)', `tc: verified, ${path}`]);
    expect(fetched.err.at(-1)).toBe('  tc.iso 100%');

    expect((await run('list')).out[1]).toMatch(new RegExp(`^tc\\s+1\\.0\\s+cached 49 KiB\\s+${path}$`));
    expect((await run('verify')).out).toEqual([`tc: OK ${path}`]);
  });

  it('imports a file, and fails with one line for a wrong one', async () => {
    const good = join(dataDir, 'good.iso');
    const bad = join(dataDir, 'bad.iso');
    await writeFile(good, body);
    await writeFile(bad, 'nope');

    const ok = await run('import', 'tc', good);
    expect(ok.code).toBe(0);
    expect(ok.out.at(-1)).toMatch(/^tc: verified and imported, .*tc\.iso$/);

    const wrong = await run('import', 'tc', bad);
    expect(wrong.code).toBe(1);
    expect(wrong.err.at(-1)).toMatch(
      /^nestlab images: .*bad\.iso is not Tiny test: SHA256 of .* Nothing was copied\.$/,
    );
  });

  it('says which image is unknown and exits 1', async () => {
    const result = await run('fetch', 'nope');
    expect(result.code).toBe(1);
    expect(result.err).toEqual(['nestlab images: no image "nope" in the NestLab catalog (known: tc)']);
  });

  it('fails verify for an image that is not cached', async () => {
    const result = await run('verify', 'tc');
    expect(result.code).toBe(1);
    expect(result.err).toEqual(['tc: FAILED not in the cache']);
  });
});
