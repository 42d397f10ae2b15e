/**
 * One look at the cluster, taken through a surviving node. Plain data, so recorded sequences
 * drive the milestone detection in tests exactly as live polling does.
 */
export interface DrillObservation {
  /** Milliseconds since t0 (the instant just before the fault), on the drill's Clock. */
  at: number;
  /** The node whose API answered. */
  via: string;
  /** From `/cluster/status`; absent when no surviving node answered. */
  cluster?: {
    quorate: boolean;
    /** node name → online */
    nodes: Record<string, boolean>;
  };
  /** From `/cluster/ha/status/manager_status`. */
  ha?: {
    master?: string;
    /** CRM view of each node: online, unknown, fence, gone, maintenance. */
    nodeStatus: Record<string, string>;
    /** CRM state of the drilled service, if the manager knows it. */
    service?: { state: string; node: string };
  };
  /** From `/cluster/resources?type=storage`: storage id → active on at least one node. */
  storage?: Record<string, boolean>;
  /** From `…/{vmid}/status/current` on the node HA started the service on. */
  guest?: { node: string; status: string };
  /** `POST …/agent/ping` on that node. */
  agentPing?: { node: string; ok: boolean };
}
