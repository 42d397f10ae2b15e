/**
 * Raw HTTPS requests for the hardening tests: bytes exactly as written (no client-side
 * normalisation of the target, headers or body), and what came back — a status line, or the
 * connection closing — or `hung` when nothing happened within the limit.
 */
import { connect } from 'node:tls';

export interface RawAnswer {
  /** HTTP status, or undefined when the server closed without answering. */
  status?: number;
  statusText?: string;
  /** The response body (after the headers). */
  body: string;
  hung: boolean;
}

export function rawRequest(url: string, bytes: string | Buffer, limitMs = 10_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = connect({ host: hostname, port: Number(port), rejectUnauthorized: false });
    const finish = (hung: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const head = /^HTTP\/1\.[01] (\d{3}) ?([^\r\n]*)\r\n/.exec(text);
      const bodyAt = text.indexOf('\r\n\r\n');
      resolve({
        ...(head ? { status: Number(head[1]), statusText: head[2] } : {}),
        body: bodyAt === -1 ? '' : text.slice(bodyAt + 4),
        hung,
      });
    };
    const timer = setTimeout(() => finish(true), limitMs);
    socket.once('secureConnect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('latin1');
      const bodyAt = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, bodyAt === -1 ? undefined : bodyAt));
      if (bodyAt !== -1 && length && Buffer.byteLength(text.slice(bodyAt + 4), 'latin1') >= Number(length[1]))
        finish(false);
    });
    socket.once('close', () => finish(false));
    socket.once('error', () => finish(false));
  });
}
