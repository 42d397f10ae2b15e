/**
 * What `/cluster/ha/status/current` and `/cluster/ha/status/manager_status` show, including the
 * verbose service state of pve-ha-manager `Tools::get_verbose_service_state`.
 */
import { isQuorate } from '../membership.ts';
import { activeServiceCount } from './lrm.ts';
import type { SimCore } from '../sim-core.ts';
import type { ServiceStatus } from '../state.ts';

export interface HaStatusEntry {
  id: string;
  type: 'quorum' | 'master' | 'lrm' | 'service';
  node: string;
  status: string;
  quorate?: 0 | 1;
  timestamp?: number;
  sid?: string;
  state?: string;
  crm_state?: string;
  request_state?: string;
  max_restart?: number;
  max_relocate?: number;
  failback?: 0 | 1;
}

const LRM_DEAD_MS = 30_000;
// Status.pm: a timestamp more than 30 s old reads as "old timestamp - dead?".
const MASTER_DEAD_MS = 30_000;

export function verboseServiceState(core: SimCore, sid: string, sd: ServiceStatus | undefined): string {
  const cfg = core.state.ha.resources[sid];
  if (!cfg) return 'deleting';
  if (cfg.state === 'ignored') return 'ignored';
  if (!sd) return 'queued';
  const req = cfg.state;
  if (sd.state === 'stopped') {
    if (req === 'disabled') return 'disabled';
    if (req === 'started') return 'starting';
    return 'stopped';
  }
  if (sd.state === 'started') {
    if (req === 'stopped' || req === 'disabled') return 'stopping';
    return sd.running ? 'started' : 'starting';
  }
  if (sd.state === 'error' && req === 'disabled') return 'clearing error flag';
  return sd.state;
}

/** Perl's scalar localtime (UTC here): `Mon Nov  3 05:45:22 2026`. */
function fmtTime(core: SimCore, t: number): string {
  const d = new Date(core.state.epochMs + t);
  const m = /^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/.exec(d.toUTCString());
  if (!m) return d.toISOString();
  return `${m[1]} ${m[3]} ${String(Number(m[2])).padStart(2, ' ')} ${m[5]} ${m[4]}`;
}

/** A standalone node's pmxcfs runs in local mode and counts as quorate. */
function localQuorate(core: SimCore, node: string): boolean {
  return !core.state.cluster?.nodes[node] || isQuorate(core, node);
}

export function buildHaStatus(core: SimCore, node: string): HaStatusEntry[] {
  const out: HaStatusEntry[] = [];
  const quorate = localQuorate(core, node);
  out.push({
    id: 'quorum',
    type: 'quorum',
    node,
    status: quorate ? 'OK' : `No quorum on node '${node}'!`,
    quorate: quorate ? 1 : 0,
  });
  const ms = core.state.ha.manager;
  const master = ms.master_node;
  if (master) {
    const age = core.now() - ms.timestamp;
    const noServices = Object.keys(core.state.ha.resources).length === 0;
    // Status.pm: 'idle' only for an old timestamp on a quorate node without any configured service.
    const text = age <= MASTER_DEAD_MS ? 'active' : quorate && noServices ? 'idle' : 'old timestamp - dead?';
    out.push({
      id: 'master',
      type: 'master',
      node: master,
      status: `${master} (${text}, ${fmtTime(core, ms.timestamp)})`,
      timestamp: core.epochSeconds(ms.timestamp),
    });
  }
  for (const name of Object.keys(core.state.cluster?.nodes ?? {}).sort()) {
    const n = core.state.nodes[name]!;
    // What the LRM last wrote to /etc/pve (it outlives the daemon), as Status.pm reads it.
    const written = core.state.ha.lrmWritten?.[name];
    const mode = core.state.ha.lrmModes[name];
    const timestamp = written?.timestamp ?? n.lrm.timestamp;
    const state = written?.state ?? n.lrm.state;
    let status: string;
    if (!mode) status = `${name} (unable to read lrm status)`;
    else if (core.now() - timestamp > LRM_DEAD_MS)
      status = `${name} (${mode === 'maintenance' ? 'maintenance mode' : 'old timestamp - dead?'}, ${fmtTime(core, timestamp)})`;
    else {
      const text =
        mode !== 'active'
          ? `${mode} mode`
          : state === 'wait_for_agent_lock' && activeServiceCount(core, name) === 0
            ? 'idle'
            : state;
      status = `${name} (${text}, ${fmtTime(core, timestamp)})`;
    }
    out.push({ id: `lrm:${name}`, type: 'lrm', node: name, status, timestamp: core.epochSeconds(timestamp) });
  }
  const ss = ms.service_status;
  for (const sid of Object.keys(core.state.ha.resources).sort()) {
    const cfg = core.state.ha.resources[sid]!;
    const sd = ss[sid];
    const guest = core.state.guests[sid.split(':')[1] ?? ''];
    const state = verboseServiceState(core, sid, sd);
    const entry: HaStatusEntry = {
      id: `service:${sid}`,
      type: 'service',
      sid,
      node: sd?.node ?? guest?.node ?? '',
      status: `${sid} (${sd?.node ?? guest?.node ?? ''}, ${state})`,
      state,
      crm_state: sd?.state ?? 'queued',
      request_state: cfg.state,
      max_restart: cfg.max_restart,
      max_relocate: cfg.max_relocate,
    };
    if (core.state.pveMajor >= 9) entry.failback = cfg.failback ? 1 : 0;
    out.push(entry);
  }
  return out;
}

export function buildManagerStatus(core: SimCore, node: string): Record<string, unknown> {
  const ms = core.state.ha.manager;
  const lrmStatus: Record<string, unknown> = {};
  for (const name of Object.keys(core.state.cluster?.nodes ?? {}).sort()) {
    const lrm = core.state.nodes[name]!.lrm;
    const mode = core.state.ha.lrmModes[name];
    if (!mode) continue;
    lrmStatus[name] = {
      state: lrm.state === 'off' || lrm.state === 'startup' ? 'wait_for_agent_lock' : lrm.state,
      mode,
      timestamp: core.epochSeconds(lrm.timestamp),
      results: Object.fromEntries(
        Object.entries(lrm.results).map(([uid, r]) => [uid, { exit_code: r.exitCode }]),
      ),
    };
  }
  const serviceStatus: Record<string, unknown> = {};
  for (const [sid, sd] of Object.entries(ms.service_status)) {
    const o: Record<string, unknown> = { state: sd.state, node: sd.node, uid: sd.uid };
    if (sd.running !== undefined) o.running = sd.running ? 1 : 0;
    if (sd.target) o.target = sd.target;
    if (sd.failed_nodes) o.failed_nodes = sd.failed_nodes;
    if (sd.maintenance_node) o.maintenance_node = sd.maintenance_node;
    serviceStatus[sid] = o;
  }
  return {
    manager_status: {
      ...(ms.master_node ? { master_node: ms.master_node } : {}),
      timestamp: core.epochSeconds(ms.timestamp),
      node_status: { ...ms.node_status },
      service_status: serviceStatus,
      node_request: Object.fromEntries(
        Object.entries(ms.node_request).map(([n, r]) => [n, r.maintenance ? { maintenance: 1 } : {}]),
      ),
    },
    lrm_status: lrmStatus,
    quorum: { node, quorate: localQuorate(core, node) ? '1' : '0' },
  };
}
