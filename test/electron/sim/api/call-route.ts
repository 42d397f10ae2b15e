/** Test helper: calls a sim route handler directly, as the HTTP server would after validation. */
import { simRoutes } from '../../../../electron/sim/api/index.ts';
import type { SimRoute } from '../../../../electron/sim/http/route.ts';
import { World } from '../../../../electron/sim/world.ts';

export interface Caller {
  world: World;
  call(
    method: SimRoute['method'],
    path: string,
    node: string,
    params?: Record<string, unknown>,
    upload?: { filename: string; size: number },
  ): unknown;
  /** Runs the clock until the task is stopped (max 10 min) and returns its exit status. */
  waitTask(upid: unknown): string;
}

export function caller(world: World): Caller {
  const routes = simRoutes(world);
  const match = (method: string, path: string): { route: SimRoute; pathParams: Record<string, string> } => {
    for (const route of routes) {
      if (route.method !== method) continue;
      const names: string[] = [];
      const re = new RegExp(
        '^' + route.path.replace(/\{(\w+)\}/g, (_, n: string) => (names.push(n), '([^/]+)')) + '$',
      );
      const m = re.exec(path);
      if (m)
        return {
          route,
          pathParams: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])),
        };
    }
    throw new Error(`no route ${method} ${path}`);
  };
  const self: Caller = {
    world,
    call(method, path, node, params = {}, upload) {
      const { route, pathParams } = match(method, path);
      return route.handle({ node, user: 'root@pam', pathParams, params, ...(upload ? { upload } : {}) });
    },
    waitTask(upid) {
      const node = String(upid).split(':')[1]!;
      for (let i = 0; i < 600; i++) {
        const st = self.call(
          'GET',
          `/nodes/${node}/tasks/${encodeURIComponent(String(upid))}/status`,
          node,
        ) as {
          status: string;
          exitstatus?: string;
        };
        if (st.status === 'stopped') return st.exitstatus!;
        world.runFor(1000);
      }
      throw new Error(`task ${String(upid)} still running`);
    },
  };
  return self;
}

export function labWorld(opts: { pveMajor?: 8 | 9; initial?: 'standalone' | 'cluster' } = {}): World {
  return new World({
    nodes: [
      { name: 'pve1', ip: '192.168.56.11' },
      { name: 'pve2', ip: '192.168.56.12' },
      { name: 'pve3', ip: '192.168.56.13' },
    ],
    rootPassword: 'secret',
    nas: { name: 'nas', ip: '192.168.56.20', exports: ['/mnt/tank/pve'] },
    pveMajor: opts.pveMajor ?? 9,
    initial: opts.initial === 'cluster' ? { kind: 'cluster', clusterName: 'lab' } : { kind: 'standalone' },
  });
}
