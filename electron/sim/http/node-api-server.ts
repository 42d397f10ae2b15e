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
import { nodeCertificate } from './node-certificate.ts';
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
   * How a dead node behaves: `refuse` (default) cuts connections at once; `hang` accepts them but
   * never answers, like a machine whose plug was pulled mid-conversation (clients must time out).
   */
  whenDead?: 'refuse' | 'hang';
  /** The cluster's name once the node is a member (the ticket reply's `clustername`). */
  clusterName?: () => string | undefined;
  /** Listen port; 0 (default) picks a free one. */
  port?: number;
}

interface Failure {
  status: number;
  message: string;
  errors?: Record<string, string>;
}

export class NodeApiServer {
  private readonly sockets = new Set<Socket>();
  private closing = false;
  private readonly routesByKey = new Map<string, SimRoute>();

  private constructor(
    private readonly options: NodeApiServerOptions,
    private readonly server: Server,
    readonly fingerprint: string,
    readonly certificatePem: string,
    readonly url: string,
  ) {
    for (const route of options.routes) this.routesByKey.set(`${route.method} ${route.path}`, route);
  }

  static async start(options: NodeApiServerOptions): Promise<NodeApiServer> {
    const certificate = await nodeCertificate(options.node, options.ip);
    const server = createServer({ key: certificate.key, cert: certificate.cert, keepAliveTimeout: 5_000 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error(`${options.node}: no TCP address`);
    const instance = new NodeApiServer(
      options,
      server,
      certificate.fingerprint,
      certificate.cert,
      `https://127.0.0.1:${address.port}`,
    );
    instance.attach();
    return instance;
  }

  get node(): string {
    return this.options.node;
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
      void this.handle(request, response);
    });
  }

  /** A dead node's side of a request: the connection drops, or (hang) nothing ever comes back. */
  private dead(request: IncomingMessage): void {
    if (this.options.whenDead === 'hang') request.resume();
    else request.socket.destroy();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', 'https://localhost');
    const release = this.options.clock?.hold(`api ${this.node} ${method} ${url.pathname}`);
    try {
      const result = await this.dispatch(method, url, request);
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

  private async dispatch(
    method: string,
    url: URL,
    request: IncomingMessage,
  ): Promise<{ data: unknown } | { failure: Failure }> {
    if (!url.pathname.startsWith(`${API_PREFIX}/`)) {
      await drain(request);
      return { failure: { status: 501, message: `Method '${method} ${url.pathname}' not implemented` } };
    }
    const path = url.pathname.slice(API_PREFIX.length).replace(/\/+$/, '') || '/';
    const match = this.options.schema.matchPath(path);
    const endpoint = match && this.options.schema.endpoint(method, match.template);
    const isLogin = method === 'POST' && match?.template === '/access/ticket';
    const route = match && this.routesByKey.get(`${method} ${match.template}`);
    if (!match || !endpoint || !(route || isLogin)) {
      await drain(request);
      return { failure: { status: 501, message: `Method '${method} ${path}' not implemented` } };
    }

    let body;
    try {
      body = method === 'GET' || method === 'DELETE' ? { params: {} } : await readBody(request);
    } catch (error) {
      if (error instanceof BodyError) return { failure: { status: error.status, message: error.message } };
      throw error;
    }
    const raw = { ...queryParams(url.searchParams), ...body.params };

    let user = '';
    if (!isLogin) {
      const auth = this.authenticate(method, request);
      if ('failure' in auth) return auth;
      user = auth.user;
    }

    const pathParams: Record<string, string> = {};
    for (const [name, value] of Object.entries(match.pathParams))
      pathParams[name] = decodeURIComponent(value);
    const { params, errors } = validateParams(endpoint, { ...raw, ...pathParams });
    if (Object.keys(errors).length > 0) {
      return { failure: { status: 400, message: 'Parameter verification failed.', errors } };
    }
    for (const name of Object.keys(pathParams)) delete params[name];

    if (isLogin || !route) return this.login(params);
    if (ROOT_ONLY.has(`${method} ${match.template}`) && user !== 'root@pam') {
      return { failure: { status: 403, message: 'Permission check failed (user != root@pam)' } };
    }

    // pveproxy proxies only `/nodes/{node}/…` (`proxyto => 'node'`); `/cluster/config/nodes/{node}`
    // names the node to remove, which is usually dead.
    const target = match.template.startsWith('/nodes/{node}') ? pathParams['node'] : undefined;
    if (
      target !== undefined &&
      target !== this.node &&
      this.options.canProxyTo &&
      !this.options.canProxyTo(target)
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
          },
        };
      }
      throw error;
    }
  }

  private authenticate(method: string, request: IncomingMessage): { user: string } | { failure: Failure } {
    const { auth } = this.options;
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('PVEAPIToken')) {
      try {
        return { user: auth.verifyTokenHeader(authorization) };
      } catch (error) {
        return {
          failure: {
            status: 401,
            message: error instanceof AuthFailure ? error.message : 'authentication failure',
          },
        };
      }
    }
    const ticket = cookie(request.headers.cookie, 'PVEAuthCookie');
    if (ticket === undefined) return { failure: { status: 401, message: 'No ticket' } };
    const user = auth.verifyTicket(ticket);
    if (user === undefined)
      return { failure: { status: 401, message: 'permission denied - invalid PVE ticket' } };
    if (method !== 'GET') {
      const header = request.headers['csrfpreventiontoken'];
      const token = Array.isArray(header) ? header[0] : header;
      if (!auth.verifyCsrf(user, token)) {
        return { failure: { status: 401, message: 'Permission denied - invalid csrf token' } };
      }
    }
    return { user };
  }

  private login(params: Record<string, unknown>): { data: unknown } | { failure: Failure } {
    try {
      const result = this.options.auth.login(
        String(params['username']),
        String(params['password']),
        params['realm'] === undefined ? undefined : String(params['realm']),
      );
      const clustername = this.options.clusterName?.();
      return { data: { ...result, ...(clustername ? { clustername } : {}), cap: {} } };
    } catch (error) {
      if (error instanceof AuthFailure) return { failure: { status: 401, message: error.message } };
      throw error;
    }
  }

  private sendFailure(response: ServerResponse, failure: Failure): void {
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

function cookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value);
      } catch {
        return value;
      }
    }
  }
  return undefined;
}

async function drain(request: IncomingMessage): Promise<void> {
  for await (const _chunk of request as AsyncIterable<Buffer>) {
    // discard
  }
}
