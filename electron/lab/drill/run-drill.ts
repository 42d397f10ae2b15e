import type { Clock } from '../../clock/clock.ts';
import type { HypervisorDriver } from '../../hypervisor/driver.ts';
import type { PveApi } from '../../pve/api.ts';
import { detectMilestones, startDetection } from './detect-milestones.ts';
import type { DetectionState, Milestone, MilestoneId } from './detect-milestones.ts';
import { drillOutcome } from './drill-outcome.ts';
import type { DrillEndRules, DrillOutcome } from './drill-outcome.ts';
import { injectFault } from './fault.ts';
import type { FaultKind } from './fault.ts';
import { buildFailoverReport } from './failover-report.ts';
import type { FailoverReport } from './failover-report.ts';
import type { DrillObservation } from './observation.ts';
import { observeCluster } from './observe-cluster.ts';
import { selectDrillTarget } from './select-target.ts';
import { WorkHold } from './work-hold.ts';

export interface FailoverDrillDeps {
  pve: PveApi;
  driver: HypervisorDriver;
  clock: Clock;
  /** Wall clock for the report's ISO start time. */
  wallClock?: () => Date;
}

/** Which machine the fault hits: as in a lab file's `drill.target`. */
export type DrillTargetChoice =
  { select: 'node-running'; resource: string } | { select: 'machine'; machine: string };

export interface FailoverDrillPlan {
  lab: string;
  runId: string;
  target: DrillTargetChoice;
  fault: FaultKind;
  /** HA resource whose recovery is timed; defaults to the target's resource. */
  resource?: string;
  /** ≤ 1000 ms (default 1000). */
  pollIntervalMs?: number;
  /** Success milestone (default `guest-answering` for VMs, `guest-running` for containers). */
  until?: MilestoneId;
  /** Give up after this long (default 420 s: the master variant plus a slow boot fits). */
  timeoutMs?: number;
  /** A lab's expected ranges, ms from the fault to a milestone. */
  expected?: Partial<Record<MilestoneId, { min: number; max: number }>>;
  /** Faults on a machine that is not a node (NAS): keep watching this long after the storage went away. */
  settleMs?: number;
  /** Per-request timeout (default: max(poll interval, 500 ms)). */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
  onMilestone?: (milestone: Milestone) => void;
  onObservation?: (observation: DrillObservation) => void;
}

/**
 * Pulls the plug and times the failover: selects the target, takes t0, injects the fault, then
 * polls the surviving nodes every interval of the Clock until the success milestone (or the
 * timeout) and returns the report. Detection itself is the pure {@link detectMilestones}.
 * Machine names of PVE nodes are their node names (as in lab files).
 */
export async function runFailoverDrill(
  deps: FailoverDrillDeps,
  plan: FailoverDrillPlan,
): Promise<FailoverReport> {
  const { clock } = deps;
  const pollIntervalMs = plan.pollIntervalMs ?? 1000;
  if (!(pollIntervalMs > 0 && pollIntervalMs <= 1000)) {
    throw new Error(`drill: pollIntervalMs must be in (0, 1000], got ${pollIntervalMs}`);
  }
  const resource =
    plan.resource ?? (plan.target.select === 'node-running' ? plan.target.resource : undefined);
  if (!resource)
    throw new Error("drill: a target chosen by machine needs 'resource' (the HA resource to time)");
  const hold = new WorkHold(clock, 'failover drill');
  try {
    return await runHeld(deps, plan, resource, pollIntervalMs, hold);
  } finally {
    hold.drop();
  }
}

async function runHeld(
  deps: FailoverDrillDeps,
  plan: FailoverDrillPlan,
  resource: string,
  pollIntervalMs: number,
  hold: WorkHold,
): Promise<FailoverReport> {
  const { pve, driver, clock } = deps;
  // A drill aimed at a named machine may follow a resource that does not exist (yet): it then
  // times the node and quorum milestones only.
  const byNode = plan.target.select === 'node-running';
  const selected = await selectDrillTarget(pve, resource, {
    ...(plan.signal ? { signal: plan.signal } : {}),
    serviceRequired: byNode,
  });
  const machine = plan.target.select === 'node-running' ? (selected.node as string) : plan.target.machine;
  const hitsNode = selected.members.includes(machine);
  const survivors = selected.members.filter((m) => m !== machine);
  if (survivors.length === 0)
    throw new Error(`drill: no node would survive the fault on '${machine}' to observe from`);
  const startedAt = (deps.wallClock ?? (() => new Date()))().toISOString();
  const rules: DrillEndRules = {
    timeoutMs: plan.timeoutMs ?? 420_000,
    until: plan.until ?? (selected.sid.startsWith('ct:') ? 'guest-running' : 'guest-answering'),
    settleMs: plan.settleMs ?? 60_000,
  };

  const t0 = clock.now();
  await injectFault(driver, plan.fault, machine);
  let state: DetectionState = startDetection(
    {
      sid: selected.sid,
      node: machine,
      hitsNode,
      fault: plan.fault,
      ...(selected.master ? { masterBeforeFault: selected.master } : {}),
      // '' = the service runs nowhere, so the fault cannot hit it.
      serviceNodeBeforeFault: selected.node ?? '',
    },
    clock.now() - t0,
  );
  plan.onMilestone?.(state.milestones[0] as Milestone);

  let outcome: DrillOutcome | undefined;
  for (let tick = 1; outcome === undefined; tick++) {
    if (plan.signal?.aborted) {
      outcome = 'aborted';
      break;
    }
    const at = clock.now() - t0;
    const started = state.milestones.find((m) => m.id === 'service-started');
    let obs: DrillObservation;
    try {
      obs = await observeCluster(
        {
          pve,
          sid: selected.sid,
          survivors:
            started?.node && !survivors.includes(started.node) ? [...survivors, started.node] : survivors,
          ...(started?.node ? { guestNode: started.node } : {}),
          watchStorage: !hitsNode,
          requestTimeoutMs: plan.requestTimeoutMs ?? Math.max(pollIntervalMs, 500),
          ...(plan.signal ? { signal: plan.signal } : {}),
        },
        at,
      );
    } catch (error) {
      if (plan.signal?.aborted) {
        outcome = 'aborted';
        break;
      }
      throw error;
    }
    plan.onObservation?.(obs);
    const before = state.milestones.length;
    state = detectMilestones(state, obs);
    if (plan.onMilestone && state.milestones.length > before) {
      const seen = new Set(state.milestones.slice(0, before).map((m) => m.id));
      for (const m of state.milestones) if (!seen.has(m.id)) plan.onMilestone(m);
    }
    outcome = drillOutcome(state, rules);
    if (outcome !== undefined) break;
    // Fixed-rate ticks on the drill's clock; a slow poll just shortens the next wait.
    const wait = t0 + tick * pollIntervalMs - clock.now();
    try {
      await hold.sleep(Math.max(0, wait), plan.signal);
    } catch (error) {
      if (plan.signal?.aborted) {
        outcome = 'aborted';
        break;
      }
      throw error;
    }
  }

  return buildFailoverReport({
    lab: plan.lab,
    runId: plan.runId,
    startedAt,
    machine,
    pollIntervalMs,
    detection: state,
    outcome,
    ...(plan.expected ? { labExpected: plan.expected } : {}),
  });
}
