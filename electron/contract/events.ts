/** Events flow one way, engine → renderer, as full snapshots so none is load-bearing. */
import type {
  DrillStateInfo,
  LabRunInfo,
  SimClockInfo,
  TaskInfo,
  TopologyInfo,
} from './dto.ts';

export interface ApiEvents {
  'lab.state': LabRunInfo | null;
  'topology.state': TopologyInfo | null;
  'sim.clock': SimClockInfo;
  'terminal.data': { id: string; data: string };
  'terminal.exit': { id: string; code: number };
  'drill.state': DrillStateInfo;
  'task.updated': TaskInfo;
}

export type EventName = keyof ApiEvents;
