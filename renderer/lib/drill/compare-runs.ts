/** Side-by-side phase durations of two drill runs, matched by phase id. */
import type { FailoverReportInfo, LocalizedString } from '@contract/dto.ts';

export interface PhaseComparison {
  id: string;
  label: LocalizedString;
  a: number | null;
  b: number | null;
  /** b − a in ms, when both runs have the phase. */
  delta: number | null;
}

export function comparePhases(a: FailoverReportInfo, b: FailoverReportInfo): PhaseComparison[] {
  const ids = [...new Set([...a.phases.map((p) => p.id), ...b.phases.map((p) => p.id)])];
  return ids.map((id) => {
    const pa = a.phases.find((p) => p.id === id);
    const pb = b.phases.find((p) => p.id === id);
    return {
      id,
      label: (pa ?? pb)!.label,
      a: pa?.duration ?? null,
      b: pb?.duration ?? null,
      delta: pa && pb ? pb.duration - pa.duration : null,
    };
  });
}
