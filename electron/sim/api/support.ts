/**
 * Shared plumbing of the REST handlers: model errors → Proxmox-style SimApiError, parameter
 * readers (the server already validated and coerced them; these only narrow types), and the
 * node addressing rules of a cluster (a node can act for the nodes of its own cluster).
 */
import { ClusterConfigError } from '../cluster-config.ts';
import { GuestError } from '../guest-config.ts';
import { HaConfigError } from '../ha/resources-config.ts';
import { HardwareError } from '../hardware.ts';
import { SimApiError, type SimRequestContext, type SimRoute } from '../http/route.ts';
import { PmxcfsReadOnlyError } from '../pmxcfs.ts';
import type { World } from '../world.ts';

export function toApiError(e: unknown): SimApiError {
  if (e instanceof SimApiError) return e;
  if (e instanceof HaConfigError) {
    return e.param && e.status === 400
      ? new SimApiError(400, 'Parameter verification failed.', { [e.param]: e.message })
      : new SimApiError(e.status, e.message);
  }
  if (e instanceof GuestError) {
    return e.param && e.status === 400
      ? new SimApiError(400, 'Parameter verification failed.', { [e.param]: e.message })
      : new SimApiError(e.status, e.message);
  }
  if (e instanceof ClusterConfigError) {
    return e.param
      ? new SimApiError(400, 'Parameter verification failed.', { [e.param]: e.message })
      : new SimApiError(500, e.message);
  }
  if (e instanceof PmxcfsReadOnlyError || e instanceof HardwareError) return new SimApiError(500, e.message);
  if (
    e instanceof Error &&
    !(e instanceof TypeError) &&
    !(e instanceof RangeError) &&
    !(e instanceof ReferenceError)
  )
    return new SimApiError(500, e.message);
  throw e;
}

export function route(
  method: SimRoute['method'],
  path: string,
  handle: (ctx: SimRequestContext) => unknown,
): SimRoute {
  return {
    method,
    path,
    handle(ctx) {
      try {
        return handle(ctx);
      } catch (e) {
        throw toApiError(e);
      }
    },
  };
}

export function paramError(param: string, message: string): SimApiError {
  return new SimApiError(400, 'Parameter verification failed.', { [param]: message });
}

export function str(ctx: SimRequestContext, name: string): string | undefined {
  const v = ctx.params[name] ?? ctx.pathParams[name];
  return v === undefined || v === null ? undefined : String(v);
}

export function req(ctx: SimRequestContext, name: string): string {
  const v = str(ctx, name);
  if (v === undefined) throw paramError(name, 'property is missing and it is not optional');
  return v;
}

export function int(ctx: SimRequestContext, name: string): number | undefined {
  const v = str(ctx, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw paramError(name, `type check ('integer') failed - got '${v}'`);
  return n;
}

export function bool(ctx: SimRequestContext, name: string): boolean | undefined {
  const v = ctx.params[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  const s = String(v).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  throw paramError(name, `type check ('boolean') failed - got '${String(v)}'`);
}

/** `delete` parameter: a comma/space separated list of option names. */
export function list(ctx: SimRequestContext, name: string): string[] {
  const v = ctx.params[name];
  if (v === undefined || v === null) return [];
  const items = Array.isArray(v) ? v.map(String) : String(v).split(/[,;\s]+/);
  return items.filter(Boolean);
}

/** The nodes the local node knows: its cluster, or only itself when standalone. */
export function knownNodes(world: World, local: string): string[] {
  const cluster = world.core.state.cluster;
  if (cluster?.nodes[local]) return Object.keys(cluster.nodes).sort();
  return [local];
}

/** The `{node}` of a node-scoped path, checked the way pveproxy resolves it. */
export function targetNode(world: World, ctx: SimRequestContext): string {
  const node = ctx.pathParams.node ?? ctx.node;
  if (!knownNodes(world, ctx.node).includes(node))
    throw new SimApiError(
      500,
      `hostname lookup '${node}' failed - failed to get address info for: ${node}: Name or service not known`,
    );
  return node;
}

/** Keys of params that look like indexed options (`net0`, `scsi1`, `link0`…), plus plain ones. */
export function configParams(ctx: SimRequestContext, skip: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(ctx.params)) {
    if (skip.includes(k) || v === undefined || v === null) continue;
    out[k] = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  }
  return out;
}

export const MIB = 1024 * 1024;
