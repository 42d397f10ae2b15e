import type {
  DrillHistoryEntry,
  DrillMilestoneInfo,
  DrillPhaseInfo,
  FailoverReportInfo,
} from '../../contract/dto.ts';
import type { Milestone, MilestoneId } from './detect-milestones.ts';
import type { FailoverReport } from './failover-report.ts';
import { summarizeRun } from './history.ts';
import type { LocalizedText } from './localized.ts';
import { MILESTONE_LABELS, PHASE_LABELS } from './milestone-labels.ts';

export function milestoneInfo(m: Milestone): DrillMilestoneInfo {
  const label = MILESTONE_LABELS[m.id as MilestoneId];
  // Whole milliseconds: clock differences carry float noise (190999.99999999977) nobody should see.
  return { id: m.id, label: { ...label }, at: Math.round(m.at), ...(m.node ? { node: m.node } : {}) };
}

/** A phase id no table names (a lab's own milestone range) is shown as itself in every language. */
function asLocalized(text: LocalizedText | undefined, fallback: string): LocalizedText {
  return text ? { ...text } : { en: fallback, es: fallback, ca: fallback, fr: fallback, pl: fallback };
}

/** The report as the contract carries it, every text in every language. Unreached phases are left out. */
export function toFailoverReportInfo(report: FailoverReport): FailoverReportInfo {
  const at = (id: string): number | undefined => report.milestones.find((m) => m.id === id)?.at;
  const phases: DrillPhaseInfo[] = [];
  for (const p of report.phases) {
    const from = at(p.from);
    const to = at(p.to);
    if (from === undefined || to === undefined || p.duration === null) continue;
    const label = PHASE_LABELS[p.id] ?? MILESTONE_LABELS[p.id as MilestoneId];
    phases.push({
      id: p.id,
      label: asLocalized(label, p.id),
      from: Math.round(from),
      to: Math.round(to),
      duration: Math.round(p.duration),
      expected: { ...p.expected },
      within: p.within === true,
      explanation: asLocalized(p.explanation, ''),
    });
  }
  return {
    runId: report.runId,
    labId: report.lab,
    startedAt: report.startedAt,
    target: { node: report.target.node, sid: report.target.sid },
    fault: report.fault,
    milestones: report.milestones.map((m) => milestoneInfo(m)),
    phases,
    outcome: report.outcome,
    totalMs: roundOrNull(summarizeRun(report).totalMs),
    ...extras(report),
  };
}

export function toDrillHistoryEntry(report: FailoverReport): DrillHistoryEntry {
  const s = summarizeRun(report);
  return {
    runId: s.runId,
    startedAt: s.startedAt,
    target: s.target,
    fault: s.fault,
    totalMs: roundOrNull(s.totalMs),
    outcome: s.outcome,
    ...extras(report),
  };
}

function extras(report: FailoverReport): { guessMs?: number; importedFrom?: string } {
  return {
    ...(report.guessMs !== undefined ? { guessMs: Math.round(report.guessMs) } : {}),
    ...(report.importedFrom ? { importedFrom: report.importedFrom } : {}),
  };
}

function roundOrNull(ms: number | null | undefined): number | null {
  return ms === null || ms === undefined ? null : Math.round(ms);
}
