/**
 * Builds the node-soap port that virtualbox-soap's classes call through, from the WSDL matching the
 * running VirtualBox: 7.0 from the package, 7.1 from our vendored copy, 7.2 from the server's `?wsdl`
 * (falling back to the 7.1 shape). Parsed WSDLs are cached per process: parsing takes ~0.5 s.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as soap from 'soap';
import { wsdlPlanFor, type VBoxApiFlavor } from './api-version.ts';

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

/** Fetches the server's compiled-in WSDL and pairs it with a service part; undefined when unusable. */
async function serverWsdl(endpoint: string): Promise<string | undefined> {
  try {
    const response = await fetch(new URL('?wsdl', endpoint));
    const text = await response.text();
    if (!response.ok || !/<(wsdl:)?binding/.test(text)) return undefined;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nestlab-vbox-wsdl-'));
    await writeFile(path.join(dir, 'vboxweb.wsdl'), text);
    // The compiled-in WSDL may lack the <service> part; borrow ours, pointing at the fetched file.
    const service = text.includes('<service')
      ? text
      : (await readFile(vendoredServiceWsdl('7.1'), 'utf8')).replace('vboxweb-7.1.wsdl', 'vboxweb.wsdl');
    const servicePath = path.join(dir, 'vboxwebService.wsdl');
    await writeFile(servicePath, service);
    return servicePath;
  } catch {
    return undefined;
  }
}

function result(client: soap.Client, wsdl: string): PortResult {
  return {
    port: portOf(client),
    setEndpoint: (url) => {
      client.setEndpoint(url);
      return portOf(client);
    },
    wsdl,
  };
}

export async function createVBoxPort(flavor: VBoxApiFlavor, endpoint: string): Promise<PortResult> {
  const plan = wsdlPlanFor(flavor);
  if (plan.source === 'package') {
    return result(await clientFor(packageServiceWsdl(), endpoint), 'virtualbox-soap 7.0 WSDL');
  }
  if (plan.source === 'server-then-vendored') {
    const fromServer = await serverWsdl(endpoint);
    if (fromServer) {
      try {
        return result(await clientFor(fromServer, endpoint), `server WSDL (${endpoint}?wsdl)`);
      } catch {
        // Fall through to the 7.1 shape, which 7.2 keeps for every call we make.
      }
    }
  }
  return result(await clientFor(vendoredServiceWsdl('7.1'), endpoint), 'vendored 7.1 WSDL');
}
