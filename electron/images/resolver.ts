/**
 * The one thing provisioning needs from the image cache: a catalog id in, the absolute path of a
 * verified file out (downloaded and checked first when it is not cached yet).
 */
import { defaultDataDir } from '../app/data-dir.ts';
import { ImageStore, type ImageStoreOptions } from './image-store.ts';

export interface ImageResolver {
  resolve(id: string, opts?: { signal?: AbortSignal; onProgress?: (f: number) => void }): Promise<string>;
}

export { ImageError, type ImageErrorKind } from './image-error.ts';
export { ImageStore } from './image-store.ts';

/** The image store of this user's data folder (`NESTLAB_DATA_DIR` or the platform default). */
export function createImageResolver(options: Partial<ImageStoreOptions> = {}): ImageStore {
  return new ImageStore({ ...options, dataDir: options.dataDir ?? defaultDataDir() });
}
