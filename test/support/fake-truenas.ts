/**
 * A fake TrueNAS on loopback that follows the documented wire behaviour:
 *  - /ws: the live ISO's installer (truenas-installer `server/method.py`, `api/info.py`,
 *    `api/install.py`, `api/power.py`): exactly one object parameter or none, the install schema
 *    with additionalProperties false, InvalidParams (-32602) with `data.errno`, progress
 *    notifications, `shutdown` dropping every connection.
 *  - /api/current: the 25.x middleware (middlewared_docs `jsonrpc.rst`, `jobs.rst`): auth.login_ex,
 *    -32001 "Method call error" with `data.reason`, job methods answering when their job is done,
 *    query filters, and the NFS export line TrueNAS would write (`etc_files/exports.mako`).
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

import { WebSocketServer, type WebSocket } from 'ws';

type Params = unknown[];

class RpcFault extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data: Record<string, unknown> | null = null,
  ) {
    super(message);
  }
}

const invalid = (text: string, errno = 'EINVAL'): RpcFault => new RpcFault(-32602, text, { errno });
const callError = (reason: string, errname = 'EINVAL', error = 22): RpcFault =>
  new RpcFault(-32001, 'Method call error', { error, errname, reason, trace: null, extra: [] });

export interface FakeDisk {
  name: string;
  size: number;
}

interface Pool {
  id: number;
  name: string;
  path: string;
  status: string;
  disks: string[];
}

interface Share {
  id: number;
  path: string;
  networks: string[];
  hosts: string[];
  maproot_user: string | null;
  maproot_group: string | null;
  comment: string;
  enabled: boolean;
}

export class FakeTrueNas {
  readonly disks: FakeDisk[];
  readonly calls: { endpoint: 'installer' | 'middleware'; method: string; params: Params }[] = [];
  installed?: { disks: string[]; username: string; password: string; post_install?: unknown };
  adminPassword?: string;
  installationRunning = false;
  /** False while the live system is still booting: the handshake fails, as before nginx is up. */
  answering = true;
  poweredOff = false;
  readonly pools: Pool[] = [];
  readonly datasets: { id: string; name: string; mountpoint: string }[] = [];
  readonly shares: Share[] = [];
  readonly services = [
    { id: 1, service: 'cifs', enable: false, state: 'STOPPED' },
    { id: 4, service: 'nfs', enable: false, state: 'STOPPED' },
    { id: 7, service: 'ssh', enable: false, state: 'STOPPED' },
  ];
  private server?: Server;
  private readonly sockets = new Set<WebSocket>();

  constructor(
    disks: FakeDisk[] = [
      { name: 'sda', size: 16 * 1024 ** 3 },
      { name: 'sdb', size: 32 * 1024 ** 3 },
    ],
  ) {
    this.disks = disks;
  }

  private scheme = 'ws';

  get installerUrl(): string {
    return `${this.scheme}://127.0.0.1:${(this.server!.address() as AddressInfo).port}/ws`;
  }

  get apiUrl(): string {
    return `${this.scheme}://127.0.0.1:${(this.server!.address() as AddressInfo).port}/api/current`;
  }

  /** With `tls`, serves wss:// like the middleware's nginx with its self-signed certificate. */
  async start(tls?: { key: string; cert: string }): Promise<this> {
    const notFound = (_req: unknown, res: { writeHead(code: number): { end(): void } }): void =>
      res.writeHead(404).end();
    this.scheme = tls ? 'wss' : 'ws';
    this.server = tls ? createTlsServer(tls, notFound) : createServer(notFound);
    const installer = new WebSocketServer({ noServer: true });
    const middleware = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const target = path === '/ws' ? installer : path === '/api/current' ? middleware : undefined;
      if (!target || !this.answering) return socket.destroy();
      target.handleUpgrade(req, socket, head, (ws) => {
        this.sockets.add(ws);
        ws.on('close', () => this.sockets.delete(ws));
        const state = { authenticated: false };
        ws.on(
          'message',
          (data) => void this.handle(ws, path === '/ws' ? 'installer' : 'middleware', String(data), state),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** The line TrueNAS's exports.mako writes for a share. */
  exportsLines(): string[] {
    return this.shares
      .filter((s) => s.enabled)
      .map((s) => {
        const options = ['sec=sys', 'rw', 'no_subtree_check'];
        if (s.maproot_user === 'root' && s.maproot_group === 'root') options.push('no_root_squash');
        const clients = [...s.networks, ...s.hosts];
        return `"${s.path}" ${(clients.length ? clients : ['*']).map((c) => `${c}(${options.join(',')})`).join(' ')}`;
      });
  }

  private async handle(
    ws: WebSocket,
    endpoint: 'installer' | 'middleware',
    text: string,
    state: { authenticated: boolean },
  ): Promise<void> {
    const request = JSON.parse(text) as { id: number; method: string; params?: Params };
    const params = request.params ?? [];
    this.calls.push({ endpoint, method: request.method, params });
    try {
      const result =
        endpoint === 'installer'
          ? await this.installerMethod(request.method, params)
          : this.middlewareMethod(request.method, params, state);
      if (result === DROP) return;
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: request.id, result: result ?? null }));
    } catch (error) {
      const fault = error instanceof RpcFault ? error : new RpcFault(-32603, 'Internal error');
      ws.send(
        JSON.stringify({
          jsonrpc: '2.0',
          id: request.id,
          error: { code: fault.code, message: fault.message, data: fault.data },
        }),
      );
    }
  }

  private broadcast(method: string, params: unknown): void {
    for (const ws of this.sockets) ws.send(JSON.stringify({ jsonrpc: '2.0', method, params }));
  }

  // ------------------------------------------------------------ installer

  private async installerMethod(method: string, params: Params): Promise<unknown> {
    const noParams = (): void => {
      if (params.length !== 0) throw invalid(`0 parameters required, found ${params.length}`);
    };
    switch (method) {
      case 'system_info':
        noParams();
        return { installation_running: this.installationRunning, version: '25.10.6', efi: false };
      case 'list_disks':
        noParams();
        return this.disks.map((d) => ({
          ...d,
          model: 'VBOX HARDDISK',
          label: '',
          zfs_members: [],
          removable: false,
        }));
      case 'list_network_interfaces':
        noParams();
        return [{ name: 'enp0s3' }, { name: 'enp0s8' }];
      case 'install':
        return this.install(params);
      case 'shutdown':
        noParams();
        this.poweredOff = true;
        for (const ws of this.sockets) ws.terminate();
        return DROP;
      default:
        throw new RpcFault(-32601, 'Method not found');
    }
  }

  private async install(params: Params): Promise<null> {
    if (params.length !== 1) throw invalid(`1 parameter required, found ${params.length}`);
    const p = params[0] as Record<string, unknown>;
    for (const key of ['disks', 'set_pmbr', 'authentication']) {
      if (!(key in p)) throw invalid(`'${key}' is a required property`);
    }
    for (const key of Object.keys(p)) {
      if (!['wipe_disks', 'disks', 'set_pmbr', 'authentication', 'post_install'].includes(key)) {
        throw invalid(`Additional properties are not allowed ('${key}' was unexpected)`);
      }
    }
    const auth = p.authentication as { username?: string; password?: string } | null;
    if (auth) {
      if (!['truenas_admin', 'root'].includes(auth.username ?? ''))
        throw invalid(`'${auth.username}' is not one of ['truenas_admin', 'root']`);
      if ((auth.password ?? '').length < 6) throw invalid(`'${auth.password}' is too short`);
    }
    for (const name of p.disks as string[]) {
      if (!this.disks.some((d) => d.name === name)) throw invalid(`Disk '${name}' does not exist`, 'EFAULT');
    }
    this.installationRunning = true;
    for (const [progress, message] of [
      [0.1, 'Creating boot pool'],
      [0.5, 'Extracting'],
      [1, 'Installation done'],
    ] as const) {
      this.broadcast('installation_progress', [{ progress, message }]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.installationRunning = false;
    this.installed = {
      disks: p.disks as string[],
      username: auth?.username ?? 'truenas_admin',
      password: auth?.password ?? '',
      ...(p.post_install ? { post_install: p.post_install } : {}),
    };
    this.adminPassword = auth?.password;
    return null;
  }

  // ------------------------------------------------------------ middleware

  private middlewareMethod(method: string, params: Params, state: { authenticated: boolean }): unknown {
    if (method === 'auth.login_ex') {
      const cred = params[0] as { mechanism?: string; username?: string; password?: string };
      if (cred?.mechanism !== 'PASSWORD_PLAIN') throw callError('mechanism: unsupported');
      state.authenticated = cred.username === 'truenas_admin' && cred.password === this.adminPassword;
      return state.authenticated
        ? { response_type: 'SUCCESS', user_info: { username: cred.username } }
        : { response_type: 'AUTH_ERR' };
    }
    if (!state.authenticated) throw callError('Not authenticated', 'ENOTAUTHENTICATED', 199);
    switch (method) {
      case 'pool.query':
        return filter(this.pools, params[0]);
      case 'pool.dataset.query':
        return filter(this.datasets, params[0]);
      case 'sharing.nfs.query':
        return filter(this.shares, params[0]);
      case 'service.query':
        return filter(this.services, params[0]);
      case 'pool.create': {
        const spec = params[0] as { name: string; topology?: { data?: { type: string; disks: string[] }[] } };
        const disks = spec.topology?.data?.flatMap((v) => v.disks) ?? [];
        if (!disks.length) throw callError('pool_create.topology.data: At least one data vdev is required');
        for (const disk of disks) {
          if (!this.disks.some((d) => d.name === disk))
            throw callError(`pool_create.topology.data: disk ${disk} not found`);
          if (this.installed?.disks.includes(disk) || this.pools.some((pool) => pool.disks.includes(disk))) {
            throw callError(`pool_create.topology.data: disk ${disk} is in use`);
          }
        }
        if (this.pools.some((pool) => pool.name === spec.name))
          throw callError(`pool_create.name: A pool with this name already exists.`);
        const pool = {
          id: this.pools.length + 1,
          name: spec.name,
          path: `/mnt/${spec.name}`,
          status: 'ONLINE',
          disks,
        };
        this.pools.push(pool);
        this.datasets.push({ id: spec.name, name: spec.name, mountpoint: pool.path });
        return pool;
      }
      case 'pool.dataset.create': {
        const { name } = params[0] as { name: string };
        const parent = name.split('/').slice(0, -1).join('/');
        if (!this.datasets.some((d) => d.id === parent))
          throw callError(`pool_dataset_create.name: Parent dataset ${parent} does not exist`);
        if (this.datasets.some((d) => d.id === name))
          throw callError(`pool_dataset_create.name: ${name} already exists`, 'EEXIST', 17);
        const dataset = { id: name, name, mountpoint: `/mnt/${name}` };
        this.datasets.push(dataset);
        return dataset;
      }
      case 'sharing.nfs.create': {
        const share = params[0] as Omit<Share, 'id' | 'enabled'>;
        if (!this.datasets.some((d) => d.mountpoint === share.path))
          throw callError(`sharingnfs_create.path: Path does not exist.`, 'ENOENT', 2);
        for (const network of share.networks ?? []) {
          if (!/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(network))
            throw callError(`sharingnfs_create.networks: ${network} is not a network`);
        }
        const created = { ...share, id: this.shares.length + 1, enabled: true };
        this.shares.push(created);
        return created;
      }
      case 'service.update': {
        const [idOrName, update] = params as [number | string, { enable?: boolean }];
        const service = this.services.find((s) => s.id === idOrName || s.service === idOrName);
        if (!service) throw callError(`service ${idOrName} not found`, 'ENOENT', 2);
        if (typeof update.enable === 'boolean') service.enable = update.enable;
        return service.id;
      }
      case 'service.control': {
        const [verb, name] = params as [string, string];
        const service = this.services.find((s) => s.service === name);
        if (!service) throw callError(`service ${name} not found`, 'ENOENT', 2);
        if (verb === 'START') service.state = 'RUNNING';
        else if (verb === 'STOP') service.state = 'STOPPED';
        else throw callError(`service.control: unknown verb ${verb}`);
        return true;
      }
      default:
        throw callError(`Method ${method} not found`, 'ENOMETHOD', 2);
    }
  }
}

const DROP = Symbol('drop');

function filter<T extends object>(rows: T[], filters: unknown): T[] {
  const list = (Array.isArray(filters) ? filters : []) as [string, string, unknown][];
  return rows.filter((row) =>
    list.every(([field, op, value]) => op === '=' && (row as Record<string, unknown>)[field] === value),
  );
}
