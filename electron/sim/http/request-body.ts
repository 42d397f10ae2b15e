/**
 * Request parameters as pveproxy reads them: the query string, and for writes a form-encoded,
 * JSON or multipart body (uploads). Repeated form keys become arrays.
 */
import { createHash, type Hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface ParsedBody {
  params: Record<string, unknown>;
  upload?: UploadedFile;
}

export interface UploadedFile {
  filename: string;
  size: number;
  /** Hex digest of the content with the `checksum-algorithm` sent before the file part. */
  checksum?: string;
}

/** pveproxy refuses bodies above 64 KiB except uploads; uploads are counted, not kept. */
const MAX_BODY_BYTES = 64 * 1024;

export class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function queryParams(query: string): Record<string, unknown> {
  return collect(new URLSearchParams(query));
}

export async function readBody(request: IncomingMessage): Promise<ParsedBody> {
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) return readMultipart(request, type);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BodyError(413, 'Request Entity Too Large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { params: emptyParams() };
  if (type.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new BodyError(400, 'unable to parse JSON body');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new BodyError(400, 'JSON body must be an object');
    }
    return { params: Object.assign(emptyParams(), parsed) };
  }
  return { params: collect(new URLSearchParams(text)) };
}

/** Null-prototype maps: a key such as `__proto__` stays a plain key (and is refused later). */
function emptyParams(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

function collect(search: URLSearchParams): Record<string, unknown> {
  const params = emptyParams();
  for (const [key, value] of search) {
    const previous = params[key];
    if (previous === undefined) params[key] = value;
    else params[key] = Array.isArray(previous) ? [...(previous as unknown[]), value] : [previous, value];
  }
  return params;
}

/**
 * Streaming multipart/form-data reader: text fields are kept, the file part is only counted (and
 * hashed when a `checksum-algorithm` field came before it, as the GUI sends it), so uploading a
 * large ISO costs no memory. Parts after the file (unusual) are not read.
 */
async function readMultipart(request: IncomingMessage, type: string): Promise<ParsedBody> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  if (!boundary) throw new BodyError(400, 'multipart body without boundary');
  const delimiter = Buffer.from(`\r\n--${boundary[1] ?? boundary[2]}`);
  const keep = delimiter.length + 8; // the closing delimiter and its `--\r\n`
  const params = emptyParams();
  // Everything before the file's content, with a CRLF in front so every delimiter looks alike.
  let head: Buffer = Buffer.from('\r\n');
  let file: { name: string; filename: string } | undefined;
  let size = 0; // file bytes known not to be the closing delimiter
  let pending: Buffer = Buffer.alloc(0); // the last bytes, which may be the closing delimiter
  let hash: Hash | undefined;
  const feed = (data: Buffer): void => {
    pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
    if (pending.length <= keep) return;
    const settled = pending.subarray(0, pending.length - keep);
    hash?.update(settled);
    size += settled.length;
    pending = pending.subarray(pending.length - keep);
  };
  for await (const chunk of request as AsyncIterable<Buffer>) {
    if (file) {
      feed(chunk);
      continue;
    }
    head = Buffer.concat([head, chunk]);
    const found = parseHead(head, delimiter, params);
    if (found) {
      file = found.file;
      hash = hasherFor(params['checksum-algorithm']);
      feed(head.subarray(found.contentStart));
    } else if (head.length > MAX_BODY_BYTES) {
      throw new BodyError(413, 'Request Entity Too Large');
    }
  }
  if (!file) {
    parseHead(head, delimiter, params);
    return { params };
  }
  const end = pending.lastIndexOf(delimiter);
  const last = end === -1 ? pending : pending.subarray(0, end);
  hash?.update(last);
  size += last.length;
  params[file.name] = file.filename;
  return {
    params,
    upload: { filename: file.filename, size, ...(hash ? { checksum: hash.digest('hex') } : {}) },
  };
}

const CHECKSUM_ALGORITHMS = new Set(['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512']);

function hasherFor(algorithm: unknown): Hash | undefined {
  return typeof algorithm === 'string' && CHECKSUM_ALGORITHMS.has(algorithm)
    ? createHash(algorithm)
    : undefined;
}

/** Reads the text fields before the file part; returns where the file's content starts. */
function parseHead(
  head: Buffer,
  delimiter: Buffer,
  params: Record<string, unknown>,
): { file: { name: string; filename: string }; contentStart: number } | undefined {
  let start = head.indexOf(delimiter);
  while (start !== -1) {
    const headerStart = start + delimiter.length + 2; // skip CRLF after the delimiter
    const headerEnd = head.indexOf('\r\n\r\n', headerStart);
    if (headerEnd === -1) return undefined;
    const headers = head.subarray(headerStart, headerEnd).toString('utf8');
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
    if (name !== undefined && filename !== undefined) {
      return { file: { name, filename }, contentStart: headerEnd + 4 };
    }
    const next = head.indexOf(delimiter, headerEnd + 4);
    if (next === -1) return undefined;
    if (name !== undefined) params[name] = head.subarray(headerEnd + 4, next).toString('utf8');
    start = next;
  }
  return undefined;
}
