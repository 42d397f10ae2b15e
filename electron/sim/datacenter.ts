/**
 * A complete simulated datacenter: the World (model + virtual clock), one HTTPS Proxmox VE API
 * server per node (each with its own certificate, whose fingerprint the world reports in join
 * information), the hypervisor driver, and simulated shells. `startSimDatacenter` is what the
 * app, the CLI (`nestlab sim serve`) and the tests use.
 */
import { randomBytes } from 'node:crypto';
import type { PveApi, PveClient, PveClientFactory, PveClientOptions, PveNodeEndpoint } from '../pve/api.ts';
import { capabilities, registerRootToken, splitTokenId } from './access.ts';
import { simRoutes } from './api/index.ts';
import { VirtualClock, type ClockMode } from './clock/virtual-clock.ts';
import { ApiSchema } from './http/api-schema.ts';
import { AuthService, type ApiTokenInfo } from './http/auth.ts';
import { NodeApiServer } from './http/node-api-server.ts';
import { nodeCertificate, type NodeCertificate } from './http/node-certificate.ts';
import type { SimRoute } from './http/route.ts';
import { SimHypervisorDriver } from './hypervisor.ts';
import { localNodeAccess } from './local-node-access.ts';
import type { LocalNodeAccess } from './shell/local-node.ts';
import { openNodeShell } from './shell/node-shell.ts';
import type { ShellSession } from './shell/shell-session.ts';
import { World } from './world.ts';
import type { PveMajor, SimNasConfig, SimNodeConfig, SimWorldConfig } from './world-types.ts';

export interface SimDatacenterOptions {
  /**
   * How Proxmox clients are made (the real one, `httpPveClients`, from the composition root): the
   * datacenter's clients and its shells talk to its HTTPS nodes as any client would.
   */
  pveClients: PveClientFactory;
  /** Default: node1..node3 at 192.168.56.11-13. */
  nodes?: SimNodeConfig[];
  /** Default: `nas` at 192.168.56.20 exporting /mnt/tank/pve; `false` for none. */
  nas?: SimNasConfig | false;
  pveMajor?: PveMajor;
  /** root@pam password of every node; random by default. */
  rootPassword?: string;
  /** Default: real time (`{ kind: 'realtime', speed: 1 }`). Tests use `{ kind: 'fast' }`. */
  clockMode?: ClockMode;
  /** Fresh standalone nodes (default, as after installation) or a formed cluster. */
  initial?: SimWorldConfig['initial'];
  nodeBootSeconds?: number;
  guestBootSeconds?: number;
  /** Also create the API token `root@pam!<id>` (printed by `sim serve`). */
  apiTokenId?: string;
  /**
   * How a powered-off or unplugged node's API behaves: `refuse` (default) drops connections at once;
   * `hang` accepts and never answers, as a real dead machine does to open connections.
   */
  deadApi?: 'refuse' | 'hang';
  /** Replaces the model's endpoint handlers (tests of the HTTP layer). */
  routes?: (world: World) => SimRoute[];
}

export interface SimCredentials {
  username: 'root@pam';
  password: string;
  token?: ApiTokenInfo;
}

export interface SimDatacenter {
  world: World;
  clock: VirtualClock;
  driver: SimHypervisorDriver;
  endpoints: PveNodeEndpoint[];
  credentials: SimCredentials;
  /** What the shell needs beyond the REST API (votequorum, CRM commands, name resolution). */
  local: LocalNodeAccess;
  /** A client for this datacenter, logged in as root@pam, holding the virtual clock during calls. */
  createClient(options?: Partial<PveClientOptions>): PveApi;
  /** The node's TLS certificate (PEM), e.g. for `curl --cacert`. */
  certificatePem(node: string): string;
  /** The CA that signed it (`pve-root-ca.pem`; one for every member of a cluster), e.g. for `curl --cacert`. */
  caPem(node: string): string;
  /** A login shell on `node` (`root@node:~# `). */
  openShell(node: string): ShellSession;
  close(): Promise<void>;
}

export const DEFAULT_NODES: SimNodeConfig[] = [
  { name: 'node1', ip: '192.168.56.11' },
  { name: 'node2', ip: '192.168.56.12' },
  { name: 'node3', ip: '192.168.56.13' },
];

export const DEFAULT_NAS: SimNasConfig = { name: 'nas', ip: '192.168.56.20', exports: ['/mnt/tank/pve'] };

export async function startSimDatacenter(options: SimDatacenterOptions): Promise<SimDatacenter> {
  const nodes = options.nodes ?? DEFAULT_NODES;
  const rootPassword = options.rootPassword ?? randomBytes(9).toString('base64url');
  const clock = new VirtualClock();
  const world = new World(
    {
      nodes,
      rootPassword,
      ...(options.nas === false ? {} : { nas: options.nas ?? DEFAULT_NAS }),
      ...(options.pveMajor ? { pveMajor: options.pveMajor } : {}),
      ...(options.initial ? { initial: options.initial } : {}),
      ...(options.nodeBootSeconds !== undefined ? { nodeBootSeconds: options.nodeBootSeconds } : {}),
      ...(options.guestBootSeconds !== undefined ? { guestBootSeconds: options.guestBootSeconds } : {}),
    },
    clock,
  );
  // Certificates first: join information must report the real fingerprints. In a formed cluster
  // the founder's CA signed every node's certificate; standalone nodes each have their own CA.
  const certificates = await Promise.all(
    nodes.map((n) => nodeCertificate(n.name, n.ip, world.keyDomain(n.name))),
  );
  nodes.forEach((n, i) => world.setNodeFingerprint(n.name, certificates[i]!.fingerprint));

  const auth = new AuthService({
    rootPassword,
    // Tickets age on the simulated time line, as on the simulated nodes' clocks.
    now: () => world.core.epochSeconds(),
    keyDomainOf: (node) => world.keyDomain(node),
  });
  const token = options.apiTokenId ? auth.addToken(options.apiTokenId) : undefined;
  // root@pam's own token is a full one (no privilege separation), as `sim serve` prints it.
  if (options.apiTokenId) registerRootToken(world.core, options.apiTokenId, false);
  auth.passwordOf = (user, password) => {
    if (user === 'root@pam') return auth.checkPassword(password);
    const u = world.core.state.access?.users[user];
    const expired = u !== undefined && u.expire > 0 && u.expire < world.core.epochSeconds();
    return (
      u !== undefined &&
      u.enable &&
      !expired &&
      user.endsWith('@pve') &&
      u.password !== undefined &&
      u.password === password
    );
  };
  auth.tokenSecretOf = (tokenId) => {
    const { user, token: name } = splitTokenId(tokenId);
    const u = world.core.state.access?.users[user];
    const t = name === undefined ? undefined : u?.tokens[name];
    if (!u || !t || !u.enable) return undefined;
    if (t.expire > 0 && t.expire < world.core.epochSeconds()) return undefined;
    return t.secret;
  };
  const schema = new ApiSchema(world.pveMajor);
  const routes = (options.routes ?? simRoutes)(world);
  const servers = await Promise.all(
    nodes.map((n) =>
      NodeApiServer.start({
        node: n.name,
        ip: n.ip,
        certificate: certificates[nodes.indexOf(n)]!,
        schema,
        auth,
        routes,
        clock,
        isReachable: () => world.apiAvailable(n.name),
        canProxyTo: (target) => canReach(world, n.name, target),
        clusterName: () => world.clusterName(n.name),
        authFailureDelayMs: () => simulatedToRealMs(clock, 3_000),
        capabilities: (user) => capabilities(world.core, user),
        whenDead: options.deadApi ?? 'refuse',
      }),
    ),
  );
  // A node that loses power or its cable drops its open connections at once.
  const stopWatching = world.onTransition(() => {
    for (const server of servers) if (!world.apiAvailable(server.node)) server.dropConnections();
  });

  const endpoints: PveNodeEndpoint[] = servers.map((s) => ({
    name: s.node,
    url: s.url,
    fingerprint: s.fingerprint,
    caPem: s.caPem,
  }));
  const credentials: SimCredentials = {
    username: 'root@pam',
    password: rootPassword,
    ...(token ? { token } : {}),
  };
  const driver = new SimHypervisorDriver(world);
  const local = localNodeAccess(world, endpoints, options.pveClients);
  const clients = new Set<PveClient>();
  const shells = new Set<ShellSession>();
  let shellClient: PveApi | undefined;

  // A join gives the node a certificate from the cluster's CA and restarts its pveproxy. The
  // datacenter's own clients learn the new fingerprint (as the app learns it from the cluster);
  // any other client that pinned the old one gets what it would get from a real node.
  const newCertificates = new Map<string, Promise<NodeCertificate>>();
  const stopCertificates = world.onTransition((t) => {
    const [kind, node] = t.subject.split(':');
    if (kind !== 'certificate' || node === undefined) return;
    const server = servers.find((s) => s.node === node);
    if (!server) return;
    if (t.to === 'joining') {
      const release = clock.hold(`certificate ${node}`);
      const pending = nodeCertificate(node, world.nodeIp(node), world.keyDomain(node));
      newCertificates.set(node, pending);
      void pending.finally(release).catch(() => undefined);
    } else if (t.to === 'cluster-ca') {
      const pending =
        newCertificates.get(node) ?? nodeCertificate(node, world.nodeIp(node), world.keyDomain(node));
      newCertificates.delete(node);
      const release = clock.hold(`pveproxy restart ${node}`);
      void pending
        .then((certificate) => {
          server.replaceCertificate(certificate);
          world.setNodeFingerprint(node, certificate.fingerprint);
          const index = endpoints.findIndex((e) => e.name === node);
          const endpoint = {
            ...endpoints[index]!,
            fingerprint: certificate.fingerprint,
            caPem: certificate.caPem,
          };
          endpoints[index] = endpoint;
          for (const client of clients) client.addEndpoint(endpoint);
        })
        .catch(() => undefined)
        .finally(release);
    }
  });

  const createClient = (overrides: Partial<PveClientOptions> = {}): PveApi => {
    const client = options.pveClients.create({
      endpoints,
      credentials: { kind: 'password', username: 'root@pam', password: rootPassword },
      clock,
      ...overrides,
    });
    clients.add(client);
    return client;
  };

  clock.setMode(options.clockMode ?? { kind: 'realtime', speed: 1 });

  return {
    world,
    clock,
    driver,
    endpoints,
    credentials,
    local,
    createClient,
    certificatePem(node) {
      const server = servers.find((s) => s.node === node);
      if (!server) throw new Error(`certificatePem: no node '${node}' in this datacenter`);
      return server.certificatePem;
    },
    openShell(node) {
      if (!world.nodeNames().includes(node))
        throw new Error(`openShell: no node '${node}' in this datacenter`);
      // One client serves every shell (each call names its node), so opening a shell per command
      // costs no new TLS probe or login.
      shellClient ??= createClient();
      const shell = openNodeShell({ node, api: shellClient, local, schema });
      shells.add(shell);
      shell.onClose(() => shells.delete(shell));
      return shell;
    },
    caPem(node) {
      const server = servers.find((s) => s.node === node);
      if (!server) throw new Error(`caPem: no node '${node}' in this datacenter`);
      return server.caPem;
    },
    async close() {
      stopWatching();
      stopCertificates();
      for (const shell of [...shells]) shell.close();
      await Promise.all([...clients].map((c) => c.close()));
      await driver.close();
      await Promise.all(servers.map((s) => s.close()));
      clock.dispose();
    },
  };
}

/** Real milliseconds that `ms` of simulated time take at the clock's current speed (0 when manual). */
export function simulatedToRealMs(clock: VirtualClock, ms: number): number {
  const mode = clock.getMode();
  if (mode.kind === 'realtime') return ms / mode.speed;
  if (mode.kind === 'fast' && mode.maxRatio !== undefined) return ms / mode.maxRatio;
  return 0;
}

/** pveproxy proxies `/nodes/{target}/…` calls over the cluster network. */
function canReach(world: World, from: string, target: string): boolean {
  const nodes = world.core.state.nodes;
  const a = nodes[from];
  const b = nodes[target];
  if (!a || !b) return true; // unknown node: the handler answers with the real error
  return world.apiAvailable(target) && a.cable && a.segment === b.segment;
}
