/**
 * One simulated node's pveproxy: HTTPS on 127.0.0.1 (random port) with the node's own certificate,
 * `/api2/json` with the `{"data": …}` envelope, ticket/CSRF and API-token auth, parameters
 * validated against the official schema, and silence (dropped connections) while the node is
 * powered off or unplugged.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock } from '../../clock/clock.ts';
import { SimApiError, type SimRoute } from './route.ts';
import type { ApiSchema } from './api-schema.ts';
import { AuthFailure, type AuthService } from './auth.ts';
import { nodeCertificate, type NodeCertificate } from './node-certificate.ts';
import { validateParams } from './param-validation.ts';
import { BodyError, queryParams, readBody } from './request-body.ts';

export const API_PREFIX = '/api2/json';

/**
 * Endpoints without a permissions stanza: only a real root@pam session may call them; an API
 * token, even root's own, gets 403 (pve-api.md §General rules; cluster formation in practice).
 */
const ROOT_ONLY = new Set([
  'POST /cluster/config',
  'POST /cluster/config/join',
  'POST /cluster/config/nodes/{node}',
  'DELETE /cluster/config/nodes/{node}',
]);

export interface NodeApiServerOptions {
  node: string;
  /** The node's address on the lab network (goes into the certificate). */
  ip: string;
  schema: ApiSchema;
  auth: AuthService;
  routes: readonly SimRoute[];
  /** Whether this node's API answers now (powered on, cable in). */
  isReachable: () => boolean;
  /**
   * Whether this node can reach `target` to proxy a `/nodes/{target}/…` call, as pveproxy does.
   * Unreachable targets answer 595 like a real cluster.
   */
  canProxyTo?: (target: string) => boolean;
  clock?: Pick<Clock, 'hold'>;
  /**
   * How long (real ms) a failed authentication is held back before the 401 goes out. pveproxy
   * waits 3 s (pve-http-server APIServer/AnyEvent.pm); the simulator plays those 3 s at its clock's
   * speed, so a lab running fast does not wait. Default: 3 000.
   */
  authFailureDelayMs?: () => number;
  /** Whether `datacenter.cfg` sets `console` (then `/version` reports it). */
  /**
   * How a dead node behaves: `refuse` (default) cuts connections at once; `hang` accepts them but
   * never answers, like a machine whose plug was pulled mid-conversation (clients must time out).
   */
  whenDead?: 'refuse' | 'hang';
  /** The login reply's `cap`: the user's privileges per area. */
  capabilities?: (user: string) => unknown;
  /** The cluster's name once the node is a member (the ticket reply's `clustername`). */
  clusterName?: () => string | undefined;
  /** Listen port; 0 (default) picks a free one. */
  port?: number;
  /** The node certificate to present (default: one signed by the node's own CA). */
  certificate?: NodeCertificate;
}

interface Failure {
  status: number;
  message: string;
  errors?: Record<string, string>;
  /** Answer with the status line only, as pveproxy's authentication failures do. */
  bare?: boolean;
  /** Hold the answer back as pveproxy does for 401s. */
  authDelay?: boolean;
}

/** Keys that would reach an object's prototype: refused outright. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const UNKNOWN_PROPERTY =
  'property is not defined in schema and the schema does not allow additional properties';

export class NodeApiServer {
  private readonly sockets = new Set<Socket>();
  private closing = false;
  private readonly routesByKey = new Map<string, SimRoute>();

  private constructor(
    private readonly options: NodeApiServerOptions,
    private readonly server: Server,
    private certificate: NodeCertificate,
    readonly url: string,
  ) {
    for (const route of options.routes) this.routesByKey.set(`${route.method} ${route.path}`, route);
  }

  static async start(options: NodeApiServerOptions): Promise<NodeApiServer> {
    const certificate = options.certificate ?? (await nodeCertificate(options.node, options.ip));
    const server = createServer({ key: certificate.key, cert: certificate.cert, keepAliveTimeout: 5_000 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error(`${options.node}: no TCP address`);
    const instance = new NodeApiServer(options, server, certificate, `https://127.0.0.1:${address.port}`);
    instance.attach();
    return instance;
  }

  get node(): string {
    return this.options.node;
  }

  /** SHA-256 fingerprint of the certificate pveproxy presents now. */
  get fingerprint(): string {
    return this.certificate.fingerprint;
  }

  /** The node certificate (`pve-ssl.pem`), PEM. */
  get certificatePem(): string {
    return this.certificate.cert;
  }

  /** The CA that signed it (`pve-root-ca.pem`), PEM. */
  get caPem(): string {
    return this.certificate.caPem;
  }

  /**
   * A new node certificate (after a cluster join), then `systemctl reload-or-restart pveproxy`:
   * every open connection is cut, the next handshake presents the new certificate.
   */
  replaceCertificate(certificate: NodeCertificate): void {
    this.certificate = certificate;
    this.server.setSecureContext({ key: certificate.key, cert: certificate.cert });
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  /** Cuts every open connection, e.g. the moment the node loses power (not in `hang` mode). */
  dropConnections(): void {
    if (this.options.whenDead === 'hang' && !this.closing) return;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.closing = true;
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private attach(): void {
    // A dead node answers nothing: the TCP connection is cut before the TLS handshake completes.
    this.server.on('connection', (socket: Socket) => {
      if (!this.options.isReachable() && this.options.whenDead !== 'hang') {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('tlsClientError', (_error, socket) => socket.destroy());
    this.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      if (!this.options.isReachable()) {
        this.dead(request);
        return;
      }
      this.handle(request, response).catch((error: unknown) => this.crashed(response, error));
    });
  }

  /** A dead node's side of a request: the connection drops, or (hang) nothing ever comes back. */
  private dead(request: IncomingMessage): void {
    if (this.options.whenDead === 'hang') request.resume();
    else request.socket.destroy();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (request.method ?? 'GET').toUpperCase();
    const target = parseTarget(request.url ?? '/');
    const release = this.options.clock?.hold(`api ${this.node} ${method} ${target.ok ? target.path : '?'}`);
    try {
      const result = target.ok
        ? await this.dispatch(method, target, request)
        : (await drain(request), { failure: { status: 400, message: target.message } });
      if ('failure' in result && result.failure.authDelay) {
        // pveproxy holds every unauthorized answer back until 3 s after the request came in.
        const wait = this.authFailureDelay() - (performance.now() - started);
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      if (!this.options.isReachable()) {
        // The node died while the call was in flight: no answer ever comes.
        this.dead(request);
        return;
      }
      if ('failure' in result) this.sendFailure(response, result.failure);
      else send(response, 200, 'OK', { data: result.data ?? null });
    } catch (error) {
      this.sendFailure(response, {
        status: 500,
        message: error instanceof Error ? error.message : String(error),
      });
    } finally {
      release?.();
    }
  }

  /** Last line of defence: nothing a client sends may take the process down or leave it hanging. */
  private crashed(response: ServerResponse, error: unknown): void {
    if (!response.headersSent) {
      try {
        this.sendFailure(response, {
          status: 500,
          message: error instanceof Error ? error.message : String(error),
        });
        return;
      } catch {
        // fall through: the socket is unusable
      }
    }
    response.destroy();
  }

  private authFailureDelay(): number {
    return this.options.authFailureDelayMs?.() ?? 3_000;
  }

  private async dispatch(
    method: string,
    target: RequestTarget & { ok: true },
    request: IncomingMessage,
  ): Promise<{ data: unknown } | { failure: Failure }> {
    if (target.path !== API_PREFIX && !target.path.startsWith(`${API_PREFIX}/`)) {
      await drain(request);
      return { failure: { status: 501, message: 'no such uri' } };
    }
    const segments = target.segments.slice(2); // below /api2/json
    const path = `/${segments.join('/')}`;
    const match = this.options.schema.matchSegments(segments);
    const endpoint = match && this.options.schema.endpoint(method, match.template);
    const isLogin = method === 'POST' && match?.template === '/access/ticket';
    const noAuth = isLogin || (method === 'GET' && match?.template === '/access/domains');
    const route = match && this.routesByKey.get(`${method} ${match.template}`);

    // pveproxy authenticates before it looks for a handler (pve-manager PVE/HTTPServer.pm).
    let user = '';
    if (!noAuth) {
      const auth = this.authenticate(method, request);
      if ('failure' in auth) {
        await drain(request);
        return auth;
      }
      user = auth.user;
    }

    if (!match || !endpoint) {
      await drain(request);
      return { failure: { status: 501, message: `Method '${method} ${path}' not implemented` } };
    }
    if (!route && !isLogin) {
      await drain(request);
      // A real endpoint the simulator does not model: say so instead of pretending it is not there.
      return {
        failure: {
          status: 501,
          message: `Method '${method} ${match.template}' is not modelled by the NestLab simulator`,
        },
      };
    }

    let body;
    try {
      body = method === 'GET' || method === 'DELETE' ? { params: {} } : await readBody(request);
    } catch (error) {
      if (error instanceof BodyError) return { failure: { status: error.status, message: error.message } };
      throw error;
    }
    const raw: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    Object.assign(raw, target.query, body.params);
    const refused = Object.keys(raw).filter((key) => FORBIDDEN_KEYS.has(key));
    if (refused.length > 0) {
      return {
        failure: {
          status: 400,
          message: 'Parameter verification failed.',
          errors: Object.fromEntries(refused.map((key) => [key, UNKNOWN_PROPERTY])),
        },
      };
    }

    const pathParams: Record<string, string> = {};
    for (const [name, value] of Object.entries(match.pathParams)) pathParams[name] = value;
    const { params, errors } = validateParams(endpoint, { ...raw, ...pathParams });
    if (Object.keys(errors).length > 0) {
      return { failure: { status: 400, message: 'Parameter verification failed.', errors } };
    }
    for (const name of Object.keys(pathParams)) delete params[name];

    if (isLogin || !route) {
      const result = this.login(params);
      return 'failure' in result ? { failure: { ...result.failure, authDelay: true } } : result;
    }
    if (ROOT_ONLY.has(`${method} ${match.template}`) && user !== 'root@pam') {
      return { failure: { status: 403, message: 'Permission check failed (user != root@pam)' } };
    }

    // pveproxy proxies only `/nodes/{node}/…` (`proxyto => 'node'`); `/cluster/config/nodes/{node}`
    // names the node to remove, which is usually dead.
    const node = match.template.startsWith('/nodes/{node}') ? pathParams['node'] : undefined;
    if (
      node !== undefined &&
      node !== this.node &&
      this.options.canProxyTo &&
      !this.options.canProxyTo(node)
    ) {
      return { failure: { status: 595, message: 'No route to host' } };
    }

    try {
      const data = await route.handle({
        node: this.node,
        user,
        pathParams,
        params,
        ...(body.upload ? { upload: body.upload } : {}),
      });
      return { data };
    } catch (error) {
      if (error instanceof SimApiError) {
        return {
          failure: {
            status: error.status,
            message: error.message,
            ...(error.errors ? { errors: error.errors } : {}),
            ...(error.status === 401 ? { authDelay: true } : {}),
          },
        };
      }
      throw error;
    }
  }

  /**
   * Who is calling, as pveproxy finds out: the ticket from the cookie, else from an
   * `Authorization: PVEAuthCookie=…` header, else an API token. Failures answer 401 with the
   * message in the status line and no body, after the 3 s delay.
   */
  private authenticate(method: string, request: IncomingMessage): { user: string } | { failure: Failure } {
    const { auth } = this.options;
    const denied = (message: string): { failure: Failure } => ({
      failure: { status: 401, message, bare: true, authDelay: true },
    });
    const authorization = header(request, 'authorization');
    const ticket =
      authValue(header(request, 'cookie'), 'PVEAuthCookie') ?? authValue(authorization, 'PVEAuthCookie');
    if (ticket === undefined) {
      const token = authValue(authorization, 'PVEAPIToken');
      if (token === undefined) return denied('No ticket');
      try {
        return { user: auth.verifyToken(token) };
      } catch {
        return denied('Authentication failed!');
      }
    }
    const user = auth.verifyTicket(ticket, this.node);
    if (user === undefined) return denied('Authentication failed!');
    if (method !== 'GET' && !auth.verifyCsrf(user, header(request, 'csrfpreventiontoken'), this.node)) {
      return denied('Permission denied - invalid csrf token');
    }
    return { user };
  }

  private login(params: Record<string, unknown>): { data: unknown } | { failure: Failure } {
    try {
      const result = this.options.auth.login(
        String(params['username']),
        String(params['password']),
        params['realm'] === undefined ? undefined : String(params['realm']),
        this.node,
      );
      const clustername = this.options.clusterName?.();
      return {
        data: {
          ...result,
          ...(clustername ? { clustername } : {}),
          cap: this.options.capabilities?.(result.username) ?? {},
        },
      };
    } catch (error) {
      if (error instanceof AuthFailure) return { failure: { status: 401, message: error.message } };
      throw error;
    }
  }

  private sendFailure(response: ServerResponse, failure: Failure): void {
    if (failure.bare) {
      response.writeHead(failure.status, statusLine(failure.message), {
        'Content-Length': 0,
        Connection: 'close',
        'Cache-Control': 'max-age=0',
        Pragma: 'no-cache',
      });
      response.end();
      return;
    }
    const body: Record<string, unknown> = { data: null, message: `${failure.message}\n` };
    if (failure.errors) body['errors'] = failure.errors;
    send(response, failure.status, failure.message, body);
  }
}

function send(response: ServerResponse, status: number, reason: string, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, statusLine(reason), {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'max-age=0',
    Pragma: 'no-cache',
  });
  response.end(payload);
}

/** HTTP reason phrases may not hold control characters; PVE puts the error message there. */
function statusLine(message: string): string {
  return (
    message
      .replace(/[\r\n\t]+/g, ' ')
      .replace(/[^\x20-\x7e]/g, '?')
      .trim() || 'Error'
  );
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `NAME=value` (or `NAME value`) in a Cookie or Authorization header, URI-unescaped (Formatter.pm). */
function authValue(headerValue: string | undefined, name: string): string | undefined {
  if (!headerValue) return undefined;
  for (const part of headerValue.split(';')) {
    const trimmed = part.trim();
    if (!trimmed.startsWith(name)) continue;
    const separator = trimmed[name.length];
    if (separator !== '=' && separator !== ' ') continue;
    const value = trimmed.slice(name.length + 1);
    if (value === '') return undefined;
    return unescapeLoosely(value);
  }
  return undefined;
}

/** Perl's uri_unescape: valid `%XX` sequences decode, anything else stays as it is. */
function unescapeLoosely(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

type RequestTarget =
  | { ok: true; path: string; segments: string[]; query: Record<string, unknown> }
  | { ok: false; message: string };

/**
 * The request target as pveproxy reads it: origin-form only, the path split on `/` (empty
 * segments skipped, `.` and `..` kept as they are: never resolved into another route), each
 * segment percent-decoded on its own. Anything that does not parse is a 400, never an exception.
 */
export function parseTarget(url: string): RequestTarget {
  if (!url.startsWith('/')) return { ok: false, message: 'Bad Request' };
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (raw === '') continue;
    try {
      segments.push(decodeURIComponent(raw));
    } catch {
      return { ok: false, message: 'malformed percent-encoding in the request path' };
    }
  }
  let query: Record<string, unknown>;
  try {
    query = queryParams(rawQuery);
  } catch {
    return { ok: false, message: 'malformed query string' };
  }
  return { ok: true, path: `/${segments.join('/')}`, segments, query };
}

async function drain(request: IncomingMessage): Promise<void> {
  if (request.readableEnded) return;
  try {
    for await (const _chunk of request as AsyncIterable<Buffer>) {
      // discard
    }
  } catch {
    // the client went away: nothing left to read
  }
}
