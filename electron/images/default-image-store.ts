/** The image store of this user's data folder (`NESTLAB_DATA_DIR` or the platform default). */
import { defaultDataDir } from '../app/data-dir.ts';
import { ImageStore, type ImageStoreOptions } from './image-store.ts';

/** An ImageStore is the ImageResolver of resolver.ts (plus list, fetch, import, verify). */
export function createImageResolver(options: Partial<ImageStoreOptions> = {}): ImageStore {
  return new ImageStore({ ...options, dataDir: options.dataDir ?? defaultDataDir() });
}
