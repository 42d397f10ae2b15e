/** Finds the digest an image must have: from the project's checksum file, or pinned in the catalog. */
import { request } from 'undici';

import type { CatalogImage, DigestAlgorithm } from './catalog.ts';
import { downloadDispatcher } from './http-dispatcher.ts';
import { ImageError, networkErrorCode } from './image-error.ts';

export interface ExpectedDigest {
  algorithm: DigestAlgorithm;
  digest: string;
  /** Where it came from: a URL, a local file, or "catalog". */
  source: string;
}

const HEX_LENGTH: Record<DigestAlgorithm, number> = { md5: 32, sha256: 64, sha512: 128 };

export function isDigest(algorithm: DigestAlgorithm, value: string): boolean {
  return new RegExp(`^[0-9a-f]{${HEX_LENGTH[algorithm]}}$`).test(value);
}

/**
 * The digest of `fileName` in a `sha256sum`/`sha512sum` listing. Accepts the binary-mode marker
 * (`<hex> *file`) and a leading `./`; ignores blank lines and a PGP-signed wrapper's other lines.
 */
export function digestFromSumsList(
  text: string,
  fileName: string,
  algorithm: DigestAlgorithm,
): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const match = /^([0-9A-Fa-f]+)\s+\*?(?:\.\/)?(.+?)\s*$/.exec(line.trim());
    if (match && match[2] === fileName && isDigest(algorithm, match[1]!.toLowerCase())) {
      return match[1]!.toLowerCase();
    }
  }
  return undefined;
}

/** A `.sha256` sidecar: its first token is the digest (`<hex>  <file>` or just `<hex>`). */
export function digestFromSidecar(text: string, algorithm: DigestAlgorithm): string | undefined {
  const first = text.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  return isDigest(algorithm, first) ? first : undefined;
}

/** The checksum file's URL for an image served at `imageUrl`. */
export function checksumUrlFor(image: CatalogImage, imageUrl: string): string | undefined {
  const { checksum } = image;
  if (checksum.kind === 'sums-file') return new URL(checksum.name, imageUrl).href;
  if (checksum.kind === 'sidecar') return `${imageUrl}${checksum.suffix}`;
  return undefined;
}

/** Parses a checksum file's text for this image (sums list or sidecar, as the catalog says). */
export function digestFromChecksumText(image: CatalogImage, text: string): string | undefined {
  const { checksum } = image;
  if (checksum.kind === 'sums-file') return digestFromSumsList(text, image.fileName, checksum.algorithm);
  if (checksum.kind === 'sidecar') return digestFromSidecar(text, checksum.algorithm);
  return checksum.digest;
}

export interface FetchTextOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

async function fetchText(url: string, imageId: string, options: FetchTextOptions): Promise<string> {
  let response;
  try {
    response = await request(url, {
      method: 'GET',
      signal: options.signal,
      headersTimeout: options.timeoutMs ?? 30_000,
      bodyTimeout: options.timeoutMs ?? 30_000,
      dispatcher: downloadDispatcher(),
    });
  } catch (error) {
    throw toFetchError(error, url, imageId, 'the checksum file');
  }
  const body = await response.body.text();
  if (response.statusCode === 404) {
    throw new ImageError(
      'not-found',
      `checksum file ${url} for image ${imageId} is not on the server (HTTP 404)`,
      {
        image: imageId,
        url,
      },
    );
  }
  if (response.statusCode !== 200) {
    throw new ImageError('http', `checksum file ${url} for image ${imageId}: HTTP ${response.statusCode}`, {
      image: imageId,
      url,
    });
  }
  return body;
}

export function toFetchError(error: unknown, url: string, imageId: string, what: string): ImageError {
  if (error instanceof ImageError) return error;
  const name = (error as { name?: unknown }).name;
  if (name === 'AbortError' || (error as { code?: unknown }).code === 'UND_ERR_ABORTED') {
    return new ImageError('aborted', `download of ${what} for image ${imageId} was cancelled`, {
      image: imageId,
      url,
    });
  }
  const code = networkErrorCode(error);
  if (code) {
    const host = new URL(url).host;
    return new ImageError(
      'offline',
      `cannot reach ${host} (${code}) to download ${what} for image ${imageId}: check the internet connection, ` +
        `or download it elsewhere and run \`nestlab images import ${imageId} FILE\``,
      { image: imageId, url },
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ImageError('http', `download of ${what} for image ${imageId} from ${url} failed: ${message}`, {
    image: imageId,
    url,
  });
}

/**
 * The expected digest for `image`, read from the checksum file next to `imageUrl` (or from a local
 * copy of that file when the user has one), or the catalog's pinned value.
 */
export async function expectedDigest(
  image: CatalogImage,
  imageUrl: string,
  options: FetchTextOptions & { checksumText?: { text: string; source: string } } = {},
): Promise<ExpectedDigest> {
  const { checksum } = image;
  if (checksum.kind === 'pinned') {
    return { algorithm: checksum.algorithm, digest: checksum.digest.toLowerCase(), source: 'catalog' };
  }
  const url = checksumUrlFor(image, imageUrl)!;
  const { text, source } = options.checksumText ?? {
    text: await fetchText(url, image.id, options),
    source: url,
  };
  const digest = digestFromChecksumText(image, text);
  if (!digest) {
    throw new ImageError(
      'checksum-unavailable',
      `${source} has no ${checksum.algorithm} digest for ${image.fileName} (image ${image.id}); ` +
        'the catalog entry may be out of date',
      { image: image.id, url: source },
    );
  }
  return { algorithm: checksum.algorithm, digest, source };
}
