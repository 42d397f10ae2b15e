/** Small stand-alone HTTPS nodes with hand-written routes, to test the server and client without the model. */
import { ApiSchema, type PveMajor } from '../../../../electron/sim/http/api-schema.ts';
import { AuthService } from '../../../../electron/sim/http/auth.ts';
import { NodeApiServer } from '../../../../electron/sim/http/node-api-server.ts';
import { SimApiError, type SimRequestContext, type SimRoute } from '../../../../electron/sim/http/route.ts';
import type { PveNodeEndpoint } from '../../../../electron/pve/api.ts';

export interface TestNodes {
  servers: NodeApiServer[];
  endpoints: PveNodeEndpoint[];
  auth: AuthService;
  alive: Map<string, boolean>;
  calls: SimRequestContext[];
  /** Seconds added to the auth service's clock (to expire tickets). */
  skew: { seconds: number };
  kill(node: string): void;
  close(): Promise<void>;
}

export async function startTestNodes(
  names: string[],
  options: { major?: PveMajor; authFailureDelayMs?: number } = {},
): Promise<TestNodes> {
  const skew = { seconds: 0 };
  const auth = new AuthService({
    rootPassword: 'secret',
    now: () => Math.floor(Date.now() / 1000) + skew.seconds,
  });
  const schema = new ApiSchema(options.major ?? 9);
  const alive = new Map(names.map((n) => [n, true]));
  const calls: SimRequestContext[] = [];
  const taskPolls = new Map<string, number>();
  const record = (ctx: SimRequestContext): SimRequestContext => {
    calls.push(ctx);
    return ctx;
  };
  const routes: SimRoute[] = [
    {
      method: 'GET',
      path: '/version',
      handle: (ctx) => (record(ctx), { version: '9.1.3', release: '9.1', repoid: 'e5010dce' }),
    },
    {
      method: 'GET',
      path: '/cluster/status',
      handle: (ctx) => (
        record(ctx),
        [{ type: 'node', id: `node/${ctx.node}`, name: ctx.node, local: 1, online: 1 }]
      ),
    },
    {
      method: 'POST',
      path: '/cluster/config',
      handle: (ctx) => {
        record(ctx);
        if (ctx.params['clustername'] === 'noquorum')
          throw new SimApiError(500, 'cluster not ready - no quorum?');
        return `UPID:${ctx.node}:0000ABCD:00001234:6560A1B2:clustercreate:${String(ctx.params['clustername'])}:root@pam:`;
      },
    },
    {
      method: 'GET',
      path: '/nodes/{node}/tasks/{upid}/status',
      handle: (ctx) => {
        record(ctx);
        const upid = ctx.pathParams['upid']!;
        const polls = (taskPolls.get(upid) ?? 0) + 1;
        taskPolls.set(upid, polls);
        const done = polls >= 3;
        return {
          upid,
          node: ctx.pathParams['node'],
          status: done ? 'stopped' : 'running',
          ...(done ? { exitstatus: 'OK' } : {}),
        };
      },
    },
    { method: 'POST', path: '/cluster/ha/resources', handle: (ctx) => (record(ctx), null) },
    {
      method: 'GET',
      path: '/nodes/{node}/qemu/{vmid}/status/current',
      handle: (ctx) => (
        record(ctx),
        { vmid: Number(ctx.pathParams['vmid']), status: 'running', ha: { managed: 0 } }
      ),
    },
    { method: 'POST', path: '/nodes/{node}/qemu', handle: (ctx) => (record(ctx), 'UPID:x') },
    {
      method: 'POST',
      path: '/nodes/{node}/storage/{storage}/upload',
      handle: (ctx) => (record(ctx), `UPID:${ctx.node}:00000001:00000001:00000001:imgcopy::root@pam:`),
    },
  ];
  const servers: NodeApiServer[] = [];
  for (const [i, name] of names.entries()) {
    servers.push(
      await NodeApiServer.start({
        node: name,
        ip: `192.168.56.${11 + i}`,
        schema,
        auth,
        routes,
        isReachable: () => alive.get(name) ?? false,
        canProxyTo: (target) => alive.get(target) ?? false,
        authFailureDelayMs: () => options.authFailureDelayMs ?? 0,
      }),
    );
  }
  return {
    servers,
    endpoints: servers.map((s) => ({ name: s.node, url: s.url, fingerprint: s.fingerprint })),
    auth,
    alive,
    calls,
    skew,
    kill(node) {
      alive.set(node, false);
      servers.find((s) => s.node === node)?.dropConnections();
    },
    async close() {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
