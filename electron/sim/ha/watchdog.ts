/**
 * watchdog-mux: the CRM (as master) and the LRM (while active) are its clients. A client that is
 * not updated for 60 s makes watchdog-mux stop feeding /dev/watchdog, which resets the node 10 s
 * later. That is how a node without quorum fences itself.
 */
import type { SimCore } from '../sim-core.ts';

export const WATCHDOG_CLIENT_TIMEOUT_MS = 60_000;
export const HW_WATCHDOG_TIMEOUT_MS = 10_000;

export type WatchdogClient = 'crm' | 'lrm';

export function openWatchdog(core: SimCore, node: string, client: WatchdogClient): void {
  const n = core.state.nodes[node];
  if (!n) return;
  if (n.watchdog[client] === undefined) core.log(node, `pve-ha-${client}`, 'watchdog active');
  n.watchdog[client] = core.now();
  ensureWatchdogCheck(core, node);
}

export function feedWatchdog(core: SimCore, node: string, client: WatchdogClient): void {
  const n = core.state.nodes[node];
  if (!n || n.watchdog[client] === undefined) return;
  n.watchdog[client] = core.now();
}

export function closeWatchdog(core: SimCore, node: string, client: WatchdogClient): void {
  const n = core.state.nodes[node];
  if (!n || n.watchdog[client] === undefined) return;
  n.watchdog[client] = undefined;
  core.log(node, `pve-ha-${client}`, 'watchdog closed (disabled)');
}

function resetAt(core: SimCore, node: string): number | undefined {
  const w = core.state.nodes[node]?.watchdog;
  if (!w) return undefined;
  const fed = [w.crm, w.lrm].filter((x): x is number => x !== undefined);
  if (fed.length === 0) return undefined;
  return Math.min(...fed) + WATCHDOG_CLIENT_TIMEOUT_MS + HW_WATCHDOG_TIMEOUT_MS;
}

export function ensureWatchdogCheck(core: SimCore, node: string): void {
  const at = resetAt(core, node);
  if (at === undefined || core.hasPending('watchdog', (e) => e.node === node)) return;
  core.at(at, 'watchdog', { node, bootId: core.state.nodes[node]!.bootId });
}

/**
 * Agenda handler. Returns true when the node must be reset now (the caller power-cycles it).
 */
export function watchdogCheck(core: SimCore, node: string, bootId: number): boolean {
  const n = core.state.nodes[node];
  if (!n || n.bootId !== bootId || n.power === 'off') return false;
  const at = resetAt(core, node);
  if (at === undefined) return false;
  if (core.now() >= at) {
    core.log(node, 'watchdog-mux', 'client watchdog expired - disable watchdog updates');
    return true;
  }
  core.at(at, 'watchdog', { node, bootId });
  return false;
}
