/**
 * A protocol-level stand-in for vboxwebsrv: node-soap serves VirtualBox's real document/literal WSDL
 * (7.0 from virtualbox-soap, 7.1 from our copy) over HTTP on 127.0.0.1, in front of an in-memory
 * VirtualBox. Like gSOAP it rejects unknown operations and malformed requests, answers faults with
 * HTTP 500, and serves the full WSDL on GET /?wsdl.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as soap from 'soap';
import { RC, unknownMethodEnvelope, validationFault, vboxFault } from './fake-faults.ts';
import { createOperations, type Args, type OperationContext } from './fake-operations.ts';
import { FakeWorld, type FakeFile, type FakeWorldOptions } from './fake-world.ts';
import { findRequestViolation, readWsdlSchemaFacts, type WsdlSchemaFacts } from './wsdl-schema-facts.ts';

export type FakeApiVersion = '7_0' | '7_1' | '7_2';

export interface FakeVboxwebsrvOptions extends Partial<FakeWorldOptions> {
  apiVersion: FakeApiVersion;
  /** The disk of an earlier fake (files left by an interrupted run). */
  disk?: Map<string, FakeFile>;
}

export interface FakeVboxwebsrv {
  url: string;
  world: FakeWorld;
  /** Operation names in call order, for assertions about what went over the wire. */
  calls: string[];
  /** Bytes of SOAP requests and responses that crossed the wire (for the benchmarks). */
  bytes: { requests: number; responses: number };
  /**
   * The app dies while the `nth` SOAP request from now runs: the operation takes effect, its answer
   * never arrives, the world crashes (FakeWorld.crash) and every connection is refused until resume().
   */
  interruptAt(nth: number): void;
  resume(): void;
  close(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export function wsdlPathsFor(apiVersion: FakeApiVersion): { service: string; binding: string } {
  if (apiVersion === '7_0') {
    const dir = path.join(path.dirname(require.resolve('virtualbox-soap')), 'sdk-files');
    return { service: path.join(dir, 'vboxwebService.wsdl'), binding: path.join(dir, 'vboxweb.wsdl') };
  }
  // 7.2 keeps the 7.1 shape for every call the lab makes (reference §1.5); the fake serves that shape.
  const dir = path.resolve(here, '../../../electron/hypervisor/virtualbox/wsdl/7.1');
  return { service: path.join(dir, 'vboxwebService-7.1.wsdl'), binding: path.join(dir, 'vboxweb-7.1.wsdl') };
}

const factsCache = new Map<string, { facts: WsdlSchemaFacts; binding: string }>();
function schemaFor(bindingPath: string): { facts: WsdlSchemaFacts; binding: string } {
  let cached = factsCache.get(bindingPath);
  if (!cached) {
    const binding = readFileSync(bindingPath, 'utf8');
    cached = { facts: readWsdlSchemaFacts(binding), binding };
    factsCache.set(bindingPath, cached);
  }
  return cached;
}

const DEFAULT_VERSIONS: Record<FakeApiVersion, string> = { '7_0': '7.0.20', '7_1': '7.1.12', '7_2': '7.2.4' };

export async function startFakeVboxwebsrv(options: FakeVboxwebsrvOptions): Promise<FakeVboxwebsrv> {
  const paths = wsdlPathsFor(options.apiVersion);
  const { facts, binding } = schemaFor(paths.binding);
  const world = new FakeWorld(
    {
      version: options.version ?? DEFAULT_VERSIONS[options.apiVersion],
      apiVersion: options.apiVersion,
      users: options.users ?? { nestlab: 'secret' },
      hostOs: options.hostOs ?? 'Linux',
      processorFeatures: options.processorFeatures ?? {
        HWVirtEx: true,
        NestedPaging: true,
        UnrestrictedGuest: true,
        NestedHWVirt: true,
      },
      memorySizeMiB: options.memorySizeMiB ?? 16384,
      progressMs: options.progressMs ?? 5,
      unlockLagMs: options.unlockLagMs ?? 30,
      machineFolder: options.machineFolder ?? '/home/student/VirtualBox VMs',
      homeFolder: options.homeFolder ?? '/home/student/.config/VirtualBox',
      startFailures: options.startFailures ?? {},
      executionEngine: options.executionEngine,
      guestAddresses: options.guestAddresses ?? {},
      dhcpLeases: options.dhcpLeases ?? {},
      dhcpServersWithoutLeases: options.dhcpServersWithoutLeases ?? [],
      logonFaultText: options.logonFaultText ?? '',
      maxRequestsPerConnection: options.maxRequestsPerConnection ?? 100,
      serialScripts: options.serialScripts ?? {},
    },
    options.disk,
  );
  const operations = createOperations(world);
  const calls: string[] = [];

  const port = new Proxy(
    {},
    {
      get: (_target, operation) => {
        if (typeof operation !== 'string') return undefined;
        return async (args: Args | undefined) => {
          calls.push(operation);
          const request = args ?? {};
          const violation = findRequestViolation(facts, operation, request);
          if (violation) throw validationFault(violation);
          const handler = operations[operation];
          if (!handler) throw vboxFault(RC.E_NOTIMPL, `Fake vboxwebsrv: ${operation} is not implemented`);
          // Every call but logon names an object; vboxweb.cpp looks it up first and faults if it is gone.
          if (request['_this'] !== undefined) world.resolve(request['_this']);
          const ws = world.resolveWebsessionOf(request);
          const ctx: OperationContext = {
            world,
            ref: (object) => (object && ws ? world.refFor(ws, object) : ''),
          };
          return handler(request, ctx);
        };
      },
    },
  );

  const bytes = { requests: 0, responses: 0 };
  let interruptIn = 0;
  let down = false;
  const requestsPerSocket = new WeakMap<object, number>();

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => {
    soap.listen(server, {
      path: '/',
      services: { vboxService: { vboxServicePort: port } },
      xml: readFileSync(paths.service, 'utf8'),
      uri: paths.service,
      callback: () => resolve(),
    } as soap.IServerOptions);
  });
  // Put a gSOAP-like front door before node-soap's own request listener.
  const [soapListener] = server.listeners('request') as http.RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    if (req.method === 'GET' && req.url?.endsWith('?wsdl')) {
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(binding);
      return;
    }
    // gSOAP serves at most `-k` (default 100) requests per keep-alive connection, then closes it.
    const served = (requestsPerSocket.get(req.socket) ?? 0) + 1;
    requestsPerSocket.set(req.socket, served);
    if (down || served > world.options.maxRequestsPerConnection) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      bytes.requests += Buffer.byteLength(body);
      const end = res.end.bind(res) as (chunk?: unknown, ...rest: unknown[]) => http.ServerResponse;
      const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
      (res as { write: unknown }).write = (chunk: unknown, ...rest: unknown[]) => {
        if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) bytes.responses += Buffer.byteLength(chunk);
        return write(chunk, ...rest);
      };
      let dies = false;
      if (interruptIn > 0 && --interruptIn === 0) dies = true;
      (res as { end: unknown }).end = (chunk?: unknown, ...rest: unknown[]) => {
        if (dies) {
          world.crash();
          down = true;
          req.socket.destroy();
          return res;
        }
        if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) bytes.responses += Buffer.byteLength(chunk);
        return end(chunk, ...rest);
      };
      const match = /<(?:[\w-]+:)?Body[^>]*>\s*<(?:([\w-]+):)?(\w+)/.exec(body);
      const operation = match?.[2] ?? '';
      if (!facts.operations.has(operation)) {
        res.writeHead(500, { 'content-type': 'text/xml; charset=utf-8' });
        res.end(unknownMethodEnvelope(`${match?.[1] ?? 'vbox'}:${operation}`));
        return;
      }
      (req as http.IncomingMessage & { body?: string }).body = body;
      soapListener?.(req, res);
    });
  });

  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  return {
    url,
    world,
    calls,
    bytes,
    interruptAt: (nth) => {
      interruptIn = nth;
    },
    resume: () => {
      down = false;
      interruptIn = 0;
    },
    close: async () => {
      world.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
