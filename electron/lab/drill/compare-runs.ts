import type { MilestoneId } from './detect-milestones.ts';
import type { FailoverReport } from './failover-report.ts';

export interface TimeDelta {
  id: string;
  a: number | null;
  b: number | null;
  /** b − a in ms; null unless both runs reached it. */
  delta: number | null;
}

export interface RunComparison {
  a: { runId: string; startedAt: string; fault: string; outcome: string; target: string };
  b: { runId: string; startedAt: string; fault: string; outcome: string; target: string };
  /** Same fault on a node of the same role (master or not): the timings are comparable. */
  comparable: boolean;
  phases: TimeDelta[];
  milestones: TimeDelta[];
}

/** Puts two runs side by side, phase by phase and milestone by milestone. Pure. */
export function compareRuns(a: FailoverReport, b: FailoverReport): RunComparison {
  const phaseIds = union(
    a.phases.map((p) => p.id),
    b.phases.map((p) => p.id),
  );
  const phases = phaseIds.map((id) => {
    const da = a.phases.find((p) => p.id === id)?.duration ?? null;
    const db = b.phases.find((p) => p.id === id)?.duration ?? null;
    return delta(id, da, db);
  });
  const milestoneIds = union(
    a.milestones.map((m) => m.id),
    b.milestones.map((m) => m.id),
  ) as MilestoneId[];
  const milestones = milestoneIds.map((id) =>
    delta(
      id,
      a.milestones.find((m) => m.id === id)?.at ?? null,
      b.milestones.find((m) => m.id === id)?.at ?? null,
    ),
  );
  const side = (r: FailoverReport): RunComparison['a'] => ({
    runId: r.runId,
    startedAt: r.startedAt,
    fault: r.fault,
    outcome: r.outcome,
    target: r.target.node,
  });
  return {
    a: side(a),
    b: side(b),
    comparable: a.fault === b.fault && a.target.wasMaster === b.target.wasMaster,
    phases,
    milestones,
  };
}

function delta(id: string, a: number | null, b: number | null): TimeDelta {
  return { id, a, b, delta: a !== null && b !== null ? b - a : null };
}

function union(first: string[], second: string[]): string[] {
  return [...new Set([...first, ...second])];
}
