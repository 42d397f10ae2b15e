/** `GET /nodes/{node}/tasks`, `…/tasks/{upid}/status`, `…/tasks/{upid}/log`, `DELETE …/tasks/{upid}`. */
import { SimApiError, type SimRoute } from '../http/route.ts';
import type { TaskState } from '../state.ts';
import { parseUpid } from '../tasks.ts';
import type { World } from '../world.ts';
import { bool, int, req, route, str, targetNode } from './support.ts';

/** A task as the task lists (`/nodes/{node}/tasks`, `/cluster/tasks`) show it. */
export function taskListItem(t: TaskState): Record<string, unknown> {
  return {
    upid: t.upid,
    node: t.node,
    pid: t.pid,
    pstart: t.pstart,
    starttime: t.starttime,
    type: t.type,
    id: t.id,
    user: t.user,
    ...(t.status === 'stopped' ? { endtime: t.endtime, status: t.exitstatus } : {}),
  };
}

export function taskRoutes(world: World): SimRoute[] {
  const core = world.core;
  const find = (node: string, upid: string): TaskState => {
    const parsed = parseUpid(upid);
    if (!parsed)
      throw new SimApiError(400, 'Parameter verification failed.', { upid: 'unable to parse worker upid' });
    const t = parsed.node === node ? (core.state.tasks[node] ?? []).find((x) => x.upid === upid) : undefined;
    if (!t) throw new SimApiError(500, `no such task`);
    return t;
  };
  return [
    route('GET', '/nodes/{node}/tasks', (ctx) => {
      const node = targetNode(world, ctx);
      const start = int(ctx, 'start') ?? 0;
      const limit = int(ctx, 'limit') ?? 50;
      const typefilter = str(ctx, 'typefilter');
      const vmid = int(ctx, 'vmid');
      const userfilter = str(ctx, 'userfilter');
      const statusfilter = str(ctx, 'statusfilter');
      const errors = bool(ctx, 'errors') ?? false;
      const source = str(ctx, 'source') ?? 'archive';
      const since = int(ctx, 'since');
      const until = int(ctx, 'until');
      let list = [...(core.state.tasks[node] ?? [])].reverse();
      if (source === 'active') list = list.filter((t) => t.status === 'running');
      else if (source === 'archive') list = list.filter((t) => t.status === 'stopped');
      if (typefilter) list = list.filter((t) => t.type === typefilter);
      if (vmid !== undefined) list = list.filter((t) => t.id === String(vmid));
      if (userfilter) list = list.filter((t) => t.user.includes(userfilter));
      if (errors) list = list.filter((t) => t.status === 'stopped' && t.exitstatus !== 'OK');
      if (since !== undefined) list = list.filter((t) => t.starttime >= since);
      if (until !== undefined) list = list.filter((t) => t.starttime <= until);
      if (statusfilter) {
        const wanted = statusfilter.split(/[,\s]+/);
        list = list.filter((t) => {
          const s =
            t.status === 'running'
              ? 'running'
              : t.exitstatus === 'OK'
                ? 'ok'
                : t.exitstatus?.startsWith('WARNINGS')
                  ? 'warning'
                  : t.exitstatus === 'unexpected status'
                    ? 'unknown'
                    : 'error';
          return wanted.includes(s);
        });
      }
      return list.slice(start, start + limit).map(taskListItem);
    }),
    route('GET', '/nodes/{node}/tasks/{upid}', (ctx) => {
      find(targetNode(world, ctx), req(ctx, 'upid'));
      return [{ name: 'log' }, { name: 'status' }];
    }),
    route('GET', '/nodes/{node}/tasks/{upid}/status', (ctx) => {
      const t = find(targetNode(world, ctx), req(ctx, 'upid'));
      return {
        upid: t.upid,
        node: t.node,
        pid: t.pid,
        pstart: t.pstart,
        starttime: t.starttime,
        type: t.type,
        id: t.id,
        user: t.user,
        status: t.status,
        ...(t.status === 'stopped' ? { exitstatus: t.exitstatus } : {}),
      };
    }),
    route('GET', '/nodes/{node}/tasks/{upid}/log', (ctx) => {
      const t = find(targetNode(world, ctx), req(ctx, 'upid'));
      const start = int(ctx, 'start') ?? 0;
      const limit = int(ctx, 'limit') ?? 50;
      const lines = t.log.length > 0 ? t.log : ['no content'];
      return lines.slice(start, start + limit).map((text, i) => ({ n: start + i + 1, t: text }));
    }),
    route('DELETE', '/nodes/{node}/tasks/{upid}', (ctx) => {
      const t = find(targetNode(world, ctx), req(ctx, 'upid'));
      if (t.status === 'running') {
        t.status = 'stopped';
        t.exitstatus = 'interrupted by signal';
        t.endtime = core.epochSeconds();
        t.log.push('received interrupt', 'TASK ERROR: interrupted by signal');
      }
      return null;
    }),
  ];
}
