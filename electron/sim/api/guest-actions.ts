/**
 * `/nodes/{node}/qemu|lxc/{vmid}/…` beyond the basics: snapshots, reboot/reset/suspend/resume,
 * resize, sendkey (VMs) and the migration pre-check (`GET …/migrate`).
 */
import {
  createSnapshot,
  deleteSnapshot,
  migratePrecheck,
  rebootGuest,
  resetGuest,
  resizeDisk,
  resumeGuest,
  rollbackSnapshot,
  sendKey,
  setSnapshotDescription,
  snapshotList,
  snapshotOrThrow,
  suspendGuest,
} from '../guest-actions.ts';
import { guestConfigView, guestOrThrow } from '../guest-config.ts';
import type { SimRequestContext, SimRoute } from '../http/route.ts';
import type { World } from '../world.ts';
import { bool, int, paramError, req, route, str, targetNode } from './support.ts';

type Kind = 'qemu' | 'lxc';

export function guestActionRoutes(world: World, kind: Kind): SimRoute[] {
  const core = world.core;
  const base = `/nodes/{node}/${kind}/{vmid}`;
  const at = (ctx: SimRequestContext): { node: string; vmid: number } => {
    const vmid = int(ctx, 'vmid');
    if (vmid === undefined) throw paramError('vmid', 'property is missing and it is not optional');
    return { node: targetNode(world, ctx), vmid };
  };
  const routes: SimRoute[] = [
    route('GET', `${base}/snapshot`, (ctx) => {
      const { node, vmid } = at(ctx);
      return snapshotList(core, node, kind, vmid);
    }),
    route('POST', `${base}/snapshot`, (ctx) => {
      const { node, vmid } = at(ctx);
      const description = str(ctx, 'description');
      const vmstate = bool(ctx, 'vmstate');
      return createSnapshot(core, node, kind, vmid, {
        snapname: req(ctx, 'snapname'),
        user: ctx.user,
        ...(description !== undefined ? { description } : {}),
        ...(vmstate !== undefined ? { vmstate } : {}),
      }).upid;
    }),
    route('GET', `${base}/snapshot/{snapname}`, (ctx) => {
      const { node, vmid } = at(ctx);
      snapshotOrThrow(guestOrThrow(core, node, vmid, kind), req(ctx, 'snapname'));
      return [
        { rel: 'child', href: 'config' },
        { rel: 'child', href: 'rollback' },
      ].map((l) => ({ ...l }));
    }),
    route('GET', `${base}/snapshot/{snapname}/config`, (ctx) => {
      const { node, vmid } = at(ctx);
      const g = guestOrThrow(core, node, vmid, kind);
      const snap = snapshotOrThrow(g, req(ctx, 'snapname'));
      const { digest: _digest, ...view } = guestConfigView({ ...g, config: snap.config });
      return {
        ...view,
        snaptime: snap.snaptime,
        ...(snap.description ? { description: snap.description } : {}),
        ...(snap.parent ? { parent: snap.parent } : {}),
        ...(snap.vmstate ? { vmstate: 1 } : {}),
      };
    }),
    route('PUT', `${base}/snapshot/{snapname}/config`, (ctx) => {
      const { node, vmid } = at(ctx);
      setSnapshotDescription(core, node, kind, vmid, req(ctx, 'snapname'), str(ctx, 'description'));
      return null;
    }),
    route('POST', `${base}/snapshot/{snapname}/rollback`, (ctx) => {
      const { node, vmid } = at(ctx);
      const start = bool(ctx, 'start');
      return rollbackSnapshot(core, node, kind, vmid, {
        snapname: req(ctx, 'snapname'),
        user: ctx.user,
        ...(start !== undefined ? { start } : {}),
      }).upid;
    }),
    route('DELETE', `${base}/snapshot/{snapname}`, (ctx) => {
      const { node, vmid } = at(ctx);
      const force = bool(ctx, 'force');
      return deleteSnapshot(core, node, kind, vmid, {
        snapname: req(ctx, 'snapname'),
        user: ctx.user,
        ...(force !== undefined ? { force } : {}),
      }).upid;
    }),
    route('POST', `${base}/status/reboot`, (ctx) => {
      const { node, vmid } = at(ctx);
      return rebootGuest(core, node, kind, vmid, ctx.user).upid;
    }),
    route('POST', `${base}/status/suspend`, (ctx) => {
      const { node, vmid } = at(ctx);
      return suspendGuest(core, node, kind, vmid, ctx.user, bool(ctx, 'todisk') ?? false).upid;
    }),
    route('POST', `${base}/status/resume`, (ctx) => {
      const { node, vmid } = at(ctx);
      return resumeGuest(core, node, kind, vmid, ctx.user).upid;
    }),
    route('PUT', `${base}/resize`, (ctx) => {
      const { node, vmid } = at(ctx);
      const digest = str(ctx, 'digest');
      return resizeDisk(core, node, kind, vmid, {
        disk: req(ctx, 'disk'),
        size: req(ctx, 'size'),
        user: ctx.user,
        ...(digest !== undefined ? { digest } : {}),
      }).upid;
    }),
    route('GET', `${base}/migrate`, (ctx) => {
      const { node, vmid } = at(ctx);
      return migratePrecheck(core, node, kind, vmid, str(ctx, 'target'));
    }),
  ];
  if (kind === 'qemu') {
    routes.push(
      route('POST', `${base}/status/reset`, (ctx) => {
        const { node, vmid } = at(ctx);
        return resetGuest(core, node, vmid, ctx.user).upid;
      }),
      route('PUT', `${base}/sendkey`, (ctx) => {
        const { node, vmid } = at(ctx);
        sendKey(core, node, vmid, req(ctx, 'key'));
        return null;
      }),
    );
  }
  return routes;
}
