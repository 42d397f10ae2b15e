/**
 * The failover timeline as chart.js data: one horizontal bar per phase on a shared time axis
 * (seconds after the fault), with Proxmox's expected range for the phase shaded behind it.
 */
import type { FailoverReportInfo, LocalizedString } from '@contract/dto.ts';

export interface TimelineLabels {
  measured: string;
  expected: string;
  axis: string;
  /** The current language's text of a phase name the engine sends in every language. */
  pick: (text: LocalizedString) => string;
}

export interface TimelinePalette {
  within: string;
  outside: string;
  expected: string;
  text: string;
  grid: string;
}

export interface TimelineChartData {
  labels: string[];
  datasets: {
    label: string;
    data: [number, number][];
    backgroundColor: string[] | string;
    borderColor: string[] | string;
    borderWidth: number;
    order: number;
    grouped: boolean;
    barPercentage: number;
    categoryPercentage: number;
  }[];
}

const seconds = (ms: number): number => Math.round(ms / 100) / 10;

export function timelineChartData(
  report: FailoverReportInfo,
  labels: TimelineLabels,
  palette: TimelinePalette,
): TimelineChartData {
  const phases = report.phases;
  return {
    labels: phases.map((p) => labels.pick(p.label)),
    datasets: [
      {
        label: labels.measured,
        data: phases.map((p) => [seconds(p.from), seconds(p.to)]),
        backgroundColor: phases.map((p) => (p.within ? palette.within : palette.outside)),
        borderColor: phases.map((p) => (p.within ? palette.within : palette.outside)),
        borderWidth: 1,
        order: 1,
        grouped: false,
        barPercentage: 0.55,
        categoryPercentage: 0.9,
      },
      {
        // Drawn behind (higher order) and wider, so the measured bar sits inside the band.
        label: labels.expected,
        data: phases.map((p) => [seconds(p.from + p.expected.min), seconds(p.from + p.expected.max)]),
        backgroundColor: palette.expected,
        borderColor: palette.expected,
        borderWidth: 0,
        order: 2,
        grouped: false,
        barPercentage: 0.95,
        categoryPercentage: 0.9,
      },
    ],
  };
}

/** The axis end: the last phase end or expected end, whichever is later, in seconds. */
export function timelineAxisMax(report: FailoverReportInfo): number {
  const ends = report.phases.flatMap((p) => [p.to, p.from + p.expected.max]);
  return ends.length === 0 ? 0 : Math.ceil(Math.max(...ends) / 1000);
}
