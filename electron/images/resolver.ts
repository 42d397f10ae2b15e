/** Turns a catalog image id into the path of a verified file in the cache (implemented in electron/images/). */
export interface ImageResolver {
  resolve(
    id: string,
    opts?: { signal?: AbortSignal; onProgress?: (fraction: number) => void },
  ): Promise<string>;
}
