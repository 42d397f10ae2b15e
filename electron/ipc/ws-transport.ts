/**
 * The browser host's transport: serves the built renderer and the API over WebSocket,
 * on 127.0.0.1 only, behind a random per-run token and an Origin check.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

import { WebSocketServer, type WebSocket } from 'ws';

import type { EventMessage, RequestMessage, ResponseMessage } from '../contract/names.ts';
import type { EventHub } from '../app/event-hub.ts';
import type { Router } from './router.ts';
import { STATIC_MIME as MIME } from './static-mime.ts';

export interface WsHostOptions {
  router: Router;
  hub: EventHub;
  /** Folder of the built renderer; when absent only the API is served. */
  staticDir?: string;
  port?: number;
  /** Fixed token for tests; random by default. */
  token?: string;
  /** Where an unexpected failure while serving a file is logged (the request still gets an answer). */
  log?: (message: string, error: unknown) => void;
}

export interface WsHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** The page may talk only to its own origin (the API socket included). */
export const BROWSER_HOST_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

export const API_PATH = '/api';
const MAX_MESSAGE_BYTES = 1 << 20;

function tokensEqual(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startWsHost(options: WsHostOptions): Promise<WsHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const server: Server = createServer((req, res) => {
    serveStatic(options.staticDir, req, res).catch((error: unknown) => failRequest(res, error, options.log));
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const allowedOrigins = new Set([origin, `http://localhost:${port}`]);

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const url = parseTarget(req.url);
    if (!url) return refuse(400, 'Bad Request');
    if (url.pathname !== API_PATH) return refuse(404, 'Not Found');
    // Browsers always send Origin on WebSocket upgrades; a foreign page must not reach the API.
    const requestOrigin = req.headers.origin;
    if (requestOrigin !== undefined && !allowedOrigins.has(requestOrigin)) return refuse(403, 'Forbidden');
    if (!tokensEqual(url.searchParams.get('token'), token)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, options));
  });

  return {
    url: `${origin}/?token=${encodeURIComponent(token)}`,
    port,
    token,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((done) => wss.close(() => done()));
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

function attach(ws: WebSocket, { router, hub }: WsHostOptions): void {
  const unsubscribe = hub.subscribe((event, payload) => {
    if (ws.readyState !== ws.OPEN) return;
    const message: EventMessage = { event, payload };
    ws.send(JSON.stringify(message));
  });
  ws.on('close', unsubscribe);
  ws.on('error', unsubscribe);
  ws.on('message', (raw) => {
    let request: RequestMessage;
    try {
      request = JSON.parse(String(raw)) as RequestMessage;
    } catch {
      ws.send(JSON.stringify({ id: -1, error: { code: 'bad-request', message: 'Message is not JSON.' } }));
      return;
    }
    const id = typeof request?.id === 'number' ? request.id : -1;
    void router.dispatch(request?.method, request?.params).then((outcome) => {
      if (ws.readyState !== ws.OPEN) return;
      const response: ResponseMessage =
        'error' in outcome ? { id, error: outcome.error } : { id, result: outcome.result };
      ws.send(JSON.stringify(response));
    });
  });
}

/**
 * The request target as a URL, or null when it cannot be one. Only origin-form targets
 * (`/path?query`) are served; an absolute-form target (`http://host/…`, allowed by RFC 9112
 * for proxies) or one whose percent-encoding does not decode is the client's mistake.
 */
export function parseTarget(target: string | undefined): URL | null {
  if (target === undefined || !target.startsWith('/') || target.startsWith('//')) return null;
  try {
    const url = new URL(target, 'http://127.0.0.1');
    decodeURIComponent(url.pathname);
    return url;
  } catch {
    return null;
  }
}

function failRequest(res: ServerResponse, error: unknown, log: WsHostOptions['log']): void {
  log?.('browser host: serving a file failed', error);
  if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' }).end('Internal error');
  else res.destroy();
}

async function serveStatic(
  staticDir: string | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const headers = {
    'Content-Security-Policy': BROWSER_HOST_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, headers).end();
    return;
  }
  if (!staticDir) {
    res
      .writeHead(404, { ...headers, 'Content-Type': 'text/plain' })
      .end('The renderer is not built. Run npm run build.');
    return;
  }
  const url = parseTarget(req.url);
  if (!url) {
    res.writeHead(400, { ...headers, 'Content-Type': 'text/plain' }).end('Bad request target');
    return;
  }
  const root = resolve(staticDir);
  const pathname = decodeURIComponent(url.pathname);
  const candidate = normalize(join(root, pathname === '/' ? 'index.html' : pathname));
  if (candidate !== root && !candidate.startsWith(root + sep)) {
    res.writeHead(403, headers).end();
    return;
  }
  let file = candidate;
  try {
    const info = await stat(file);
    if (info.isDirectory()) file = join(file, 'index.html');
  } catch {
    // Unknown paths get the app shell (client-side views).
    file = join(root, 'index.html');
  }
  try {
    await stat(file);
  } catch {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('Not found');
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
