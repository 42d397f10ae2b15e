/**
 * Per-node counts over the CRM's service status that the LRM and CRM loops ask for every few
 * seconds. Cached until the manager status changes (every change draws a new uid).
 */
import type { SimCore } from '../sim-core.ts';

interface ServiceIndex {
  version: number;
  table: object;
  /** Nodes with at least one service in state `fence`. */
  fenced: Set<string>;
  /** count_active_services per node. */
  active: Map<string, number>;
  /** Service ids by their current node, sorted. */
  byNode: Map<string, string[]>;
  /** Every current uid (results for other uids are stale). */
  uids: Set<string>;
}

let cache: ServiceIndex | undefined;

export function serviceIndex(core: SimCore): ServiceIndex {
  const ss = core.state.ha.manager.service_status;
  const version = core.state.ha.uidCounter;
  if (cache && cache.version === version && cache.table === ss) return cache;
  const fenced = new Set<string>();
  const active = new Map<string, number>();
  const byNode = new Map<string, string[]>();
  const uids = new Set<string>();
  const countTargets = core.state.pveMajor >= 9;
  for (const sid of Object.keys(ss).sort()) {
    const sd = ss[sid]!;
    uids.add(sd.uid);
    const list = byNode.get(sd.node);
    if (list) list.push(sid);
    else byNode.set(sd.node, [sid]);
    if (sd.state === 'fence') fenced.add(sd.node);
    if (
      sd.state === 'stopped' ||
      sd.state === 'freeze' ||
      sd.state === 'error' ||
      sd.state === 'request_start'
    )
      continue;
    active.set(sd.node, (active.get(sd.node) ?? 0) + 1);
    if (countTargets && sd.target && sd.target !== sd.node)
      active.set(sd.target, (active.get(sd.target) ?? 0) + 1);
  }
  cache = { version, table: ss, fenced, active, byNode, uids };
  return cache;
}
