import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { CatalogImage } from '../../../electron/images/catalog.ts';
import { ImageError } from '../../../electron/images/image-error.ts';
import { ImageStore } from '../../../electron/images/image-store.ts';
import { digestOf, ImageServer, sha256 } from '../../support/image-server.ts';

const payload = (bytes: number, seed = 7): Buffer => {
  const buffer = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) buffer[i] = (i * 31 + seed) & 255;
  return buffer;
};

let server: ImageServer;
let dataDir: string;

beforeEach(async () => {
  server = await new ImageServer().start();
  dataDir = await mkdtemp(join(tmpdir(), 'nestlab-images-'));
});

afterEach(async () => {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function isoImage(overrides: Partial<CatalogImage> = {}): CatalogImage {
  return {
    id: 'test-iso',
    title: 'Test ISO',
    version: '1',
    fileName: 'test-1.iso',
    urls: [`${server.url}/iso/test-1.iso`],
    checksum: { kind: 'sums-file', algorithm: 'sha256', name: 'SHA256SUMS' },
    format: 'iso',
    approxBytes: 1000,
    homepage: 'https://example.invalid',
    ...overrides,
  };
}

function storeFor(images: CatalogImage[], extra: Partial<ConstructorParameters<typeof ImageStore>[0]> = {}) {
  return new ImageStore({ dataDir, catalog: images, ...extra });
}

async function rejection(promise: Promise<unknown>): Promise<ImageError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageError);
  return error as ImageError;
}

describe('ImageStore downloads', () => {
  it('downloads, checks SHA256SUMS and keeps the file under its SHA-256; a second resolve is offline', async () => {
    const body = payload(200_000);
    server.serve('/iso/test-1.iso', body);
    server.serve('/iso/SHA256SUMS', `${sha256('other')}  other.iso\n${sha256(body)}  test-1.iso\n`);
    const store = storeFor([isoImage()]);
    const fractions: number[] = [];

    const path = await store.resolve('test-iso', { onProgress: (f) => fractions.push(f) });

    expect(path).toBe(join(dataDir, 'images', 'store', 'sha256', sha256(body), 'test-1.iso'));
    expect(await readFile(path)).toEqual(body);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    const index = JSON.parse(await readFile(join(dataDir, 'images', 'index.json'), 'utf8'));
    expect(index.images['test-iso']).toMatchObject({
      sha256: sha256(body),
      bytes: body.length,
      origin: 'download',
    });
    expect(await readdir(join(dataDir, 'images', 'downloads', 'test-iso'))).toEqual([]);

    await server.stop();
    expect(await store.resolve('test-iso')).toBe(path);
  });

  it('resumes with a Range request after the connection is cut mid-file', async () => {
    const body = payload(300_000);
    server.serve('/iso/test-1.iso', body, '"v1"');
    server.serve('/iso/SHA256SUMS', `${sha256(body)}  test-1.iso\n`);
    server.fault('/iso/test-1.iso', { kind: 'cut-after', bytes: 100_000 });

    const path = await storeFor([isoImage()]).resolve('test-iso');

    expect(await readFile(path)).toEqual(body);
    const [first, second] = server.requestsFor('/iso/test-1.iso');
    expect(first?.range).toBeUndefined();
    const start = Number(/^bytes=(\d+)-$/.exec(second?.range ?? '')?.[1]);
    expect(start).toBeGreaterThan(0);
    expect(start).toBeLessThanOrEqual(100_000);
    expect(second?.ifRange).toBe('"v1"');
  });

  it('keeps the partial file when cancelled and resumes it on the next call', async () => {
    const body = payload(400_000);
    server.serve('/iso/test-1.iso', body);
    server.serve('/iso/SHA256SUMS', `${sha256(body)}  test-1.iso\n`);
    server.fault('/iso/test-1.iso', { kind: 'stall-after', bytes: 150_000 });
    const store = storeFor([isoImage()]);
    const controller = new AbortController();

    const error = await rejection(
      store.resolve('test-iso', {
        signal: controller.signal,
        onProgress: (f) => {
          if (f > 0.3) controller.abort();
        },
      }),
    );
    expect(error.kind).toBe('aborted');
    const partial = (await stat(join(dataDir, 'images', 'downloads', 'test-iso', 'test-1.iso.part'))).size;
    expect(partial).toBeGreaterThan(0);

    const path = await store.resolve('test-iso');
    expect(await readFile(path)).toEqual(body);
    expect(server.requestsFor('/iso/test-1.iso')[1]?.range).toBe(`bytes=${partial}-`);
  });

  it('starts over when the file changed on the server since the partial download (If-Range)', async () => {
    const old = payload(120_000, 1);
    server.serve('/iso/test-1.iso', old, '"old"');
    server.serve('/iso/SHA256SUMS', `${sha256(old)}  test-1.iso\n`);
    server.fault('/iso/test-1.iso', { kind: 'stall-after', bytes: 50_000 });
    const store = storeFor([isoImage()], { stallTimeoutMs: 2_000 });
    expect((await rejection(store.resolve('test-iso'))).kind).toBe('stalled');

    const fresh = payload(130_000, 2);
    server.serve('/iso/test-1.iso', fresh, '"new"');
    server.serve('/iso/SHA256SUMS', `${sha256(fresh)}  test-1.iso\n`);
    const path = await store.resolve('test-iso');

    expect(await readFile(path)).toEqual(fresh);
    expect(server.requestsFor('/iso/test-1.iso')[1]?.ifRange).toBe('"old"');
  });

  it('quarantines a download whose digest does not match and says where it went', async () => {
    const body = payload(50_000);
    server.serve('/iso/test-1.iso', body);
    server.serve('/iso/SHA256SUMS', `${sha256('something else')}  test-1.iso\n`);
    const store = storeFor([isoImage()], { now: () => new Date('2026-12-04T01:02:03.000Z') });

    const error = await rejection(store.resolve('test-iso'));

    expect(error.kind).toBe('checksum-mismatch');
    expect(error.message).toContain(`SHA256 of test-1.iso is ${sha256(body)}`);
    expect(error.message).toContain(`${server.url}/iso/SHA256SUMS says ${sha256('something else')}`);
    const quarantined = join(dataDir, 'images', 'quarantine', '2026-12-04T01-02-03-000Z-test-1.iso');
    expect(error.details.quarantined).toBe(quarantined);
    expect(error.message).toContain(quarantined);
    expect(await readFile(quarantined)).toEqual(body);
    expect(await readdir(join(dataDir, 'images', 'downloads', 'test-iso'))).toEqual([]);
    expect((await store.list())[0]?.cached).toBeUndefined();
  });

  it('answers 404 with the URL, after trying every mirror', async () => {
    server.serve('/iso/SHA256SUMS', `${sha256('x')}  test-1.iso\n`);
    server.serve('/mirror/SHA256SUMS', `${sha256('x')}  test-1.iso\n`);
    const image = isoImage({ urls: [`${server.url}/iso/test-1.iso`, `${server.url}/mirror/test-1.iso`] });

    const error = await rejection(storeFor([image]).resolve('test-iso'));

    expect(error.kind).toBe('not-found');
    expect(error.message).toBe(`image test-iso is not at ${server.url}/mirror/test-1.iso (HTTP 404)`);
    expect(server.requestsFor('/iso/test-1.iso')).toHaveLength(1);
  });

  it('falls back to the next mirror when the first one has no file', async () => {
    const body = payload(10_000);
    server.serve('/iso/SHA256SUMS', `${sha256(body)}  test-1.iso\n`);
    server.serve('/mirror/test-1.iso', body);
    server.serve('/mirror/SHA256SUMS', `${sha256(body)}  test-1.iso\n`);
    const image = isoImage({ urls: [`${server.url}/iso/test-1.iso`, `${server.url}/mirror/test-1.iso`] });

    expect(await readFile(await storeFor([image]).resolve('test-iso'))).toEqual(body);
  });

  it('completes from a slow server, reporting progress all along', async () => {
    const body = payload(64_000);
    server.serve('/iso/test-1.iso', body);
    server.serve('/iso/SHA256SUMS', `${sha256(body)}  test-1.iso\n`);
    server.fault('/iso/test-1.iso', { kind: 'trickle', chunk: 4_000, delayMs: 15 });
    const fractions: number[] = [];

    const path = await storeFor([isoImage()]).resolve('test-iso', { onProgress: (f) => fractions.push(f) });

    expect(await readFile(path)).toEqual(body);
    // Several updates while bytes trickle in (a loaded machine may coalesce some chunks, so no exact count).
    expect(new Set(fractions.filter((f) => f > 0 && f < 0.9)).size).toBeGreaterThan(1);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
  });

  it('says "stalled" when a server stops sending, and keeps what arrived', async () => {
    const body = payload(80_000);
    server.serve('/iso/test-1.iso', body);
    server.serve('/iso/SHA256SUMS', `${sha256(body)}  test-1.iso\n`);
    server.fault('/iso/test-1.iso', { kind: 'stall-after', bytes: 30_000 });
    const store = storeFor([isoImage()], { stallTimeoutMs: 2_000 });

    const error = await rejection(store.resolve('test-iso'));

    expect(error.kind).toBe('stalled');
    expect(error.message).toMatch(
      /stopped sending image test-iso after \d+ bytes; run the same command again to resume/,
    );
    expect((await store.list())[0]?.partialBytes).toBeGreaterThan(0);
    expect(await readFile(await store.resolve('test-iso'))).toEqual(body);
  });

  it('gives a clear offline error when nothing answers', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const image = isoImage({ urls: [`http://127.0.0.1:${port}/iso/test-1.iso`] });

    const error = await rejection(storeFor([image]).resolve('test-iso'));

    expect(error.kind).toBe('offline');
    expect(error.message).toBe(
      `cannot reach 127.0.0.1:${port} (ECONNREFUSED) to download the checksum file for image test-iso: ` +
        'check the internet connection, or download it elsewhere and run `nestlab images import test-iso FILE`',
    );
  });

  it('checks a .sha256 sidecar (TrueNAS), a SHA512SUMS list (Debian) and a pinned MD5 (Tiny Core)', async () => {
    const nas = payload(5_000, 3);
    const debian = payload(6_000, 4);
    const tiny = payload(7_000, 5);
    server.serve('/nas/nas.iso', nas);
    server.serve('/nas/nas.iso.sha256', `${sha256(nas)}  nas.iso\n`);
    server.serve('/deb/debian.raw', debian);
    server.serve('/deb/SHA512SUMS', `${digestOf('sha512', debian)}  debian.raw\n`);
    server.serve('/tc/core.iso', tiny);
    const base = isoImage();
    const store = storeFor([
      {
        ...base,
        id: 'nas',
        fileName: 'nas.iso',
        urls: [`${server.url}/nas/nas.iso`],
        checksum: { kind: 'sidecar', algorithm: 'sha256', suffix: '.sha256' },
      },
      {
        ...base,
        id: 'deb',
        fileName: 'debian.raw',
        urls: [`${server.url}/deb/debian.raw`],
        checksum: { kind: 'sums-file', algorithm: 'sha512', name: 'SHA512SUMS' },
      },
      {
        ...base,
        id: 'tc',
        fileName: 'core.iso',
        urls: [`${server.url}/tc/core.iso`],
        checksum: { kind: 'pinned', algorithm: 'md5', digest: digestOf('md5', tiny) },
      },
    ]);

    expect(await readFile(await store.resolve('nas'))).toEqual(nas);
    expect(await readFile(await store.resolve('deb'))).toEqual(debian);
    expect(await readFile(await store.resolve('tc'))).toEqual(tiny);
    expect(server.requestsFor('/tc/core.iso.md5.txt')).toHaveLength(0);
  });

  it('says so when the checksum list has no line for the file, and downloads nothing', async () => {
    server.serve('/iso/test-1.iso', payload(1000));
    server.serve('/iso/SHA256SUMS', `${sha256('x')}  some-other.iso\n`);
    const error = await rejection(storeFor([isoImage()]).resolve('test-iso'));
    expect(error.kind).toBe('checksum-unavailable');
    expect(error.message).toBe(
      `${server.url}/iso/SHA256SUMS has no sha256 digest for test-1.iso (image test-iso); the catalog entry may be out of date`,
    );
    expect(server.requestsFor('/iso/test-1.iso')).toHaveLength(0);
  });

  it('refuses an id that is not in the catalog, listing the ones that are', async () => {
    const error = await rejection(storeFor([isoImage()]).resolve('nope'));
    expect(error.kind).toBe('unknown-image');
    expect(error.message).toBe('no image "nope" in the NestLab catalog (known: test-iso)');
  });

  it('shares one download between two callers asking at once', async () => {
    const body = payload(100_000);
    server.serve('/iso/test-1.iso', body);
    server.serve('/iso/SHA256SUMS', `${sha256(body)}  test-1.iso\n`);
    const store = storeFor([isoImage()]);

    const [a, b] = await Promise.all([store.resolve('test-iso'), store.resolve('test-iso')]);

    expect(a).toBe(b);
    expect(server.requestsFor('/iso/test-1.iso')).toHaveLength(1);
  });
});

describe('ImageStore import and verify', () => {
  it('imports a good file by linking it into the cache and leaves the original alone', async () => {
    const body = payload(20_000);
    server.serve('/iso/SHA256SUMS', `${sha256(body)}  test-1.iso\n`);
    const mine = join(dataDir, 'my-download.iso');
    await writeFile(mine, body);

    const path = await storeFor([isoImage()]).importFile('test-iso', mine);

    expect(path).toBe(join(dataDir, 'images', 'store', 'sha256', sha256(body), 'test-1.iso'));
    expect(await readFile(path)).toEqual(body);
    expect(await readFile(mine)).toEqual(body);
    expect(server.requestsFor('/iso/test-1.iso')).toHaveLength(0);
  });

  it('rejects a file whose digest differs and copies nothing', async () => {
    server.serve('/iso/SHA256SUMS', `${sha256('the real one')}  test-1.iso\n`);
    const mine = join(dataDir, 'wrong.iso');
    await writeFile(mine, 'not it');
    const store = storeFor([isoImage()]);

    const error = await rejection(store.importFile('test-iso', mine));

    expect(error.kind).toBe('checksum-mismatch');
    expect(error.message).toBe(
      `${mine} is not Test ISO: SHA256 of ${mine} is ${sha256('not it')}, but ${server.url}/iso/SHA256SUMS ` +
        `says ${sha256('the real one')}. Nothing was copied.`,
    );
    expect(await readFile(mine, 'utf8')).toBe('not it');
    expect((await store.list())[0]?.cached).toBeUndefined();
  });

  it('imports offline with a local copy of the checksum file, and says what is missing without one', async () => {
    const body = payload(9_000);
    const mine = join(dataDir, 'offline.iso');
    const sums = join(dataDir, 'SHA256SUMS');
    await writeFile(mine, body);
    await writeFile(sums, `${sha256(body)} *test-1.iso\n`);
    const store = storeFor([isoImage()]);
    await server.stop();

    const error = await rejection(store.importFile('test-iso', mine));
    expect(error.kind).toBe('checksum-unavailable');
    expect(error.message).toContain('Download the checksum file too and pass it with --checksums FILE.');

    const path = await store.importFile('test-iso', mine, { checksumsFile: sums });
    expect(await readFile(path)).toEqual(body);
  });

  it('names a file that cannot be imported', async () => {
    const error = await rejection(
      storeFor([isoImage()]).importFile('test-iso', join(dataDir, 'missing.iso')),
    );
    expect(error.kind).toBe('file');
    expect(error.message).toContain(`cannot import ${join(dataDir, 'missing.iso')} as image test-iso`);
  });

  it('verify passes an intact file and quarantines one that changed on disk', async () => {
    const body = payload(30_000);
    server.serve('/iso/test-1.iso', body);
    server.serve('/iso/SHA256SUMS', `${sha256(body)}  test-1.iso\n`);
    const store = storeFor([isoImage()]);
    const path = await store.resolve('test-iso');

    expect(await store.verify()).toEqual([{ id: 'test-iso', ok: true, path }]);

    const damaged = Buffer.from(body);
    damaged[1234] = damaged[1234]! ^ 0xff;
    await writeFile(path, damaged);
    const [result] = await store.verify('test-iso');

    expect(result).toMatchObject({ id: 'test-iso', ok: false, path });
    expect(result?.problem).toContain(`not ${sha256(body)}`);
    expect(await readFile(result!.quarantined!)).toEqual(damaged);
    expect((await store.list())[0]?.cached).toBeUndefined();
    expect(await store.verify('test-iso')).toEqual([
      { id: 'test-iso', ok: false, problem: 'not in the cache' },
    ]);
  });
});
