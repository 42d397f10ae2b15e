/**
 * `/cluster/status`, `/cluster/resources`, `/cluster/config` (create, join, nodes), `/cluster/log`,
 * `/cluster/nextid`, `/cluster/tasks`.
 */
import { createCluster, deleteNode, joinCluster, joinInfo } from '../cluster-config.ts';
import { nextFreeVmid } from '../guest-config.ts';
import { SimApiError, type SimRoute } from '../http/route.ts';
import type { SimCore } from '../sim-core.ts';
import { storageConfigs, storageEnabledOn, storageStatus } from '../storage.ts';
import type { World } from '../world.ts';
import { verboseServiceState } from '../ha/status-view.ts';
import { taskListItem } from './tasks.ts';
import { accessState, hasPrivileges } from '../access.ts';
import { assertWritable } from '../pmxcfs.ts';
import { int, knownNodes, list, paramError, req, route, str, bool, MIB } from './support.ts';

/** Whether `node` is online as seen from `local` (same corosync partition, or itself). */
export function onlineFrom(core: SimCore, local: string, node: string): boolean {
  if (local === node)
    return core.state.nodes[node]?.phase === 'up' || core.state.nodes[node]?.phase === 'shutting-down';
  return core.state.membership[local]?.includes(node) ?? false;
}

export function nodeResource(core: SimCore, local: string, name: string): Record<string, unknown> {
  const n = core.state.nodes[name]!;
  const online = onlineFrom(core, local, name);
  const running = Object.values(core.state.guests).filter((g) => g.node === name && g.running);
  const mem = 1800 * MIB + running.reduce((s, g) => s + Number(g.config.memory ?? 512) * MIB, 0);
  return {
    id: `node/${name}`,
    type: 'node',
    node: name,
    status: online ? 'online' : 'offline',
    ...(online
      ? {
          cpu: 0.02 + running.length * 0.01,
          maxcpu: 4,
          mem,
          maxmem: 8 * 1024 * MIB,
          disk: 4 * 1024 * MIB,
          maxdisk: 30 * 1024 * MIB,
          uptime: Math.floor((core.now() - n.upSince) / 1000),
        }
      : {}),
    level: '',
    'cgroup-mode': 2,
  };
}

function guestResources(core: SimCore, local: string): Record<string, unknown>[] {
  const visible = new Set(knownNodesOf(core, local));
  const out: Record<string, unknown>[] = [];
  for (const g of Object.values(core.state.guests)) {
    if (!visible.has(g.node)) continue;
    const online = onlineFrom(core, local, g.node);
    const sid = `${g.type === 'qemu' ? 'vm' : 'ct'}:${g.vmid}`;
    const res = core.state.ha.resources[sid];
    const item: Record<string, unknown> = {
      id: `${g.type}/${g.vmid}`,
      type: g.type,
      vmid: g.vmid,
      node: g.node,
      name: g.config.name ?? g.config.hostname ?? `${g.type === 'qemu' ? 'VM' : 'CT'} ${g.vmid}`,
      status: online ? (g.running ? 'running' : 'stopped') : 'unknown',
      maxmem: Number(g.config.memory ?? 512) * MIB,
      maxcpu: Number(g.config.cores ?? 1),
      maxdisk: 8 * 1024 * MIB,
      mem: g.running ? Math.floor(Number(g.config.memory ?? 512) * MIB * 0.4) : 0,
      cpu: g.running ? 0.01 : 0,
      disk: 0,
      uptime: g.running ? Math.floor((core.now() - g.startedAt) / 1000) : 0,
      template: 0,
      netin: 0,
      netout: 0,
      diskread: 0,
      diskwrite: 0,
    };
    if (res) item.hastate = verboseServiceState(core, sid, core.state.ha.manager.service_status[sid]);
    if (g.lock) item.lock = g.lock;
    out.push(item);
  }
  return out.sort((a, b) => Number(a.vmid) - Number(b.vmid));
}

function knownNodesOf(core: SimCore, local: string): string[] {
  const c = core.state.cluster;
  return c?.nodes[local] ? Object.keys(c.nodes).sort() : [local];
}

function storageResources(core: SimCore, local: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const node of knownNodesOf(core, local)) {
    const online = onlineFrom(core, local, node);
    for (const [id, cfg] of Object.entries(storageConfigs(core, node))) {
      if (!storageEnabledOn(cfg, node)) continue;
      const st = online ? storageStatus(core, id, node) : undefined;
      out.push({
        id: `storage/${node}/${id}`,
        type: 'storage',
        storage: id,
        node,
        status: st ? (st.active ? 'available' : 'unknown') : 'unknown',
        content: cfg.content.join(','),
        plugintype: cfg.type,
        shared: cfg.type === 'nfs' ? 1 : 0,
        disk: st?.used ?? 0,
        maxdisk: st?.total ?? 0,
      });
    }
  }
  return out;
}

export function clusterRoutes(world: World): SimRoute[] {
  const core = world.core;
  return [
    route('GET', '/cluster/status', (ctx) => {
      const local = ctx.node;
      const cluster = core.state.cluster;
      const nodes = knownNodes(world, local);
      const out: Record<string, unknown>[] = [];
      if (cluster?.nodes[local]) {
        out.push({
          type: 'cluster',
          id: 'cluster',
          name: cluster.name,
          nodes: nodes.length,
          quorate: world.isQuorate(local) ? 1 : 0,
          version: cluster.configVersion,
        });
      }
      for (const name of nodes) {
        out.push({
          type: 'node',
          id: `node/${name}`,
          name,
          ip: core.state.nodes[name]!.ip,
          level: '',
          local: name === local ? 1 : 0,
          nodeid: cluster?.nodes[name]?.nodeid ?? 0,
          online: onlineFrom(core, local, name) ? 1 : 0,
        });
      }
      return out;
    }),
    // Each item only for who may see it (pve-manager API2/Cluster.pm resources).
    route('GET', '/cluster/resources', (ctx) => {
      const type = str(ctx, 'type');
      const out: Record<string, unknown>[] = [];
      const may = (path: string, privs: string[]): boolean =>
        hasPrivileges(core, ctx.user, path, privs, true);
      if (!type || type === 'node')
        for (const n of knownNodes(world, ctx.node))
          if (may(`/nodes/${n}`, ['Sys.Audit'])) out.push(nodeResource(core, ctx.node, n));
      if (!type || type === 'storage')
        out.push(
          ...storageResources(core, ctx.node).filter((r) =>
            may(`/storage/${String(r.storage)}`, ['Datastore.Audit', 'Datastore.AllocateSpace']),
          ),
        );
      if (!type || type === 'vm') {
        const pools = accessState(core).pools;
        for (const r of guestResources(core, ctx.node)) {
          if (!may(`/vms/${String(r.vmid)}`, ['VM.Audit'])) continue;
          const pool = Object.entries(pools).find(([, p]) =>
            p.members.includes(`vms/${String(r.vmid)}`),
          )?.[0];
          out.push(pool ? { ...r, pool } : r);
        }
      }
      if (!type || type === 'pool')
        for (const id of Object.keys(accessState(core).pools))
          if (may(`/pool/${id}`, ['Pool.Audit', 'Pool.Allocate']))
            out.push({ id: `/pool/${id}`, type: 'pool', pool: id });
      return out;
    }),
    route('GET', '/cluster/config', () => [
      { name: 'apiversion' },
      { name: 'join' },
      { name: 'nodes' },
      { name: 'qdevice' },
      { name: 'totem' },
    ]),
    route('POST', '/cluster/config', (ctx) => {
      if (ctx.user !== 'root@pam') throw new SimApiError(403, 'Permission check failed (user != root@pam)');
      const task = createCluster(core, ctx.node, {
        clustername: req(ctx, 'clustername'),
        link0: str(ctx, 'link0'),
        nodeid: int(ctx, 'nodeid'),
        votes: int(ctx, 'votes'),
        tokenCoefficient: int(ctx, 'token-coefficient'),
        user: ctx.user,
      });
      return task.upid;
    }),
    route('GET', '/cluster/config/join', (ctx) => {
      const node = str(ctx, 'node') ?? ctx.node;
      if (!knownNodes(world, ctx.node).includes(node)) throw new SimApiError(500, `no such node '${node}'`);
      return joinInfo(core, node);
    }),
    route('POST', '/cluster/config/join', (ctx) => {
      if (ctx.user !== 'root@pam') throw new SimApiError(403, 'Permission check failed (user != root@pam)');
      const task = joinCluster(core, ctx.node, {
        hostname: req(ctx, 'hostname'),
        fingerprint: req(ctx, 'fingerprint'),
        password: req(ctx, 'password'),
        link0: str(ctx, 'link0'),
        nodeid: int(ctx, 'nodeid'),
        votes: int(ctx, 'votes'),
        force: bool(ctx, 'force'),
        user: ctx.user,
      });
      return task.upid;
    }),
    route('GET', '/cluster/config/nodes', (ctx) => {
      const cluster = core.state.cluster;
      if (!cluster?.nodes[ctx.node])
        throw new SimApiError(
          500,
          "Corosync config '/etc/pve/corosync.conf' does not exist - is this node part of a cluster?",
        );
      return Object.entries(cluster.nodes)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([node, c]) => ({
          node,
          name: node,
          nodeid: String(c.nodeid),
          quorum_votes: String(c.votes),
          ring0_addr: c.ip,
        }));
    }),
    // pve-cluster API2/ClusterConfig.pm: selected lines of corosync-qdevice's `status verbose`, {} without a QDevice.
    route('GET', '/cluster/config/qdevice', (ctx) => {
      const qdevice = core.state.cluster?.nodes[ctx.node] ? core.state.cluster.qdevice : undefined;
      if (!qdevice) return {};
      const alive = world.quorum(ctx.node)?.qdevice?.alive ?? false;
      return {
        Model: 'Net',
        'QNetd host': `${qdevice.ip}:5403`,
        Algorithm: 'Fifty-Fifty split',
        'Tie-breaker': 'Node with lowest node ID',
        State: alive ? 'Connected' : 'Connect failed',
      };
    }),
    route('DELETE', '/cluster/config/nodes/{node}', (ctx) => {
      if (ctx.user !== 'root@pam') throw new SimApiError(403, 'Permission check failed (user != root@pam)');
      deleteNode(core, ctx.node, req(ctx, 'node'));
      return null;
    }),
    route('GET', '/cluster/log', (ctx) => {
      const max = int(ctx, 'max') ?? 50;
      const visible = new Set(knownNodes(world, ctx.node));
      return core.state.clusterLog
        .filter((e) => visible.has(e.node))
        .slice(-max)
        .reverse()
        .map((e) => ({ ...e }));
    }),
    // A string in the JSON: pve-manager's loop uses the number as a hash key first, and Perl's
    // JSON encoder then writes the stringified scalar ("100"), as real nodes answer.
    route('GET', '/cluster/nextid', (ctx) => {
      const wanted = int(ctx, 'vmid');
      if (wanted !== undefined) {
        if (core.state.guests[String(wanted)]) throw paramError('vmid', `VM ${wanted} already exists`);
        return String(wanted);
      }
      return String(nextFreeVmid(core));
    }),
    route('GET', '/cluster/options', () => ({ ...(core.state.datacenterConfig ?? {}) })),
    route('PUT', '/cluster/options', (ctx) => {
      assertWritable(core, ctx.node);
      const cfg = (core.state.datacenterConfig ??= {});
      for (const key of list(ctx, 'delete')) delete cfg[key];
      for (const [key, value] of Object.entries(ctx.params)) {
        if (key === 'delete' || value === undefined || value === null) continue;
        cfg[key] = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
      }
      return null;
    }),
    route('GET', '/cluster/tasks', (ctx) => {
      const visible = knownNodes(world, ctx.node);
      return visible
        .flatMap((n) => core.state.tasks[n] ?? [])
        .sort((a, b) => b.starttime - a.starttime)
        .slice(0, 50)
        .map(taskListItem);
    }),
  ];
}
