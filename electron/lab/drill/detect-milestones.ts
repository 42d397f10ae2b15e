import { DRILL_MILESTONES } from '../script/schema.ts';
import type { FaultKind } from './fault.ts';
import type { DrillObservation } from './observation.ts';

/**
 * The instants a failover drill records, in the order they normally happen: one list, owned by the
 * lab format (labs name them in `drill.until` and `drill.expected`).
 */
export const MILESTONE_IDS = DRILL_MILESTONES;

export type MilestoneId = (typeof MILESTONE_IDS)[number];

export interface Milestone {
  id: MilestoneId;
  /** Milliseconds since t0. */
  at: number;
  /** The node the milestone is about (the node a service started on, the node seen offline…). */
  node?: string;
  /** For `quorum-recomputed`: whether the survivors are quorate. */
  quorate?: boolean;
  /**
   * True when the state itself was never seen but a later one proves it happened by then
   * (e.g. the CRM fenced, acknowledged and recovered in one round between two polls).
   */
  inferred?: boolean;
}

export interface DrillTarget {
  /** HA service id, e.g. `vm:100`. */
  sid: string;
  /** The machine the fault hits: a PVE node, or another machine such as the NAS. */
  node: string;
  /** True when the target is a cluster node (false for the NAS: no node leaves the cluster). */
  hitsNode: boolean;
  fault: FaultKind;
  /** The CRM master before the fault: if it is the target, fencing waits for a new master. */
  masterBeforeFault?: string;
  /**
   * Where the service ran before the fault. A fault on another node (e.g. the second node of a
   * quorum drill) does not move the service, so no recovery is inferred for it.
   */
  serviceNodeBeforeFault?: string;
}

export interface DetectionState {
  target: DrillTarget;
  milestones: Milestone[];
  /** Last quorum value seen after the fault. */
  quorate?: boolean;
  /** Last CRM state of the service seen after the fault. */
  serviceState?: string;
  /** When the last observation was taken. */
  lastAt: number;
}

export function startDetection(target: DrillTarget, faultAt: number): DetectionState {
  return {
    target,
    milestones: [{ id: 'fault-injected', at: faultAt, node: target.node }],
    lastAt: faultAt,
  };
}

export function hasMilestone(state: DetectionState, id: MilestoneId): boolean {
  return state.milestones.some((m) => m.id === id);
}

export function milestoneOf(state: DetectionState, id: MilestoneId): Milestone | undefined {
  return state.milestones.find((m) => m.id === id);
}

/** States in which the CRM has moved the service off the dead node (or is about to). */
const AFTER_FENCE = new Set([
  'recovery',
  'started',
  'request_stop',
  'stopped',
  'error',
  'migrate',
  'relocate',
]);

/**
 * Folds one observation into the detection state. Pure: the same sequence of observations
 * always yields the same milestones, whatever produced them (live polling or a recording).
 */
export function detectMilestones(previous: DetectionState, obs: DrillObservation): DetectionState {
  const state: DetectionState = { ...previous, milestones: [...previous.milestones], lastAt: obs.at };
  const { node: target, hitsNode, serviceNodeBeforeFault } = state.target;
  // The service is hit when its own node is the target (or we do not know where it ran).
  const serviceHit = hitsNode && (serviceNodeBeforeFault === undefined || serviceNodeBeforeFault === target);
  const record = (id: MilestoneId, extra: Omit<Milestone, 'id' | 'at'> = {}): void => {
    if (!hasMilestone(state, id)) state.milestones.push({ id, at: obs.at, ...extra });
  };

  if (obs.cluster) {
    const online = obs.cluster.nodes[target];
    if (hitsNode && online === false) record('node-offline', { node: target });
    if (hasMilestone(state, 'node-offline') && state.quorate === undefined) {
      record('quorum-recomputed', { quorate: obs.cluster.quorate });
    } else if (state.quorate === false && obs.cluster.quorate) {
      record('quorum-regained');
    } else if (state.quorate === true && !obs.cluster.quorate) {
      record('quorum-lost');
    }
    if (hasMilestone(state, 'node-offline') || state.quorate !== undefined)
      state.quorate = obs.cluster.quorate;
    if (hasMilestone(state, 'node-offline') && online === true) record('node-online', { node: target });
  }

  if (obs.storage && !hitsNode && Object.values(obs.storage).some((active) => !active)) {
    record('storage-offline');
  }

  if (obs.ha) {
    const nodeState = obs.ha.nodeStatus[target];
    const service = obs.ha.service;
    if (hitsNode && nodeState === 'unknown' && !hasMilestone(state, 'fence'))
      record('ha-node-unknown', { node: target });
    if (serviceHit && service?.state === 'freeze') record('service-frozen', { node: service.node });
    if (hitsNode && (nodeState === 'fence' || (serviceHit && service?.state === 'fence')))
      record('fence', { node: target });
    // Fence → acknowledged: the node leaves `fence`, or the service is already past it.
    const movedOn =
      serviceHit && service !== undefined && AFTER_FENCE.has(service.state) && service.node !== target;
    // (A node missing from node_status says nothing: it is not read as "left fence".)
    const leftFence = nodeState !== undefined && nodeState !== 'fence';
    if (hasMilestone(state, 'fence') && (leftFence || movedOn) && service?.state !== 'fence') {
      record('fenced', { node: target });
    }
    if (serviceHit && service?.state === 'recovery') {
      record('fence', { node: target, inferred: true });
      record('fenced', { node: target, inferred: true });
      record('recovery');
    }
    if (serviceHit && service?.state === 'started') {
      if (service.node !== target) {
        // Fence, ack and recovery can all happen inside one CRM round, between two polls.
        record('fence', { node: target, inferred: true });
        record('fenced', { node: target, inferred: true });
        record('recovery', { node: service.node, inferred: true });
        record('service-started', { node: service.node });
      } else if (hasMilestone(state, 'node-online')) {
        // The node came back before it was fenced (reset, short outage): HA restarts it there.
        record('service-started', { node: service.node });
      }
    }
    state.serviceState = service?.state;
  }

  const started = milestoneOf(state, 'service-started');
  if (started && obs.guest && obs.guest.node === started.node && obs.guest.status === 'running') {
    record('guest-running', { node: started.node });
  }
  const running = milestoneOf(state, 'guest-running');
  if (running && obs.agentPing && obs.agentPing.node === running.node && obs.agentPing.ok) {
    record('guest-answering', { node: running.node });
  }

  state.milestones.sort((a, b) => a.at - b.at || MILESTONE_IDS.indexOf(a.id) - MILESTONE_IDS.indexOf(b.id));
  return state;
}
