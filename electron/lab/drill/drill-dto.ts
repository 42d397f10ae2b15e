import type {
  DrillHistoryEntry,
  DrillMilestoneInfo,
  DrillPhaseInfo,
  FailoverReportInfo,
} from '../../contract/dto.ts';
import type { Milestone, MilestoneId } from './detect-milestones.ts';
import type { FailoverReport } from './failover-report.ts';
import { summarizeRun } from './history.ts';
import type { DrillLanguage } from './localized.ts';
import { MILESTONE_LABELS, PHASE_LABELS } from './milestone-labels.ts';

export function milestoneInfo(m: Milestone, lang: DrillLanguage): DrillMilestoneInfo {
  const label = MILESTONE_LABELS[m.id as MilestoneId];
  // Whole milliseconds: clock differences carry float noise (190999.99999999977) nobody should see.
  return { id: m.id, label: label[lang] || label.en, at: Math.round(m.at), ...(m.node ? { node: m.node } : {}) };
}

/** The report in the UI's language, as the contract carries it. Unreached phases are left out. */
export function toFailoverReportInfo(report: FailoverReport, lang: DrillLanguage): FailoverReportInfo {
  const at = (id: string): number | undefined => report.milestones.find((m) => m.id === id)?.at;
  const phases: DrillPhaseInfo[] = [];
  for (const p of report.phases) {
    const from = at(p.from);
    const to = at(p.to);
    if (from === undefined || to === undefined || p.duration === null) continue;
    const label = PHASE_LABELS[p.id] ?? MILESTONE_LABELS[p.id as MilestoneId];
    phases.push({
      id: p.id,
      label: label ? label[lang] || label.en : p.id,
      from: Math.round(from),
      to: Math.round(to),
      duration: Math.round(p.duration),
      expected: { ...p.expected },
      within: p.within === true,
      explanation: p.explanation[lang] || p.explanation.en,
    });
  }
  return {
    runId: report.runId,
    labId: report.lab,
    startedAt: report.startedAt,
    target: { node: report.target.node, sid: report.target.sid },
    fault: report.fault,
    milestones: report.milestones.map((m) => milestoneInfo(m, lang)),
    phases,
    outcome: report.outcome,
    totalMs: roundOrNull(summarizeRun(report).totalMs),
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
  };
}

function roundOrNull(ms: number | null | undefined): number | null {
  return ms === null || ms === undefined ? null : Math.round(ms);
}
