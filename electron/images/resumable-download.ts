/**
 * Downloads one URL into a `.part` file that survives interruptions: a later call sends
 * `Range: bytes=<size>-` with `If-Range` (the ETag or Last-Modified seen first), so a changed file on
 * the server restarts from zero instead of being spliced. A connection cut mid-body is resumed
 * automatically a few times while bytes keep arriving.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { Writable } from 'node:stream';

import { stream } from 'undici';
import writeFileAtomic from 'write-file-atomic';

import { downloadDispatcher } from './http-dispatcher.ts';
import { ImageError } from './image-error.ts';
import { toFetchError } from './checksum-source.ts';

export interface DownloadProgress {
  received: number;
  /** Total size when the server says it. */
  total?: number;
}

export interface DownloadOptions {
  imageId: string;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** No byte for this long ends the attempt as stalled (the .part stays for a resume). */
  stallTimeoutMs?: number;
  /** Automatic resumes after a cut connection, as long as each attempt brought new bytes. */
  maxResumes?: number;
}

export interface DownloadResult {
  bytes: number;
  /** Bytes that were already on disk from an earlier attempt when this call started. */
  resumedFrom: number;
  /** HTTP requests made (1 when nothing was cut). */
  requests: number;
}

interface PartMeta {
  url: string;
  validator?: string;
  total?: number;
}

const metaPath = (partPath: string): string => `${partPath}.json`;

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function readMeta(partPath: string): Promise<PartMeta | undefined> {
  try {
    return JSON.parse(await readFile(metaPath(partPath), 'utf8')) as PartMeta;
  } catch {
    return undefined;
  }
}

export async function discardPartial(partPath: string): Promise<void> {
  await rm(partPath, { force: true });
  await rm(metaPath(partPath), { force: true });
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Total size from `Content-Range: bytes a-b/total` or, for a 200, Content-Length. */
function totalFrom(
  statusCode: number,
  headers: Record<string, string | string[] | undefined>,
): number | undefined {
  if (statusCode === 206) {
    const total = /\/(\d+)\s*$/.exec(header(headers, 'content-range') ?? '')?.[1];
    return total ? Number(total) : undefined;
  }
  const length = header(headers, 'content-length');
  return length ? Number(length) : undefined;
}

/** What to do with an answer, given what is already on disk. */
function decide(
  statusCode: number,
  headers: Record<string, string | string[] | undefined>,
  have: number,
  canResume: boolean,
  url: string,
  imageId: string,
):
  | { kind: 'write'; appending: boolean }
  | { kind: 'complete' }
  | { kind: 'restart' }
  | { kind: 'fail'; error: ImageError } {
  if (statusCode === 416 && canResume) {
    // No bytes past ours: our copy is as long as the file, or the file changed under us.
    const total = /\/(\d+)\s*$/.exec(header(headers, 'content-range') ?? '')?.[1];
    return total && Number(total) === have ? { kind: 'complete' } : { kind: 'restart' };
  }
  if (statusCode === 404 || statusCode === 410) {
    return {
      kind: 'fail',
      error: new ImageError('not-found', `image ${imageId} is not at ${url} (HTTP ${statusCode})`, {
        image: imageId,
        url,
      }),
    };
  }
  if (statusCode === 206) {
    const start = /bytes\s+(\d+)-/.exec(header(headers, 'content-range') ?? '')?.[1];
    return canResume && Number(start) === have ? { kind: 'write', appending: true } : { kind: 'restart' };
  }
  if (statusCode === 200) return { kind: 'write', appending: false };
  return {
    kind: 'fail',
    error: new ImageError('http', `download of image ${imageId} from ${url} failed: HTTP ${statusCode}`, {
      image: imageId,
      url,
    }),
  };
}

/** One HTTP request; returns true when the file is complete. */
async function attempt(
  url: string,
  partPath: string,
  options: DownloadOptions,
): Promise<{ complete: boolean; gained: number }> {
  const have = await sizeOf(partPath);
  const meta = have > 0 ? await readMeta(partPath) : undefined;
  const canResume = have > 0 && meta?.url === url;
  if (have > 0 && !canResume) await discardPartial(partPath);
  if (canResume && meta?.total !== undefined && have === meta.total) return { complete: true, gained: 0 };

  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (canResume) {
    headers.range = `bytes=${have}-`;
    if (meta?.validator) headers['if-range'] = meta.validator;
  }
  type Decision =
    | { kind: 'write'; appending: boolean }
    | { kind: 'complete' }
    | { kind: 'restart' }
    | { kind: 'fail'; error: ImageError };
  let decision: Decision | undefined;
  let total: number | undefined;
  let received = 0;
  let fd: number | undefined;
  const discard = (): Writable => new Writable({ write: (_chunk, _encoding, done) => done() });
  try {
    await stream(
      url,
      {
        method: 'GET',
        headers,
        signal: options.signal,
        dispatcher: downloadDispatcher(),
        headersTimeout: options.stallTimeoutMs ?? 60_000,
        bodyTimeout: options.stallTimeoutMs ?? 60_000,
      },
      ({ statusCode, headers: responseHeaders }) => {
        decision = decide(statusCode, responseHeaders, have, canResume, url, options.imageId);
        if (decision.kind !== 'write') return discard();
        total = totalFrom(statusCode, responseHeaders);
        const validator = header(responseHeaders, 'etag') ?? header(responseHeaders, 'last-modified');
        writeFileAtomic.sync(
          metaPath(partPath),
          JSON.stringify({ url, validator, total } satisfies PartMeta),
        );
        received = decision.appending ? have : 0;
        options.onProgress?.({ received, total });
        fd = openSync(partPath, decision.appending ? 'a' : 'w');
        // Written synchronously as each chunk arrives: when the connection breaks, every byte received
        // is already in the .part file, so the resume asks for exactly the rest.
        return new Writable({
          write(chunk: Buffer, _encoding, done) {
            try {
              for (let offset = 0; offset < chunk.length;) offset += writeSync(fd!, chunk, offset);
              received += chunk.length;
              options.onProgress?.({ received, total });
              done();
            } catch (error) {
              done(error as Error);
            }
          },
        });
      },
    );
  } catch (error) {
    if (decision?.kind === 'fail') throw decision.error;
    throw classify(error, url, options.imageId, received, decision?.kind === 'write');
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (!decision || decision.kind === 'fail')
    throw decision?.error ?? new ImageError('http', `no answer from ${url}`);
  if (decision.kind === 'complete') return { complete: true, gained: 0 };
  if (decision.kind === 'restart') {
    await discardPartial(partPath);
    return { complete: false, gained: 0 };
  }
  const start = decision.appending ? have : 0;
  if (total !== undefined && received < total) {
    throw new ImageError(
      'http',
      `connection to ${new URL(url).host} ended after ${received} of ${total} bytes`,
      {
        image: options.imageId,
        url,
        resumable: true,
      },
    );
  }
  return { complete: true, gained: received - start };
}

function classify(error: unknown, url: string, imageId: string, have: number, answered = false): ImageError {
  const code = (error as { code?: unknown }).code;
  if (code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new ImageError(
      'stalled',
      `${new URL(url).host} stopped sending image ${imageId} after ${have} bytes; run the same command again to resume`,
      { image: imageId, url },
    );
  }
  const mapped = toFetchError(error, url, imageId, 'the file');
  if (mapped.kind === 'offline' && answered) {
    return new ImageError(
      'offline',
      `the connection to ${new URL(url).host} was lost after ${have} bytes of image ${imageId}; ` +
        'run the same command again to resume',
      { image: imageId, url, resumable: true },
    );
  }
  return mapped;
}

export async function downloadResumable(
  url: string,
  partPath: string,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const resumedFrom = (await readMeta(partPath))?.url === url ? await sizeOf(partPath) : 0;
  const maxResumes = options.maxResumes ?? 3;
  let requests = 0;
  let resumes = 0;
  for (;;) {
    requests++;
    try {
      const { complete } = await attempt(url, partPath, options);
      if (complete) return { bytes: await sizeOf(partPath), resumedFrom, requests };
    } catch (error) {
      const cut = error instanceof ImageError && error.details.resumable === true && !options.signal?.aborted;
      // Resume only while the last attempt got somewhere: a dead server fails fast.
      if (!cut || resumes >= maxResumes) throw error;
      resumes++;
    }
    if (requests > maxResumes + 3) {
      throw new ImageError('http', `download of image ${options.imageId} from ${url} does not converge`, {
        image: options.imageId,
        url,
      });
    }
  }
}
