/**
 * The TrueNAS 25.x middleware API: versioned JSON-RPC 2.0 over WebSocket at /api/current
 * (truenas/middleware `src/middlewared_docs/docs/jsonrpc.rst`, models in `middlewared/api/v25_10_0`).
 * A job method (pool.create, service.control) answers only when its job has finished
 * (`docs/jobs.rst`), so a call is awaited with a long timeout instead of polling core.get_jobs.
 */
import { JsonRpcSocket, TrueNasRpcError, type RpcSocketOptions } from './json-rpc-socket.ts';

type Filter = [string, string, unknown];

export interface NfsShare {
  id: number;
  path: string;
  networks: string[];
  hosts: string[];
  maproot_user: string | null;
  maproot_group: string | null;
  enabled: boolean;
}

export class TrueNasMiddlewareClient {
  private constructor(private readonly rpc: JsonRpcSocket) {}

  static async connect(url: string, options: RpcSocketOptions = {}): Promise<TrueNasMiddlewareClient> {
    return new TrueNasMiddlewareClient(await JsonRpcSocket.connect(url, options));
  }

  /** `auth.login_ex` with PASSWORD_PLAIN; anything but SUCCESS (e.g. AUTH_ERR, OTP_REQUIRED) is an error. */
  async login(username: string, password: string): Promise<void> {
    const answer = await this.rpc.call<{ response_type?: string }>('auth.login_ex', [
      { mechanism: 'PASSWORD_PLAIN', username, password },
    ]);
    if (answer?.response_type !== 'SUCCESS') {
      throw new TrueNasRpcError(
        `auth.login_ex on ${this.rpc.url}: TrueNAS refused ${username}'s password (${answer?.response_type ?? 'no answer'})`,
        'auth.login_ex',
      );
    }
  }

  query<T>(method: string, filters: Filter[] = []): Promise<T[]> {
    return this.rpc.call<T[]>(method, [filters]);
  }

  createPool(name: string, disks: string[]): Promise<{ name: string; path: string }> {
    return this.rpc.call(
      'pool.create',
      [{ name, topology: { data: [{ type: 'STRIPE', disks }] } }],
      10 * 60_000,
    );
  }

  createDataset(name: string): Promise<{ id: string; mountpoint: string }> {
    return this.rpc.call('pool.dataset.create', [{ name }]);
  }

  createNfsShare(share: { path: string; networks: string[]; comment: string }): Promise<NfsShare> {
    // maproot root:root is what makes TrueNAS write no_root_squash (etc_files/exports.mako).
    return this.rpc.call('sharing.nfs.create', [
      { ...share, hosts: [], maproot_user: 'root', maproot_group: 'root' },
    ]);
  }

  /** Starts at boot (`service.update`), then now (`service.control START`, a job in 25.10+). */
  async enableAndStartService(service: string): Promise<void> {
    const [found] = await this.query<{ id: number; service: string }>('service.query', [
      ['service', '=', service],
    ]);
    if (!found)
      throw new TrueNasRpcError(`service.query on ${this.rpc.url}: no service "${service}"`, 'service.query');
    await this.rpc.call('service.update', [found.id, { enable: true }]);
    await this.rpc.call('service.control', ['START', service, {}], 5 * 60_000);
  }

  close(): void {
    this.rpc.close();
  }
}
