/**
 * Builds the node-soap port that virtualbox-soap's classes call through, from the WSDL matching the
 * running VirtualBox: 7.0 from the package, 7.1 from our vendored copy, 7.2 from the server's `?wsdl`
 * (falling back to the 7.1 shape). Parsed WSDLs are cached per process: parsing takes ~0.5 s.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as soap from 'soap';
import { wsdlPlanFor, type VBoxApiFlavor } from './api-version.ts';
import { isConnectionReset } from './vbox-fault.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export function packageServiceWsdl(): string {
  return path.join(path.dirname(require.resolve('virtualbox-soap')), 'sdk-files', 'vboxwebService.wsdl');
}

export function vendoredServiceWsdl(version: '7.1'): string {
  return path.join(here, 'wsdl', version, `vboxwebService-${version}.wsdl`);
}

/** The node-soap port object: one method per WSDL operation, `(args, callback)`. */
export type VBoxPort = Record<string, unknown>;

export interface PortResult {
  port: VBoxPort;
  /** A port on another server (vboxwebsrv restarted elsewhere); node-soap bakes the address into each port. */
  setEndpoint(url: string): VBoxPort;
  /** Where the WSDL came from, for logs and the doctor. */
  wsdl: string;
}

const clientCache = new Map<string, Promise<soap.Client>>();

async function clientFor(wsdlPath: string, endpoint: string): Promise<soap.Client> {
  let parsed = clientCache.get(wsdlPath);
  if (!parsed) {
    parsed = soap.createClientAsync(wsdlPath, { endpoint });
    clientCache.set(wsdlPath, parsed);
    parsed.catch(() => clientCache.delete(wsdlPath));
  }
  await parsed;
  // A fresh client per endpoint; node-soap reuses its parsed-WSDL cache, so this is cheap.
  return soap.createClientAsync(wsdlPath, { endpoint });
}

function portOf(client: soap.Client): VBoxPort {
  const service = (client as unknown as Record<string, Record<string, VBoxPort>>)['vboxService'];
  const port = service?.['vboxServicePort'];
  if (!port) throw new Error('WSDL has no vboxService/vboxServicePort');
  return port;
}

/** Where fetched WSDLs are kept: one folder per distinct document, so a reconnect never writes another copy. */
export function wsdlCacheRoot(): string {
  return path.join(os.tmpdir(), 'nestlab-vbox-wsdl');
}

let oldFoldersSwept = false;
/** Earlier versions wrote the 3.8 MB WSDL into a new `nestlab-vbox-wsdl-XXXXXX` folder per connection. */
async function sweepPerConnectionFolders(): Promise<void> {
  if (oldFoldersSwept) return;
  oldFoldersSwept = true;
  const entries = await readdir(os.tmpdir()).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((name) => /^nestlab-vbox-wsdl-[A-Za-z0-9]{6}$/.test(name))
      .map((name) =>
        rm(path.join(os.tmpdir(), name), { recursive: true, force: true }).catch(() => undefined),
      ),
  );
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Writes the fetched WSDL pair once per content (hash-named folder); later connections reuse it. */
export async function cacheServerWsdl(text: string): Promise<string> {
  await sweepPerConnectionFolders();
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const dir = path.join(wsdlCacheRoot(), digest);
  const servicePath = path.join(dir, 'vboxwebService.wsdl');
  if (await exists(servicePath)) return servicePath;
  await mkdir(dir, { recursive: true });
  // The compiled-in WSDL may lack the <service> part; borrow ours, pointing at the fetched file.
  const service = text.includes('<service')
    ? text
    : (await readFile(vendoredServiceWsdl('7.1'), 'utf8')).replace('vboxweb-7.1.wsdl', 'vboxweb.wsdl');
  await writeFile(path.join(dir, 'vboxweb.wsdl'), text);
  // Written under a temporary name and renamed, so a concurrent reader never sees half a file.
  const partial = `${servicePath}.${process.pid}.part`;
  await writeFile(partial, service);
  await rename(partial, servicePath);
  return servicePath;
}

/** Removes every cached WSDL (e.g. from `nestlab doctor --clean`); the next 7.2 connection fetches again. */
export async function removeCachedWsdls(): Promise<void> {
  await rm(wsdlCacheRoot(), { recursive: true, force: true });
}

/** Fetches the server's compiled-in WSDL and pairs it with a service part; undefined when unusable. */
async function serverWsdl(endpoint: string): Promise<string | undefined> {
  try {
    const response = await fetch(new URL('?wsdl', endpoint));
    const text = await response.text();
    if (!response.ok || !/<(wsdl:)?binding/.test(text)) return undefined;
    return await cacheServerWsdl(text);
  } catch {
    return undefined;
  }
}

/** SOAP traffic the app itself caused, for the benchmarks (`test/bench/`). */
export interface SoapTraffic {
  calls: number;
  retries: number;
}

/**
 * The port with one retry per call on a connection reset: gSOAP closes a keep-alive connection after
 * 60 s idle or 100 requests (vboxweb.cpp keep-alive settings), and a request written into that closing
 * socket fails before the server read it, so sending it again on a new connection is safe.
 */
export function withResetRetry(port: VBoxPort, traffic?: SoapTraffic): VBoxPort {
  return new Proxy(port, {
    get(target, operation, receiver) {
      const original = Reflect.get(target, operation, receiver) as unknown;
      if (typeof original !== 'function' || typeof operation !== 'string' || !/^I\w+_\w+$/.test(operation))
        return original;
      const call = original as (
        args: unknown,
        cb: (error: unknown, ...rest: unknown[]) => void,
        ...more: unknown[]
      ) => void;
      return (args: unknown, callback: (error: unknown, ...rest: unknown[]) => void, ...more: unknown[]) => {
        if (traffic) traffic.calls += 1;
        // Several pooled keep-alive sockets can reach gSOAP's limit together: the retry may land on
        // another one that is closed too. A closed socket never carried the request, so try again.
        let retriesLeft = MAX_RESET_RETRIES;
        const attempt = (): void =>
          call.call(
            target,
            args,
            (error: unknown, ...rest: unknown[]) => {
              if (error && isConnectionReset(error) && retriesLeft > 0) {
                retriesLeft -= 1;
                if (traffic) traffic.retries += 1;
                attempt();
                return;
              }
              callback(error, ...rest);
            },
            ...more,
          );
        attempt();
      };
    },
  });
}

/** One per pooled socket that may have been closed at once (the agent keeps a few). */
const MAX_RESET_RETRIES = 4;

function result(client: soap.Client, wsdl: string, traffic?: SoapTraffic): PortResult {
  return {
    port: withResetRetry(portOf(client), traffic),
    setEndpoint: (url) => {
      client.setEndpoint(url);
      return withResetRetry(portOf(client), traffic);
    },
    wsdl,
  };
}

export async function createVBoxPort(
  flavor: VBoxApiFlavor,
  endpoint: string,
  traffic?: SoapTraffic,
): Promise<PortResult> {
  const plan = wsdlPlanFor(flavor);
  if (plan.source === 'package') {
    return result(await clientFor(packageServiceWsdl(), endpoint), 'virtualbox-soap 7.0 WSDL', traffic);
  }
  if (plan.source === 'server-then-vendored') {
    const fromServer = await serverWsdl(endpoint);
    if (fromServer) {
      try {
        return result(await clientFor(fromServer, endpoint), `server WSDL (${endpoint}?wsdl)`, traffic);
      } catch {
        // Fall through to the 7.1 shape, which 7.2 keeps for every call we make.
      }
    }
  }
  return result(await clientFor(vendoredServiceWsdl('7.1'), endpoint), 'vendored 7.1 WSDL', traffic);
}
