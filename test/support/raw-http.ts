/** Sends bytes as they are over TCP and returns what came back (for request shapes no client would send). */
import { connect } from 'node:net';

export interface RawAnswer {
  /** The status code of the first response line, or null when the server closed without one. */
  status: number | null;
  text: string;
}

export function rawRequest(port: number, bytes: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      // One response is enough; keep-alive connections would otherwise stay open.
      if (/\r\n\r\n/.test(Buffer.concat(chunks).toString('latin1'))) socket.end();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') finish();
      else reject(error);
    });
    socket.on('close', finish);
    // Half-close: the server sees the request is all there is (a body it waits for never comes).
    socket.end(bytes);
    let done = false;
    function finish(): void {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : null, text });
    }
  });
}
