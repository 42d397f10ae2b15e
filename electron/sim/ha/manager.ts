/**
 * One round of the CRM master (pve-ha-manager `Manager::manage`): node states, service state
 * machine, fencing and recovery. Runs every 10 s on the master.
 */
import type { SimCore } from '../sim-core.ts';
import type { HaServiceState, HaNodeState } from '../world-types.ts';
import type { ServiceStatus } from '../state.ts';
import { tryAgentLock } from './locks.ts';
import { selectServiceNode, type SelectionPreference } from './node-selection.ts';
import { failbackOf, nodeAffinityOf, resourceAffinityOf } from './resources-config.ts';

export const FENCE_DELAY_MS = 60_000;

const CRM = 'pve-ha-crm';

/** States in which a service counts on its node for the basic scheduler. */
const COUNT_ON_NODE = new Set<HaServiceState>([
  'started',
  'request_stop',
  'fence',
  'freeze',
  'error',
  'recovery',
  'migrate',
  'relocate',
]);
const COUNT_ON_TARGET = new Set<HaServiceState>(['migrate', 'relocate']);

export function newUid(core: SimCore): string {
  core.state.ha.uidCounter++;
  return core.state.ha.uidCounter.toString(36).padStart(8, '0') + Math.floor(core.now() / 1000).toString(36);
}

interface RoundContext {
  core: SimCore;
  master: string;
  members: Set<string>;
  scoresCache?: Record<string, number>;
}

function setNodeState(ctx: RoundContext, node: string, state: HaNodeState): void {
  const ns = ctx.core.state.ha.manager.node_status;
  const old = ns[node];
  if (old === state) return;
  ns[node] = state;
  ctx.core.log(ctx.master, CRM, `node '${node}': state changed from '${old ?? 'unknown'}' => '${state}'`);
  ctx.core.transition(`node:${node}`, old ?? 'unknown', state);
}

function changeServiceState(
  ctx: RoundContext,
  sid: string,
  state: HaServiceState,
  params: Partial<Pick<ServiceStatus, 'node' | 'target' | 'timeout' | 'maintenance_node'>> = {},
): void {
  const ss = ctx.core.state.ha.manager.service_status;
  const old = ss[sid]!;
  const next: ServiceStatus = { state, node: old.node, uid: newUid(ctx.core) };
  if (old.failed_nodes) next.failed_nodes = old.failed_nodes;
  if (old.maintenance_node) next.maintenance_node = old.maintenance_node;
  Object.assign(next, params);
  ss[sid] = next;
  ctx.scoresCache = undefined;
  const extra = params.target
    ? `  (node = ${next.node}, target = ${params.target})`
    : `  (node = ${next.node})`;
  ctx.core.log(ctx.master, CRM, `service '${sid}': state changed from '${old.state}' to '${state}'${extra}`);
  ctx.core.transition(sid, old.state, state);
}

function isOnline(ctx: RoundContext, node: string): boolean {
  return ctx.members.has(node);
}

function offlineDelayed(ctx: RoundContext, node: string): boolean {
  if (isOnline(ctx, node)) return false;
  const last = ctx.core.state.ha.lastOnline;
  if (last[node] === undefined) {
    last[node] = ctx.core.now();
    return false;
  }
  return ctx.core.now() - last[node] >= FENCE_DELAY_MS;
}

function onlineNodes(ctx: RoundContext): string[] {
  const ns = ctx.core.state.ha.manager.node_status;
  return Object.keys(ns)
    .filter((n) => ns[n] === 'online')
    .sort();
}

function scores(ctx: RoundContext): Record<string, number> {
  if (ctx.scoresCache) return ctx.scoresCache;
  const out: Record<string, number> = {};
  for (const n of onlineNodes(ctx)) out[n] = 0;
  for (const sd of Object.values(ctx.core.state.ha.manager.service_status)) {
    if (COUNT_ON_NODE.has(sd.state) && out[sd.node] !== undefined) out[sd.node]!++;
    if (sd.target && COUNT_ON_TARGET.has(sd.state) && out[sd.target] !== undefined) out[sd.target]!++;
  }
  ctx.scoresCache = out;
  return out;
}

/**
 * Rules/ResourceAffinity.pm `get_resource_affinity` over Usage.pm `get_used_service_nodes`: the
 * online nodes partners use — for positive affinity a moving partner's target only, for negative
 * affinity both its current and its target node.
 */
function partnerNodes(
  ctx: RoundContext,
  positive: string[],
  negative: string[],
): { together: Record<string, number>; separate: string[] } {
  const ss = ctx.core.state.ha.manager.service_status;
  const online = new Set(onlineNodes(ctx));
  const used = (sid: string): { current?: string; target?: string } => {
    const sd = ss[sid];
    if (!sd || sd.state === 'stopped' || sd.state === 'request_start') return {};
    const moving = sd.state === 'migrate' || sd.state === 'relocate';
    return {
      ...(online.has(sd.node) ? { current: sd.node } : {}),
      ...(moving && sd.target && online.has(sd.target) ? { target: sd.target } : {}),
    };
  };
  const together: Record<string, number> = {};
  for (const sid of positive) {
    const { current, target } = used(sid);
    const node = target ?? current;
    if (node !== undefined) together[node] = (together[node] ?? 0) + 1;
  }
  const separate = new Set<string>();
  for (const sid of negative) {
    const { current, target } = used(sid);
    if (current !== undefined) separate.add(current);
    if (target !== undefined) separate.add(target);
  }
  return { together, separate: [...separate] };
}

function select(
  ctx: RoundContext,
  sid: string,
  sd: ServiceStatus,
  pref: SelectionPreference,
): string | undefined {
  const aff = resourceAffinityOf(ctx.core, sid);
  const { together, separate } = partnerNodes(ctx, aff.positive, aff.negative);
  return selectServiceNode({
    currentNode: sd.node,
    onlineNodes: onlineNodes(ctx),
    affinity: nodeAffinityOf(ctx.core, sid),
    failback: failbackOf(ctx.core, sid),
    pref,
    failedNodes: sd.failed_nodes ?? [],
    maintenanceNode: sd.maintenance_node,
    separate,
    together,
    scores: () => scores(ctx),
  });
}

function lrmResult(ctx: RoundContext, sd: ServiceStatus): number | undefined {
  return ctx.core.state.nodes[sd.node]?.lrm.results[sd.uid]?.exitCode;
}

/** The mode in the node's lrm_status file (the last one its LRM wrote, even if it is dead now). */
function lrmMode(ctx: RoundContext, node: string): string | undefined {
  return ctx.core.state.ha.lrmModes[node];
}

function updateNodeStatus(ctx: RoundContext): void {
  const cluster = ctx.core.state.cluster!;
  const ns = ctx.core.state.ha.manager.node_status;
  for (const node of Object.keys(cluster.nodes).sort()) {
    const state = ns[node];
    const mode = lrmMode(ctx, node);
    if (isOnline(ctx, node)) {
      ctx.core.state.ha.lastOnline[node] = ctx.core.now();
      if (state === undefined || state === 'unknown' || state === 'gone') setNodeState(ctx, node, 'online');
      else if (state === 'online' && mode === 'maintenance') setNodeState(ctx, node, 'maintenance');
      else if (state === 'maintenance' && mode !== 'maintenance') setNodeState(ctx, node, 'online');
    } else {
      if (state === undefined) ns[node] = 'unknown';
      else if (state === 'online') setNodeState(ctx, node, 'unknown');
      else if (state === 'maintenance' && mode !== 'maintenance') setNodeState(ctx, node, 'unknown');
    }
  }
  for (const node of Object.keys(ns)) if (!cluster.nodes[node]) delete ns[node];
}

function syncServices(ctx: RoundContext): void {
  const { core } = ctx;
  const ss = core.state.ha.manager.service_status;
  const resources = core.state.ha.resources;
  for (const [sid, cfg] of Object.entries(resources)) {
    if (cfg.state === 'ignored') {
      if (ss[sid]) {
        delete ss[sid];
        core.state.ha.uidCounter++;
      }
      continue;
    }
    if (ss[sid]) continue;
    const guest = core.state.guests[sid.split(':')[1] ?? ''];
    if (!guest) continue;
    const state: HaServiceState = cfg.state === 'started' ? 'request_start' : 'request_stop';
    ss[sid] = { state, node: guest.node, uid: newUid(core) };
    core.log(ctx.master, CRM, `adding new service '${sid}' on node '${guest.node}'`);
    core.transition(sid, 'none', state);
  }
  for (const sid of Object.keys(ss)) {
    if (!resources[sid]) {
      core.log(ctx.master, CRM, `removing stale service '${sid}' (no config)`);
      core.transition(sid, ss[sid]!.state, 'none');
      delete ss[sid];
      core.state.ha.uidCounter++;
    }
  }
}

function processCommands(ctx: RoundContext): void {
  const { core } = ctx;
  const ha = core.state.ha;
  const commands = ha.crmCommands;
  ha.crmCommands = [];
  for (const line of commands) {
    const [cmd, a, b] = line.split(' ');
    if (cmd === 'migrate' || cmd === 'relocate') {
      // Manager.pm update_crm_commands + queue_resource_motion.
      const sid = a ?? '';
      const target = b ?? '';
      const sd = ha.manager.service_status[sid];
      if (!sd) core.log(ctx.master, CRM, `crm command error - no such service: ${line}`);
      else if (ha.manager.node_status[target] !== 'online' || !isOnline(ctx, target))
        core.log(ctx.master, CRM, `crm command error - node not online: ${line}`);
      else if (target === sd.node)
        core.log(ctx.master, CRM, `ignore crm command - service already on target node: ${line}`);
      else queueResourceMotion(ctx, line, cmd, sid, target);
    } else if (cmd === 'stop') {
      const sd = ha.manager.service_status[a ?? ''];
      const res = ha.resources[a ?? ''];
      if (!sd || !res) continue;
      if (sd.state === 'started' || sd.state === 'request_start') {
        res.state = 'stopped';
        changeServiceState(ctx, a!, 'request_stop', { timeout: Number(b ?? 0) });
      } else {
        res.state = 'stopped';
      }
    } else if (cmd === 'enable-node-maintenance' || cmd === 'disable-node-maintenance') {
      const node = a ?? '';
      if (!core.state.cluster?.nodes[node]) {
        core.log(ctx.master, CRM, `ignore crm command - node '${node}' does not exist`);
        continue;
      }
      if (cmd === 'enable-node-maintenance') ha.manager.node_request[node] = { maintenance: true };
      else delete ha.manager.node_request[node];
    }
  }
}

/**
 * A manual migrate/relocate: refused while a service in negative affinity sits on (or moves to)
 * the target; partners in positive affinity are moved along.
 */
function queueResourceMotion(
  ctx: RoundContext,
  line: string,
  cmd: 'migrate' | 'relocate',
  sid: string,
  target: string,
): void {
  const { core } = ctx;
  const ss = core.state.ha.manager.service_status;
  const { positive, negative } = resourceAffinityOf(core, sid);
  for (const other of [...negative].sort()) {
    const sd = ss[other];
    if (!sd) continue;
    // Upstream's checks, as written: a partner elsewhere, or moving elsewhere, does not block.
    if (sd.node && sd.node !== target) continue;
    if (sd.target && sd.target !== target) continue;
    core.log(
      ctx.master,
      CRM,
      `crm command '${line}' error - service '${other}' on node '${target}' in negative affinity with service '${sid}'`,
    );
    return;
  }
  core.log(ctx.master, CRM, `got crm command: ${line}`);
  ss[sid]!.cmd = { cmd, target };
  for (const other of [...positive].sort()) {
    const sd = ss[other];
    if (!sd || sd.node === target || sd.target === target) continue;
    core.log(
      ctx.master,
      CRM,
      `crm command '${line}' - ${cmd} service '${other}' to node '${target}' (service '${other}' in positive affinity with service '${sid}')`,
    );
    sd.cmd = { cmd, target };
  }
}

function nextStateStopped(ctx: RoundContext, sid: string, sd: ServiceStatus): void {
  const { core } = ctx;
  const cfg = core.state.ha.resources[sid]!;
  const guest = core.state.guests[sid.split(':')[1] ?? ''];
  if (guest && guest.node !== sd.node) {
    sd.node = guest.node;
    core.state.ha.uidCounter++; // indexes over the service status are stale now
  }
  if (sd.cmd) {
    const { cmd, target } = sd.cmd;
    delete sd.cmd;
    if (!isOnline(ctx, target) || core.state.ha.manager.node_status[target] !== 'online')
      core.log(ctx.master, CRM, `ignore service '${sid}' ${cmd} request - node '${target}' not online`);
    else if (target === sd.node)
      core.log(
        ctx.master,
        CRM,
        `ignore service '${sid}' ${cmd} request - service already on node '${target}'`,
      );
    else return changeServiceState(ctx, sid, cmd, { target });
  }
  if (cfg.state === 'disabled') return;
  if (offlineDelayed(ctx, sd.node) && core.state.ha.manager.node_status[sd.node] !== 'maintenance')
    return changeServiceState(ctx, sid, 'fence');
  if (cfg.state === 'stopped') return;
  if (cfg.state === 'started') return changeServiceState(ctx, sid, 'request_start');
}

function nextStateRequestStop(ctx: RoundContext, sid: string, sd: ServiceStatus): void {
  if (offlineDelayed(ctx, sd.node)) return changeServiceState(ctx, sid, 'fence');
  const res = lrmResult(ctx, sd);
  if (res === undefined) return;
  if (res === 0) return changeServiceState(ctx, sid, 'stopped');
  ctx.core.log(ctx.master, CRM, `service '${sid}' stop failed (exit code ${res})`);
  changeServiceState(ctx, sid, 'error');
}

function nextStateMigrate(ctx: RoundContext, sid: string, sd: ServiceStatus): void {
  if (offlineDelayed(ctx, sd.node)) return changeServiceState(ctx, sid, 'fence');
  const res = lrmResult(ctx, sd);
  if (res === undefined) return;
  const cfg = ctx.core.state.ha.resources[sid]!;
  if (res === 0) {
    const target = sd.target!;
    if (cfg.state === 'started') return changeServiceState(ctx, sid, 'started', { node: target });
    return changeServiceState(ctx, sid, 'request_stop', { node: target });
  }
  ctx.core.log(ctx.master, CRM, `service '${sid}' - migration failed (exit code ${res})`);
  changeServiceState(ctx, sid, 'started', { node: sd.node });
}

function nextStateStarted(ctx: RoundContext, sid: string, sd: ServiceStatus): void {
  const { core } = ctx;
  const ns = core.state.ha.manager.node_status;
  const cfg = core.state.ha.resources[sid]!;
  if (!isOnline(ctx, sd.node)) {
    if (offlineDelayed(ctx, sd.node)) changeServiceState(ctx, sid, 'fence');
    return;
  }
  if (ns[sd.node] === 'maintenance' && !sd.maintenance_node) sd.maintenance_node = sd.node;
  if (cfg.state === 'stopped' || cfg.state === 'disabled')
    return changeServiceState(ctx, sid, 'request_stop');
  if (sd.cmd) {
    const { cmd, target } = sd.cmd;
    delete sd.cmd;
    if (ns[target] !== 'online')
      core.log(ctx.master, CRM, `ignore service '${sid}' ${cmd} request - node '${target}' not online`);
    else if (target === sd.node)
      core.log(
        ctx.master,
        CRM,
        `ignore service '${sid}' ${cmd} request - service already on node '${target}'`,
      );
    else return changeServiceState(ctx, sid, cmd, { target });
  }
  const res = lrmResult(ctx, sd);
  let tryNext = false;
  if (res !== undefined) {
    if (res === 0) {
      sd.running = true;
      delete sd.failed_nodes;
    } else if (res === 1) {
      sd.running = false;
      const failed = (sd.failed_nodes ??= []);
      if (!failed.includes(sd.node)) failed.push(sd.node);
      if (failed.length <= cfg.max_relocate) {
        tryNext = true;
      } else {
        core.log(ctx.master, CRM, `service '${sid}' got unrecoverable error (exit code ${res})`);
        return changeServiceState(ctx, sid, 'error');
      }
    } else {
      core.log(ctx.master, CRM, `service '${sid}' got unrecoverable error (exit code ${res})`);
      return changeServiceState(ctx, sid, 'error');
    }
  }
  const node = select(ctx, sid, sd, tryNext ? 'try-next' : 'none');
  if (node && node !== sd.node) {
    const kind = sid.startsWith('vm:') ? 'migrate' : 'relocate';
    core.log(
      ctx.master,
      CRM,
      `${kind} service '${sid}' to node '${node}'${kind === 'migrate' ? ' (running)' : ''}`,
    );
    return changeServiceState(ctx, sid, kind, { target: node });
  }
  if (tryNext && !node)
    core.log(
      ctx.master,
      CRM,
      `Start Error Recovery: Tried all available nodes for service '${sid}', retry start on current node. Tried nodes: ${(sd.failed_nodes ?? []).join(', ')}`,
    );
  if (sd.maintenance_node && sd.node === sd.maintenance_node && ns[sd.node] === 'online')
    delete sd.maintenance_node;
  // Ensure the service is started again if it went down unexpectedly, without losing a result.
  if (res !== undefined) sd.uid = newUid(core);
}

function nextStateRecovery(ctx: RoundContext, sid: string, sd: ServiceStatus): void {
  const { core } = ctx;
  const cfg = core.state.ha.resources[sid]!;
  const node = select(ctx, sid, sd, 'best-score');
  if (!node) {
    core.log(
      ctx.master,
      CRM,
      `recovering service '${sid}' from fenced node '${sd.node}' failed, no recovery node found`,
    );
    if (cfg.state === 'disabled') changeServiceState(ctx, sid, 'stopped');
    return;
  }
  core.log(ctx.master, CRM, `recover service '${sid}' from fenced node '${sd.node}' to node '${node}'`);
  // steal_service: move the guest config to the new node; disks stay where they are.
  const guest = core.state.guests[sid.split(':')[1] ?? ''];
  if (guest) {
    // Only the config moves. A still-running process on the old node would be a split brain:
    // fencing exists to make that impossible, and the model keeps it visible if it ever happened.
    guest.node = node;
    guest.lock = undefined;
  }
  if (cfg.state === 'started') changeServiceState(ctx, sid, 'started', { node });
  else changeServiceState(ctx, sid, 'request_stop', { node });
}

function nextStateFreeze(ctx: RoundContext, sid: string, sd: ServiceStatus): void {
  if (lrmMode(ctx, sd.node) !== 'active' || !isOnline(ctx, sd.node)) return;
  const cfg = ctx.core.state.ha.resources[sid]!;
  changeServiceState(ctx, sid, cfg.state === 'started' ? 'started' : 'request_stop');
}

function nextStateError(ctx: RoundContext, sid: string): void {
  const cfg = ctx.core.state.ha.resources[sid]!;
  if (cfg.state === 'disabled') {
    ctx.core.log(ctx.master, CRM, `service '${sid}': clearing error flag`);
    const sd = ctx.core.state.ha.manager.service_status[sid]!;
    delete sd.failed_nodes;
    changeServiceState(ctx, sid, 'stopped');
  }
}

function fenceNode(ctx: RoundContext, node: string): boolean {
  const ns = ctx.core.state.ha.manager.node_status;
  if (ns[node] !== 'fence') {
    setNodeState(ctx, node, 'fence');
    ctx.core.clusterLog(ctx.master, CRM, `Try to fence node '${node}'`, { pri: 3 });
  }
  if (tryAgentLock(ctx.core, node, ctx.master)) {
    ctx.core.clusterLog(ctx.master, CRM, `fencing: acknowledged - got agent lock for node '${node}'`);
    setNodeState(ctx, node, 'unknown');
    return true;
  }
  return false;
}

/** The master's round. */
export function manage(core: SimCore, master: string): void {
  const ms = core.state.ha.manager;
  const ctx: RoundContext = { core, master, members: new Set(core.state.membership[master] ?? []) };
  ms.master_node = master;
  ms.timestamp = core.now();
  updateNodeStatus(ctx);
  syncServices(ctx);
  processCommands(ctx);
  const ss = ms.service_status;

  for (let round = 0; round < 5; round++) {
    let repeat = false;
    for (const sid of Object.keys(ss).sort()) {
      const sd = ss[sid];
      if (!sd || !core.state.ha.resources[sid]) continue;
      switch (sd.state) {
        case 'stopped':
          nextStateStopped(ctx, sid, sd);
          break;
        case 'request_start':
          changeServiceState(ctx, sid, 'started');
          break;
        case 'started':
          nextStateStarted(ctx, sid, sd);
          break;
        case 'request_stop':
          nextStateRequestStop(ctx, sid, sd);
          break;
        case 'migrate':
        case 'relocate':
          nextStateMigrate(ctx, sid, sd);
          break;
        case 'recovery':
          nextStateRecovery(ctx, sid, sd);
          break;
        case 'freeze':
          nextStateFreeze(ctx, sid, sd);
          break;
        case 'error':
          nextStateError(ctx, sid);
          break;
        case 'fence':
          break;
      }
      // Freeze services of nodes whose LRM restarts (reboot with policy conditional/freeze) — after the
      // service's own step, as Manager.pm does, so a migration ordered this round is not frozen.
      const now = ss[sid]; // changeServiceState replaces the entry
      if (
        now &&
        lrmMode(ctx, now.node) === 'restart' &&
        (now.state === 'started' || now.state === 'stopped' || now.state === 'request_stop')
      )
        changeServiceState(ctx, sid, 'freeze');
    }
    // Fencing: a node is fenced once its agent lock can be taken.
    const fenced: Record<string, boolean> = {};
    for (const sid of Object.keys(ss).sort()) {
      const sd = ss[sid]!;
      if (sd.state !== 'fence') continue;
      fenced[sd.node] ??= fenceNode(ctx, sd.node);
      if (!fenced[sd.node]) continue;
      changeServiceState(ctx, sid, 'recovery');
      repeat = true;
    }
    for (const node of Object.keys(ms.node_status).sort()) {
      if (fenced[node] !== undefined || ms.node_status[node] !== 'fence') continue;
      core.log(master, CRM, `node '${node}' in fence state but no services to-fence! admin interference?!`);
      if (fenceNode(ctx, node)) repeat = true;
    }
    if (!repeat) break;
  }
}
