/**
 * Request parameters as pveproxy reads them: the query string, and for writes a form-encoded,
 * JSON or multipart body (uploads). Repeated form keys become arrays.
 */
import type { IncomingMessage } from 'node:http';

export interface ParsedBody {
  params: Record<string, unknown>;
  upload?: { filename: string; size: number };
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

export function queryParams(search: URLSearchParams): Record<string, unknown> {
  return collect(search);
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
  if (text.trim() === '') return { params: {} };
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
    return { params: parsed as Record<string, unknown> };
  }
  return { params: collect(new URLSearchParams(text)) };
}

function collect(search: URLSearchParams): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, value] of search) {
    const previous = params[key];
    if (previous === undefined) params[key] = value;
    else params[key] = Array.isArray(previous) ? [...(previous as unknown[]), value] : [previous, value];
  }
  return params;
}

/** Minimal multipart/form-data reader: text fields are kept, the file part is measured. */
async function readMultipart(request: IncomingMessage, type: string): Promise<ParsedBody> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  if (!boundary) throw new BodyError(400, 'multipart body without boundary');
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const params: Record<string, unknown> = {};
  let upload: ParsedBody['upload'];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    const part = body.subarray(partStart + 2, next - 2); // skip CRLF after delimiter and before next
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const content = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      if (name !== undefined && filename !== undefined) {
        upload = { filename, size: content.length };
        params[name] = filename;
      } else if (name !== undefined) {
        params[name] = content.toString('utf8');
      }
    }
    start = next;
  }
  return upload ? { params, upload } : { params };
}
