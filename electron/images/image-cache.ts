/**
 * The content-addressed image cache in the data folder:
 *
 *   <data>/images/store/sha256/<hex>/<file>   verified files, named by their SHA-256
 *   <data>/images/downloads/<id>/<file>.part  downloads in progress (resumable)
 *   <data>/images/quarantine/<time>-<file>    files that failed verification, kept for inspection
 *   <data>/images/index.json                  catalog id → the verified file it resolves to
 */
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import writeFileAtomic from 'write-file-atomic';

import type { DigestAlgorithm } from './catalog.ts';

export interface CacheEntry {
  id: string;
  fileName: string;
  sha256: string;
  bytes: number;
  /** The project's own digest the file was checked against. */
  upstream: { algorithm: DigestAlgorithm; digest: string; source: string };
  origin: 'download' | 'import';
  /** URL or the imported file's path. */
  from: string;
  verifiedAt: string;
}

interface IndexFile {
  version: 1;
  images: Record<string, CacheEntry>;
}

export class ImageCache {
  readonly root: string;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.root = join(dataDir, 'images');
  }

  storePath(sha256: string, fileName: string): string {
    return join(this.root, 'store', 'sha256', sha256, fileName);
  }

  partPath(id: string, fileName: string): string {
    return join(this.root, 'downloads', id, `${fileName}.part`);
  }

  private get indexPath(): string {
    return join(this.root, 'index.json');
  }

  async readIndex(): Promise<IndexFile> {
    try {
      const parsed = JSON.parse(await readFile(this.indexPath, 'utf8')) as IndexFile;
      if (parsed.version === 1 && parsed.images && typeof parsed.images === 'object') return parsed;
    } catch {
      // Missing or unreadable: start empty; the files themselves are re-verified before use.
    }
    return { version: 1, images: {} };
  }

  async entry(id: string): Promise<CacheEntry | undefined> {
    return (await this.readIndex()).images[id];
  }

  /** The entry when its file is still there with the recorded size. */
  async usableEntry(id: string): Promise<CacheEntry | undefined> {
    const entry = await this.entry(id);
    if (!entry) return undefined;
    try {
      const info = await stat(this.storePath(entry.sha256, entry.fileName));
      return info.isFile() && info.size === entry.bytes ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  private update(change: (index: IndexFile) => void): Promise<void> {
    const next = this.writes.then(async () => {
      const index = await this.readIndex();
      change(index);
      await mkdir(this.root, { recursive: true });
      await writeFileAtomic(this.indexPath, `${JSON.stringify(index, null, 2)}\n`);
    });
    this.writes = next.catch(() => undefined);
    return next;
  }

  record(entry: CacheEntry): Promise<void> {
    return this.update((index) => {
      index.images[entry.id] = entry;
    });
  }

  forget(id: string): Promise<void> {
    return this.update((index) => {
      delete index.images[id];
    });
  }

  /** Moves a verified file into the store under its SHA-256. */
  async adopt(file: string, sha256: string, fileName: string): Promise<string> {
    const target = this.storePath(sha256, fileName);
    await mkdir(dirname(target), { recursive: true });
    await rename(file, target);
    return target;
  }

  /** Moves a bad file aside (never deletes it: the user may want to look at it). */
  async quarantine(file: string, now: Date = new Date()): Promise<string> {
    const dir = join(this.root, 'quarantine');
    await mkdir(dir, { recursive: true });
    const target = join(
      dir,
      `${now.toISOString().replace(/[:.]/g, '-')}-${basename(file).replace(/\.part$/, '')}`,
    );
    await rename(file, target);
    return target;
  }

  async removeStored(entry: CacheEntry): Promise<void> {
    await rm(dirname(this.storePath(entry.sha256, entry.fileName)), { recursive: true, force: true });
  }
}
