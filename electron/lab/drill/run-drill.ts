import type { Clock } from '../../clock/clock.ts';
import type { HypervisorDriver } from '../../hypervisor/driver.ts';
import type { PveApi } from '../../pve/api.ts';
import { detectMilestones, startDetection } from './detect-milestones.ts';
import type { DetectionState, Milestone } from './detect-milestones.ts';
import { drillOutcome } from './drill-outcome.ts';
import type { DrillOutcome } from './drill-outcome.ts';
import { faultHitsNode, injectFault } from './fault.ts';
import type { FaultKind } from './fault.ts';
import { buildFailoverReport } from './failover-report.ts';
import type { FailoverReport } from './failover-report.ts';
import type { DrillObservation } from './observation.ts';
import { observeCluster } from './observe-cluster.ts';
import { selectDrillTarget } from './select-target.ts';

export interface FailoverDrillDeps {
  pve: PveApi;
  driver: HypervisorDriver;
  clock: Clock;
  /** Wall clock for the report's ISO start time. */
  wallClock?: () => Date;
}

export interface FailoverDrillPlan {
  lab: string;
  runId: string;
  /** HA service to follow, e.g. `vm:100`. */
  sid: string;
  fault: FaultKind;
  /** Node to hit; default: the node running `sid`. Ignored for `nas-power-off`. */
  node?: string;
  /** Hypervisor machine of a PVE node; default: the same name. */
  machineOf?: (node: string) => string;
  /** Hypervisor machine of the NAS, for `nas-power-off`. */
  nasMachine?: string;
  /** ≤ 1000 ms (default 1000). */
  pollIntervalMs?: number;
  /** Give up after this long (default 420 s: the master variant plus a slow boot fits). */
  timeoutMs?: number;
  /** Default true for VMs: the drill ends when the guest agent answers. */
  waitForGuestAgent?: boolean;
  /** NAS drills: keep watching this long after the storage went away (default 60 s). */
  settleMs?: number;
  /** Per-request timeout (default: the poll interval). */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
  onMilestone?: (milestone: Milestone) => void;
  onObservation?: (observation: DrillObservation) => void;
}

/**
 * Pulls the plug and times the failover: selects the target, takes t0, injects the fault, then
 * polls the surviving nodes every interval of the Clock until the guest is back (or the drill
 * times out) and returns the report. Detection itself is the pure {@link detectMilestones}.
 */
export async function runFailoverDrill(deps: FailoverDrillDeps, plan: FailoverDrillPlan): Promise<FailoverReport> {
  const { pve, driver, clock } = deps;
  const pollIntervalMs = plan.pollIntervalMs ?? 1000;
  if (!(pollIntervalMs > 0 && pollIntervalMs <= 1000)) {
    throw new Error(`drill: pollIntervalMs must be in (0, 1000], got ${pollIntervalMs}`);
  }
  const selected = await selectDrillTarget(pve, plan.sid, plan.signal);
  const hitsNode = faultHitsNode(plan.fault);
  const node = hitsNode ? (plan.node ?? selected.node) : selected.node;
  if (hitsNode && !selected.members.includes(node)) {
    throw new Error(`drill: node '${node}' is not a member of the cluster (${selected.members.join(', ')})`);
  }
  const machine = hitsNode ? (plan.machineOf ?? ((n: string) => n))(node) : plan.nasMachine;
  if (!machine) throw new Error('drill: nas-power-off needs plan.nasMachine (the NAS machine name)');
  const survivors = selected.members.filter((m) => !hitsNode || m !== node);
  if (survivors.length === 0) throw new Error(`drill: no node would survive the fault on '${node}' to observe from`);
  const startedAt = (deps.wallClock ?? (() => new Date()))().toISOString();
  const rules = {
    timeoutMs: plan.timeoutMs ?? 420_000,
    waitForGuestAgent: plan.waitForGuestAgent ?? !plan.sid.startsWith('ct:'),
    settleMs: plan.settleMs ?? 60_000,
  };

  const t0 = clock.now();
  await injectFault(driver, plan.fault, machine);
  let state: DetectionState = startDetection(
    { sid: selected.sid, node, fault: plan.fault, ...(selected.master ? { masterBeforeFault: selected.master } : {}) },
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
          survivors: started?.node && !survivors.includes(started.node) ? [...survivors, started.node] : survivors,
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
      await clock.sleep(Math.max(0, wait), plan.signal);
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
  });
}
