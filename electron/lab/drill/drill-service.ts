import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock/clock.ts';
import type { DrillHistoryEntry, DrillStateInfo, FailoverReportInfo, Language } from '../../contract/dto.ts';
import type { HypervisorDriver } from '../../hypervisor/driver.ts';
import type { PveApi } from '../../pve/api.ts';
import type { DrillRunner } from '../drill-runner.ts';
import type { LabDrill } from '../script/schema.ts';
import type { Milestone, MilestoneId } from './detect-milestones.ts';
import { milestoneInfo, toDrillHistoryEntry, toFailoverReportInfo } from './drill-dto.ts';
import type { FailoverReport } from './failover-report.ts';
import type { DrillHistory } from './history.ts';
import { MILESTONE_LABELS } from './milestone-labels.ts';
import { reportToCsv } from './report-csv.ts';
import { runFailoverDrill } from './run-drill.ts';
import type { FailoverDrillPlan } from './run-drill.ts';

export interface DrillServiceDeps {
  pve: PveApi;
  hypervisor: HypervisorDriver;
  clock: Clock;
  history: DrillHistory;
  /** The UI language, read each time a DTO is built. */
  language: () => Language;
  wallClock?: () => Date;
}

/** A lab file's drill (seconds, lab vocabulary) as a drill plan (ms). */
export function planFromLabDrill(
  lab: string,
  runId: string,
  drill: LabDrill,
  signal?: AbortSignal,
): FailoverDrillPlan {
  const expected: Partial<Record<MilestoneId, { min: number; max: number }>> = {};
  for (const [milestone, range] of Object.entries(drill.expected ?? {})) {
    if (range)
      expected[milestone as MilestoneId] = { min: range.minSeconds * 1000, max: range.maxSeconds * 1000 };
  }
  return {
    lab,
    runId,
    target:
      drill.target.select === 'node-running'
        ? { select: 'node-running', resource: drill.target.resource }
        : { select: 'machine', machine: drill.target.machine },
    fault: drill.fault,
    ...(drill.resource ? { resource: drill.resource } : {}),
    pollIntervalMs: Math.round(drill.observeIntervalSeconds * 1000),
    until: drill.until.milestone,
    timeoutMs: drill.until.timeoutSeconds * 1000,
    ...(Object.keys(expected).length ? { expected } : {}),
    ...(signal ? { signal } : {}),
  };
}

/**
 * Runs lab drills for the step runner (DrillRunner), keeps their reports in the history, and
 * answers the contract's drill.* calls with DTO snapshots. One drill at a time.
 */
export class DrillService implements DrillRunner {
  private running = false;
  private startedAt = 0;
  private milestones: Milestone[] = [];
  private last: FailoverReport | null = null;
  private readonly listeners = new Set<(state: DrillStateInfo) => void>();

  constructor(private readonly deps: DrillServiceDeps) {}

  onState(listener: (state: DrillStateInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async run(request: { lab: { id: string }; drill: LabDrill; signal: AbortSignal }): Promise<void> {
    await this.runDrill(request.lab.id, request.drill, request.signal);
  }

  /** Runs one drill to its end and stores the report; rejects if a drill is already running. */
  async runDrill(
    labId: string,
    drill: LabDrill,
    signal?: AbortSignal,
    guessMs?: number,
  ): Promise<FailoverReport> {
    if (this.running) throw new Error('drill: another drill is already running');
    this.running = true;
    this.milestones = [];
    this.startedAt = this.deps.clock.now();
    this.emit();
    try {
      const plan = planFromLabDrill(labId, this.newRunId(), drill, signal);
      const measured = await runFailoverDrill(
        { pve: this.deps.pve, driver: this.deps.hypervisor, clock: this.deps.clock, ...this.wall() },
        {
          ...plan,
          onMilestone: (m) => {
            this.milestones.push(m);
            this.emit();
          },
        },
      );
      // The guess is kept with the run, to be shown next to the measured time.
      const report: FailoverReport = guessMs !== undefined ? { ...measured, guessMs } : measured;
      // Writing the file must not let simulated time run on past the drill's end.
      const release = this.deps.clock.hold('saving drill report');
      try {
        await this.deps.history.save(report);
      } finally {
        release();
      }
      this.last = report;
      return report;
    } finally {
      this.running = false;
      this.emit();
    }
  }

  getState(): DrillStateInfo {
    const current = this.running ? this.milestones : (this.last?.milestones ?? []);
    const latest = current.at(-1);
    const label = latest ? MILESTONE_LABELS[latest.id] : undefined;
    return {
      running: this.running,
      phase: this.running && label ? { ...label } : null,
      elapsedMs: this.running ? this.deps.clock.now() - this.startedAt : 0,
      milestones: current.map((m) => milestoneInfo(m)),
      report: !this.running && this.last ? toFailoverReportInfo(this.last) : null,
    };
  }

  async history(labId: string): Promise<DrillHistoryEntry[]> {
    return (await this.deps.history.list(labId)).map(toDrillHistoryEntry);
  }

  async report(labId: string, runId: string): Promise<FailoverReportInfo> {
    return toFailoverReportInfo(await this.deps.history.load(labId, runId));
  }

  async export(
    labId: string,
    runId: string,
    format: 'csv' | 'json',
  ): Promise<{ filename: string; mime: string; content: string }> {
    const report = await this.deps.history.load(labId, runId);
    const base = `${labId}-${runId}`;
    return format === 'csv'
      ? { filename: `${base}.csv`, mime: 'text/csv', content: reportToCsv(report, this.deps.language()) }
      : {
          filename: `${base}.json`,
          mime: 'application/json',
          content: JSON.stringify(report, null, 2) + '\n',
        };
  }

  private wall(): { wallClock?: () => Date } {
    return this.deps.wallClock ? { wallClock: this.deps.wallClock } : {};
  }

  /** Sortable and file-name safe: `20261123T052800Z-1a2b3c4d`. */
  private newRunId(): string {
    const now = (this.deps.wallClock ?? (() => new Date()))();
    return `${now
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')}-${randomUUID().slice(0, 8)}`;
  }

  private emit(): void {
    const state = this.getState();
    for (const listener of this.listeners) listener(state);
  }
}
