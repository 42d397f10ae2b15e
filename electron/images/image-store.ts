/**
 * Fetches, imports and verifies catalog images into the cache. A file is usable only after its
 * digest matched the project's published one; a download that does not match is quarantined.
 */
import { copyFile, link, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';

import { findCatalogImage, IMAGE_CATALOG, type CatalogImage } from './catalog.ts';
import { expectedDigest, type ExpectedDigest } from './checksum-source.ts';
import { digestFile } from './file-digest.ts';
import { ImageCache, type CacheEntry } from './image-cache.ts';
import { ImageError } from './image-error.ts';
import { discardPartial, downloadResumable } from './resumable-download.ts';
import type { ImageResolver } from './resolver.ts';

export interface ResolveOptions {
  signal?: AbortSignal;
  /** Fraction done, 0..1, never decreasing: downloading is the first 90 %, verifying the rest. */
  onProgress?: (fraction: number) => void;
}

export interface ImageStatus {
  image: CatalogImage;
  cached?: CacheEntry & { path: string };
  /** Bytes of an interrupted download waiting to be resumed. */
  partialBytes: number;
}

export interface VerifyResult {
  id: string;
  ok: boolean;
  path?: string;
  problem?: string;
  quarantined?: string;
}

export interface ImageStoreOptions {
  dataDir: string;
  catalog?: readonly CatalogImage[];
  /** Per-attempt stall timeout for downloads. */
  stallTimeoutMs?: number;
  now?: () => Date;
}

const DOWNLOAD_SHARE = 0.9;

/** The ImageResolver provisioning codes against, plus list, import and verify. */
export class ImageStore implements ImageResolver {
  readonly cache: ImageCache;
  private readonly catalog: readonly CatalogImage[];
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly options: ImageStoreOptions) {
    this.cache = new ImageCache(options.dataDir);
    this.catalog = options.catalog ?? IMAGE_CATALOG;
  }

  image(id: string): CatalogImage {
    const image = findCatalogImage(id, this.catalog);
    if (!image) {
      throw new ImageError(
        'unknown-image',
        `no image "${id}" in the NestLab catalog (known: ${this.catalog.map((i) => i.id).join(', ')})`,
        { image: id },
      );
    }
    return image;
  }

  async list(): Promise<ImageStatus[]> {
    return Promise.all(
      this.catalog.map(async (image) => {
        const entry = await this.cache.usableEntry(image.id);
        let partialBytes = 0;
        try {
          partialBytes = (await stat(this.cache.partPath(image.id, image.fileName))).size;
        } catch {
          partialBytes = 0;
        }
        return {
          image,
          ...(entry
            ? { cached: { ...entry, path: this.cache.storePath(entry.sha256, entry.fileName) } }
            : {}),
          partialBytes,
        };
      }),
    );
  }

  /** Absolute path of the verified file; downloads it first when it is not cached. */
  resolve(id: string, options: ResolveOptions = {}): Promise<string> {
    const running = this.inFlight.get(id);
    if (running) return running;
    const work = this.resolveOnce(id, options).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, work);
    return work;
  }

  private async resolveOnce(id: string, options: ResolveOptions): Promise<string> {
    const image = this.image(id);
    const entry = await this.cache.usableEntry(id);
    if (entry) {
      options.onProgress?.(1);
      return this.cache.storePath(entry.sha256, entry.fileName);
    }
    return this.download(image, options);
  }

  private async download(image: CatalogImage, options: ResolveOptions): Promise<string> {
    const partPath = this.cache.partPath(image.id, image.fileName);
    await mkdir(dirname(partPath), { recursive: true });
    let lastError: ImageError | undefined;
    let fraction = 0;
    const report = (f: number): void => {
      if (f > fraction) options.onProgress?.((fraction = Math.min(f, 1)));
    };
    for (const url of image.urls) {
      try {
        const expected = await expectedDigest(image, url, { signal: options.signal });
        await downloadResumable(url, partPath, {
          imageId: image.id,
          signal: options.signal,
          stallTimeoutMs: this.options.stallTimeoutMs,
          onProgress: ({ received, total }) =>
            report((received / Math.max(total ?? image.approxBytes, received, 1)) * DOWNLOAD_SHARE),
        });
        report(DOWNLOAD_SHARE);
        const path = await this.verifyAndAdopt(image, partPath, expected, url, 'download', options, report);
        report(1);
        return path;
      } catch (error) {
        if (!(error instanceof ImageError)) throw error;
        // A bad file or a cancel is final; an unreachable or missing host tries the next mirror.
        if (!['offline', 'not-found', 'http', 'stalled'].includes(error.kind)) throw error;
        if (error.kind === 'stalled' || error.details.resumable) throw error;
        lastError = error;
      }
    }
    throw (
      lastError ?? new ImageError('not-found', `image ${image.id} has no download URL`, { image: image.id })
    );
  }

  private async verifyAndAdopt(
    image: CatalogImage,
    file: string,
    expected: ExpectedDigest,
    from: string,
    origin: 'download' | 'import',
    options: ResolveOptions,
    report: (fraction: number) => void,
  ): Promise<string> {
    const { size: total } = await stat(file);
    const digests = await digestFile(file, ['sha256', expected.algorithm], {
      signal: options.signal,
      onBytes: (bytes) => report(DOWNLOAD_SHARE + (bytes / Math.max(total, 1)) * (1 - DOWNLOAD_SHARE)),
    });
    const actual = digests[expected.algorithm]!;
    if (actual !== expected.digest) {
      const described =
        `${expected.algorithm.toUpperCase()} of ${origin === 'import' ? file : image.fileName} is ${actual}, ` +
        `but ${expected.source} says ${expected.digest}`;
      if (origin === 'import') {
        throw new ImageError(
          'checksum-mismatch',
          `${file} is not ${image.title}: ${described}. Nothing was copied.`,
          { image: image.id, file },
        );
      }
      const quarantined = await this.cache.quarantine(file, this.options.now?.());
      await discardPartial(file);
      throw new ImageError(
        'checksum-mismatch',
        `the download of image ${image.id} from ${from} is damaged or not the published file: ${described}. ` +
          `It was moved to ${quarantined}; run the command again to download it afresh.`,
        { image: image.id, url: from, file: quarantined, quarantined },
      );
    }
    const sha256 = digests.sha256!;
    let path: string;
    if (origin === 'download') {
      path = await this.cache.adopt(file, sha256, image.fileName);
      await discardPartial(file);
    } else {
      path = this.cache.storePath(sha256, image.fileName);
      await mkdir(dirname(path), { recursive: true });
      await rm(path, { force: true });
      // A hard link costs no space; across file systems, copy.
      await link(file, path).catch(() => copyFile(file, path));
    }
    await this.cache.record({
      id: image.id,
      fileName: image.fileName,
      sha256,
      bytes: digests.bytes,
      upstream: expected,
      origin,
      from,
      verifiedAt: (this.options.now?.() ?? new Date()).toISOString(),
    });
    return path;
  }

  /**
   * "Use a file I already have": checks it against the same published digest as a download and,
   * when it matches, links (or copies) it into the cache. The user's file is never moved or changed.
   * `checksumsFile` is a local copy of the project's checksum file, for computers without internet.
   */
  async importFile(
    id: string,
    file: string,
    options: ResolveOptions & { checksumsFile?: string } = {},
  ): Promise<string> {
    const image = this.image(id);
    const absolute = resolvePath(file);
    try {
      const info = await stat(absolute);
      if (!info.isFile()) throw new Error('not a regular file');
    } catch (error) {
      throw new ImageError('file', `cannot import ${absolute} as image ${id}: ${(error as Error).message}`, {
        image: id,
        file: absolute,
      });
    }
    let expected: ExpectedDigest | undefined;
    if (options.checksumsFile) {
      const text = await readFile(options.checksumsFile, 'utf8').catch((error: Error) => {
        throw new ImageError('file', `cannot read checksum file ${options.checksumsFile}: ${error.message}`, {
          image: id,
          file: options.checksumsFile,
        });
      });
      expected = await expectedDigest(image, image.urls[0]!, {
        checksumText: { text, source: resolvePath(options.checksumsFile) },
      });
    } else {
      let lastError: ImageError | undefined;
      for (const url of image.urls) {
        try {
          expected = await expectedDigest(image, url, { signal: options.signal });
          break;
        } catch (error) {
          if (!(error instanceof ImageError) || error.kind === 'aborted') throw error;
          lastError = error;
        }
      }
      if (!expected) {
        throw new ImageError(
          'checksum-unavailable',
          `cannot check ${absolute} against the published checksum of image ${id}: ${lastError?.message}. ` +
            'Download the checksum file too and pass it with --checksums FILE.',
          { image: id, file: absolute },
        );
      }
    }
    let fraction = 0;
    const report = (f: number): void => {
      if (f > fraction) options.onProgress?.((fraction = f));
    };
    const path = await this.verifyAndAdopt(image, absolute, expected, absolute, 'import', options, report);
    report(1);
    return path;
  }

  /** Re-reads cached files and checks them against the digest they were admitted with. */
  async verify(id?: string, options: { signal?: AbortSignal } = {}): Promise<VerifyResult[]> {
    const ids = id ? [this.image(id).id] : this.catalog.map((image) => image.id);
    const results: VerifyResult[] = [];
    for (const imageId of ids) {
      const entry = await this.cache.entry(imageId);
      if (!entry) {
        if (id) results.push({ id: imageId, ok: false, problem: 'not in the cache' });
        continue;
      }
      const path = this.cache.storePath(entry.sha256, entry.fileName);
      let digests;
      try {
        digests = await digestFile(path, ['sha256', entry.upstream.algorithm], options);
      } catch (error) {
        await this.cache.forget(imageId);
        results.push({
          id: imageId,
          ok: false,
          path,
          problem: `cannot read it (${(error as Error).message})`,
        });
        continue;
      }
      const upstream = digests[entry.upstream.algorithm];
      if (digests.sha256 === entry.sha256 && upstream === entry.upstream.digest) {
        results.push({ id: imageId, ok: true, path });
        continue;
      }
      const quarantined = await this.cache.quarantine(path, this.options.now?.());
      await this.cache.removeStored(entry);
      await this.cache.forget(imageId);
      results.push({
        id: imageId,
        ok: false,
        path,
        quarantined,
        problem:
          `${entry.upstream.algorithm.toUpperCase()} is now ${upstream}, ` +
          `not ${entry.upstream.digest} (${entry.upstream.source}); moved to ${quarantined}`,
      });
    }
    return results;
  }
}
