/** Events flow one way, engine → renderer, as full snapshots so none is load-bearing. */
import type {
  DrillStateInfo,
  LabRunInfo,
  SimClockInfo,
  TaskInfo,
  TopologyInfo,
  TrustRequestInfo,
} from './dto.ts';

export interface ApiEvents {
  'lab.state': LabRunInfo | null;
  'topology.state': TopologyInfo | null;
  'sim.clock': SimClockInfo;
  'terminal.data': { id: string; data: string };
  'terminal.exit': { id: string; code: number };
  'drill.state': DrillStateInfo;
  'task.updated': TaskInfo;
  /** Every question still waiting for the learner (a full list, so a reload loses none). */
  'trust.requests': TrustRequestInfo[];
}

export type EventName = keyof ApiEvents;
