import type { DetectionState, Milestone, MilestoneId } from './detect-milestones.ts';
import type { DrillOutcome } from './drill-outcome.ts';
import { expectedPhases, LAB_EXPECTED_EXPLANATION } from './expected-phases.ts';
import type { PhaseSpec } from './expected-phases.ts';
import type { FaultKind } from './fault.ts';
import type { LocalizedText } from './localized.ts';

/** One timed phase of a drill, compared with what Proxmox's timers allow. */
export interface PhaseReport {
  id: string;
  from: MilestoneId;
  to: MilestoneId;
  /** ms from `from` to `to`; null when either milestone was never reached. */
  duration: number | null;
  expected: { min: number; max: number };
  /** null when the phase was not reached. */
  within: boolean | null;
  explanation: LocalizedText;
}

/** The result of one drill run: a plain JSON DTO (no classes, no Dates), kept per run. */
export interface FailoverReport {
  version: 1;
  lab: string;
  runId: string;
  /** ISO time when the drill started. */
  startedAt: string;
  /** `node` is the machine hit (a PVE node, or e.g. the NAS when `hitsNode` is false). */
  target: { sid: string; node: string; machine: string; hitsNode: boolean; wasMaster: boolean };
  fault: FaultKind;
  /** Observation interval; phases count as within range if off by less than one interval. */
  pollIntervalMs: number;
  milestones: Milestone[];
  phases: PhaseReport[];
  outcome: DrillOutcome;
  /** Node the service runs on at the end, if it was started anywhere. */
  recoveredOn?: string;
  /** The learner's guess of the total, written down before the drill. */
  guessMs?: number;
  /** Set on a classmate's run imported from a file (its file name). */
  importedFrom?: string;
}

export interface ReportInput {
  lab: string;
  runId: string;
  startedAt: string;
  machine: string;
  pollIntervalMs: number;
  detection: DetectionState;
  outcome: DrillOutcome;
  /** A lab's own ranges (ms from the fault to a milestone); they replace the defaults. */
  labExpected?: Partial<Record<MilestoneId, { min: number; max: number }>>;
}

/** Proxmox's default phases, with a lab's ranges for "fault → milestone" laid over them. */
export function phaseSpecs(
  fault: FaultKind,
  target: { hitsNode: boolean; wasMaster: boolean },
  labExpected: ReportInput['labExpected'] = {},
  fenced = false,
): PhaseSpec[] {
  // A reset node that stayed away past the fence delay was fenced: it then fails over like a
  // power-off, and its return is just one more phase.
  const base =
    fault === 'reset' && fenced
      ? [
          ...expectedPhases('power-off', target),
          ...expectedPhases('reset', target).filter((p) => p.id === 'node-return'),
        ]
      : expectedPhases(fault, target);
  const specs = base.map((p) => ({ ...p, expected: { ...p.expected } }));
  for (const [milestone, range] of Object.entries(labExpected) as [
    MilestoneId,
    { min: number; max: number },
  ][]) {
    const existing = specs.find((p) => p.from === 'fault-injected' && p.to === milestone);
    if (existing) existing.expected = { ...range };
    else
      specs.push({
        id: milestone,
        from: 'fault-injected',
        to: milestone,
        expected: { ...range },
        explanation: LAB_EXPECTED_EXPLANATION,
      });
  }
  return specs;
}

export function buildFailoverReport(input: ReportInput): FailoverReport {
  const { detection, pollIntervalMs } = input;
  const target = detection.target;
  const wasMaster = target.masterBeforeFault !== undefined && target.masterBeforeFault === target.node;
  const at = (id: MilestoneId): number | undefined => detection.milestones.find((m) => m.id === id)?.at;
  const specs = phaseSpecs(
    target.fault,
    { hitsNode: target.hitsNode, wasMaster },
    input.labExpected,
    at('fence') !== undefined,
  ).map((spec): PhaseSpec =>
    // Without a guest agent (real Tiny Core) the drill ends at "guest running": time the total to it.
    spec.id === 'total' && at('guest-answering') === undefined && at('guest-running') !== undefined
      ? { ...spec, to: 'guest-running' }
      : spec,
  );
  const phases = specs.map((spec): PhaseReport => {
    const from = at(spec.from);
    const to = at(spec.to);
    const duration = from !== undefined && to !== undefined ? to - from : null;
    // Polling sees each state up to one interval late, at either end of the phase.
    const within =
      duration === null
        ? null
        : duration >= spec.expected.min - pollIntervalMs && duration <= spec.expected.max + pollIntervalMs;
    return { ...spec, expected: { ...spec.expected }, duration, within };
  });
  const started = detection.milestones.find((m) => m.id === 'service-started');
  return {
    version: 1,
    lab: input.lab,
    runId: input.runId,
    startedAt: input.startedAt,
    target: {
      sid: target.sid,
      node: target.node,
      machine: input.machine,
      hitsNode: target.hitsNode,
      wasMaster,
    },
    fault: target.fault,
    pollIntervalMs,
    milestones: detection.milestones.map((m) => ({ ...m })),
    phases,
    outcome: input.outcome,
    ...(started?.node ? { recoveredOn: started.node } : {}),
  };
}
