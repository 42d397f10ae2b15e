/**
 * Files the learner uploads from the Datacenter view arrive in chunks (the renderer cannot hand
 * the engine a file handle); they are spooled to a temporary file, in order, then streamed to
 * the node's `…/storage/{storage}/upload` in one multipart request.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { openAsBlob } from 'node:fs';
import { join } from 'node:path';

import { ApiError } from '../contract/errors.ts';
import type { UploadProgressInfo } from '../contract/pve-dto.ts';
import type { PveUpload } from '../pve/api.ts';

export interface UploadTarget {
  node: string;
  storage: string;
  content: PveUpload['content'];
  filename: string;
  size: number;
}

interface Spool extends UploadTarget {
  id: string;
  path: string;
  file: FileHandle;
  received: number;
  /** Chunks are written one after the other; a second chunk waits for the first. */
  writing: Promise<unknown>;
}

export type Uploader = (upload: PveUpload) => Promise<string>;

export class UploadSpool {
  readonly #spools = new Map<string, Spool>();

  constructor(private readonly dir: string) {}

  async begin(target: UploadTarget): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const id = randomUUID();
    const path = join(this.dir, `${id}.part`);
    const file = await open(path, 'w');
    this.#spools.set(id, { ...target, id, path, file, received: 0, writing: Promise.resolve() });
    return id;
  }

  async chunk(id: string, offset: number, base64: string): Promise<UploadProgressInfo> {
    const spool = this.#get(id);
    const write = spool.writing.then(async () => {
      if (offset !== spool.received) {
        throw new ApiError(
          'bad-request',
          `Upload ${id}: chunk at byte ${offset}, expected byte ${spool.received}.`,
        );
      }
      const bytes = Buffer.from(base64, 'base64');
      if (spool.received + bytes.length > spool.size) {
        throw new ApiError('bad-request', `Upload ${id}: more bytes than the announced ${spool.size}.`);
      }
      await spool.file.write(bytes, 0, bytes.length, offset);
      spool.received += bytes.length;
    });
    spool.writing = write.catch(() => undefined);
    await write;
    return { uploadId: id, received: spool.received, size: spool.size };
  }

  /** Sends the spooled file to the node; resolves with the upload task's UPID. */
  async finish(id: string, upload: Uploader | undefined): Promise<string> {
    const spool = this.#get(id);
    await spool.writing;
    if (spool.received !== spool.size) {
      throw new ApiError('bad-request', `Upload ${id}: received ${spool.received} of ${spool.size} bytes.`);
    }
    if (!upload) {
      await this.cancel(id);
      throw new ApiError('conflict', 'This backend cannot receive uploads; use "Download from URL".');
    }
    await spool.file.close();
    try {
      const file = await openAsBlob(spool.path);
      return await upload({
        node: spool.node,
        storage: spool.storage,
        content: spool.content,
        filename: spool.filename,
        file,
      });
    } finally {
      this.#spools.delete(id);
      await rm(spool.path, { force: true });
    }
  }

  async cancel(id: string): Promise<void> {
    const spool = this.#spools.get(id);
    if (!spool) return;
    this.#spools.delete(id);
    await spool.writing;
    await spool.file.close().catch(() => undefined);
    await rm(spool.path, { force: true });
  }

  async cancelAll(): Promise<void> {
    await Promise.all([...this.#spools.keys()].map((id) => this.cancel(id)));
  }

  #get(id: string): Spool {
    const spool = this.#spools.get(id);
    if (!spool) throw new ApiError('not-found', `No upload "${id}" (it finished or was cancelled).`);
    return spool;
  }
}
