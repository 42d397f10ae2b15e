/** Streams a file once and computes every digest asked for (SHA-256 for the cache plus the upstream one). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

import type { DigestAlgorithm } from './catalog.ts';

export async function digestFile(
  path: string,
  algorithms: readonly DigestAlgorithm[],
  options: { signal?: AbortSignal; onBytes?: (bytes: number) => void } = {},
): Promise<Record<DigestAlgorithm, string | undefined> & { bytes: number }> {
  const unique = [...new Set(algorithms)];
  const hashes = unique.map((algorithm) => [algorithm, createHash(algorithm)] as const);
  let bytes = 0;
  const stream = createReadStream(path, { highWaterMark: 1 << 20, signal: options.signal });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    for (const [, hash] of hashes) hash.update(chunk);
    bytes += chunk.length;
    options.onBytes?.(bytes);
  }
  const result: Record<DigestAlgorithm, string | undefined> & { bytes: number } = {
    md5: undefined,
    sha256: undefined,
    sha512: undefined,
    bytes,
  };
  for (const [algorithm, hash] of hashes) result[algorithm] = hash.digest('hex');
  return result;
}
