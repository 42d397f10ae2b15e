/**
 * The routes QEMU VMs and LXC containers share (`/nodes/{node}/qemu|lxc/…`): list, create,
 * config, destroy, status, start/stop/shutdown, migrate. qemu.ts and lxc.ts add their own.
 */
import {
  bootDiskBytes,
  configDigest,
  createGuest,
  destroyGuest,
  guestConfigView,
  guestOrThrow,
  requestMigrate,
  requestShutdown,
  requestStart,
  requestStop,
  updateGuestConfig,
} from '../guest-config.ts';
import { sidOf } from '../guests.ts';
import { addResource } from '../ha/resources-config.ts';
import { verboseServiceState } from '../ha/status-view.ts';
import { SimApiError, type SimRequestContext, type SimRoute } from '../http/route.ts';
import type { SimCore } from '../sim-core.ts';
import type { GuestState } from '../state.ts';
import { findVolume } from '../storage.ts';
import { finishTask, startTask, taskLog } from '../tasks.ts';
import type { World } from '../world.ts';
import { accessState, hasPrivileges } from '../access.ts';
import { guestActionRoutes } from './guest-actions.ts';
import { bool, configParams, int, list, MIB, paramError, req, route, str, targetNode } from './support.ts';

type Kind = 'qemu' | 'lxc';

const NOT_CONFIG = [
  'vmid',
  'node',
  'start',
  'ha-managed',
  'digest',
  'delete',
  'revert',
  'skiplock',
  'background_delay',
  'purge',
  'destroy-unreferenced-disks',
  'pool',
  'unique',
  'archive',
  'force',
  'storage',
  'password',
  'ssh-public-keys',
  'restore',
  'unprivileged-ignored',
  'live-restore',
  'bwlimit',
  'ignore-unpack-errors',
];

export function haView(core: SimCore, g: GuestState): Record<string, unknown> {
  const sid = sidOf(g);
  const res = core.state.ha.resources[sid];
  if (!res) return { managed: 0 };
  return {
    managed: 1,
    state: verboseServiceState(core, sid, core.state.ha.manager.service_status[sid]),
    ...(res.group ? { group: res.group } : {}),
  };
}

function vmidOf(ctx: SimRequestContext): number {
  const vmid = int(ctx, 'vmid');
  if (vmid === undefined) throw paramError('vmid', 'property is missing and it is not optional');
  return vmid;
}

function listItem(core: SimCore, g: GuestState): Record<string, unknown> {
  const mem = Number(g.config.memory ?? 512) * MIB;
  return {
    vmid: g.vmid,
    name: g.config.name ?? g.config.hostname ?? '',
    status: g.running ? 'running' : 'stopped',
    maxmem: mem,
    mem: g.running ? Math.floor(mem * 0.4) : 0,
    maxdisk: g.type === 'qemu' ? bootDiskBytes(g.config) : 8 * 1024 * MIB,
    disk: 0,
    cpus: Number(g.config.cores ?? 1),
    cpu: g.running ? 0.01 : 0,
    uptime: g.running ? Math.floor((core.now() - g.startedAt) / 1000) : 0,
    netin: 0,
    netout: 0,
    diskread: 0,
    diskwrite: 0,
    ...(g.type === 'lxc' ? { type: 'lxc', maxswap: Number(g.config.swap ?? 512) * MIB, swap: 0 } : {}),
    ...(g.running ? { pid: 1000 + g.vmid } : {}),
    ...(g.lock ? { lock: g.lock } : {}),
  };
}

export function guestRoutes(world: World, kind: Kind): SimRoute[] {
  const core = world.core;
  const base = `/nodes/{node}/${kind}`;
  const guest = (ctx: SimRequestContext): { node: string; g: GuestState } => {
    const node = targetNode(world, ctx);
    return { node, g: guestOrThrow(core, node, vmidOf(ctx), kind) };
  };
  return [
    route('GET', base, (ctx) => {
      const node = targetNode(world, ctx);
      return Object.values(core.state.guests)
        .filter((g) => g.type === kind && g.node === node)
        .filter((g) => hasPrivileges(core, ctx.user, `/vms/${g.vmid}`, ['VM.Audit']))
        .sort((a, b) => a.vmid - b.vmid)
        .map((g) => listItem(core, g));
    }),
    route('POST', base, (ctx) => {
      const node = targetNode(world, ctx);
      const vmid = vmidOf(ctx);
      const config = configParams(ctx, NOT_CONFIG);
      if (kind === 'lxc') {
        const template = req(ctx, 'ostemplate');
        if (!findVolume(core, template, node))
          throw new SimApiError(500, `volume '${template}' does not exist`);
        config.rootfs ??= `${str(ctx, 'storage') ?? 'local'}:4`;
      } else {
        for (const v of Object.values(config)) {
          const volid = v.split(',')[0] ?? '';
          if (v.includes('media=cdrom') && volid.includes(':') && !findVolume(core, volid, node))
            throw new SimApiError(500, `volume '${volid}' does not exist`);
        }
      }
      if (bool(ctx, 'ha-managed') && world.version().release !== '9.1')
        throw paramError(
          'ha-managed',
          'property is not defined in schema and the schema does not allow additional properties',
        );
      const pool = str(ctx, 'pool');
      if (pool !== undefined && !accessState(core).pools[pool])
        throw new SimApiError(500, `pool '${pool}' does not exist`);
      const task = createGuest(core, node, kind, { vmid, config, start: false, user: ctx.user });
      if (task.exitstatus === 'OK') {
        if (pool !== undefined) accessState(core).pools[pool]!.members.push(`vms/${vmid}`);
        if (bool(ctx, 'ha-managed')) addResource(core, node, `${kind === 'qemu' ? 'vm' : 'ct'}:${vmid}`, {});
        if (bool(ctx, 'start')) requestStart(core, node, kind, vmid, ctx.user);
      }
      return task.upid;
    }),
    route('GET', `${base}/{vmid}`, (ctx) => {
      guest(ctx);
      const dirs =
        kind === 'qemu'
          ? ['config', 'pending', 'status', 'migrate', 'agent', 'snapshot', 'firewall', 'rrd']
          : ['config', 'pending', 'status', 'migrate', 'snapshot', 'firewall', 'rrd'];
      return dirs.map((subdir) => ({ subdir }));
    }),
    route('DELETE', `${base}/{vmid}`, (ctx) => {
      const { node, g } = guest(ctx);
      const sid = sidOf(g);
      if (bool(ctx, 'purge') && core.state.ha.resources[sid]) delete core.state.ha.resources[sid];
      return destroyGuest(core, node, kind, g.vmid, ctx.user).upid;
    }),
    route('GET', `${base}/{vmid}/config`, (ctx) => guestConfigView(guest(ctx).g)),
    route('PUT', `${base}/{vmid}/config`, (ctx) => {
      const { node, g } = guest(ctx);
      updateGuestConfig(
        core,
        node,
        kind,
        g.vmid,
        configParams(ctx, NOT_CONFIG),
        list(ctx, 'delete'),
        str(ctx, 'digest'),
      );
      return null;
    }),
    ...(kind === 'qemu'
      ? [
          // The asynchronous variant: the same checks first, then the change in a `qmconfig` task.
          route('POST', `${base}/{vmid}/config`, (ctx) => {
            const { node, g } = guest(ctx);
            const changes = configParams(ctx, NOT_CONFIG);
            const deletes = list(ctx, 'delete');
            updateGuestConfig(core, node, kind, g.vmid, changes, deletes, str(ctx, 'digest'));
            const task = startTask(core, node, 'qmconfig', String(g.vmid), ctx.user);
            const args = [
              ...(deletes.length > 0 ? [`-delete ${deletes.join(',')}`] : []),
              ...Object.keys(changes).map((key) => `-${key} ${g.config[key] ?? changes[key]}`),
            ];
            taskLog(task, `update VM ${g.vmid}: ${args.join(' ')}`);
            finishTask(core, task);
            return task.upid;
          }),
        ]
      : []),
    route('GET', `${base}/{vmid}/status`, (ctx) => {
      guest(ctx);
      return ['current', 'start', 'stop', 'shutdown', 'reboot', 'suspend', 'resume'].map((subdir) => ({
        subdir,
      }));
    }),
    route('GET', `${base}/{vmid}/status/current`, (ctx) => {
      const { g } = guest(ctx);
      const item = listItem(core, g);
      const out: Record<string, unknown> = {
        ...item,
        ha: haView(core, g),
        digest: configDigest(g),
      };
      if (kind === 'qemu') {
        out.qmpstatus = g.running ? (g.paused ? 'paused' : 'running') : 'stopped';
        out.agent = /^(1|enabled=1)/.test(g.config.agent ?? '') ? 1 : 0;
        out['running-machine'] = g.running ? 'pc-i440fx-9.2+pve1' : undefined;
        out['running-qemu'] = g.running ? '9.2.0' : undefined;
      }
      return out;
    }),
    route('POST', `${base}/{vmid}/status/start`, (ctx) => {
      const { node, g } = guest(ctx);
      return requestStart(core, node, kind, g.vmid, ctx.user).upid;
    }),
    route('POST', `${base}/{vmid}/status/stop`, (ctx) => {
      const { node, g } = guest(ctx);
      return requestStop(core, node, kind, g.vmid, ctx.user).upid;
    }),
    route('POST', `${base}/{vmid}/status/shutdown`, (ctx) => {
      const { node, g } = guest(ctx);
      const forceStop = bool(ctx, 'forceStop');
      return requestShutdown(core, node, kind, g.vmid, ctx.user, {
        ...(int(ctx, 'timeout') !== undefined ? { timeout: int(ctx, 'timeout') } : {}),
        ...(forceStop !== undefined ? { forceStop } : {}),
      }).upid;
    }),
    route('POST', `${base}/{vmid}/migrate`, (ctx) => {
      const { node, g } = guest(ctx);
      return requestMigrate(core, node, kind, g.vmid, ctx.user, {
        target: req(ctx, 'target'),
        online: bool(ctx, 'online') ?? false,
        withLocalDisks: bool(ctx, 'with-local-disks') ?? false,
        restart: bool(ctx, 'restart') ?? false,
      }).upid;
    }),
    ...guestActionRoutes(world, kind),
  ];
}
