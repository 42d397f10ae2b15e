import type { FailoverReport } from './failover-report.ts';
import type { DrillLanguage } from './localized.ts';

const HEADER = [
  'kind',
  'id',
  'node',
  'at_ms',
  'from',
  'to',
  'duration_ms',
  'expected_min_ms',
  'expected_max_ms',
  'within',
  'inferred',
  'explanation',
];

/**
 * One CSV table (RFC 4180) with a row per milestone, then a row per phase, so a spreadsheet can
 * chart or compare runs. Times are integer milliseconds since t0.
 */
export function reportToCsv(report: FailoverReport, language: DrillLanguage = 'en'): string {
  const rows: (string | number | boolean | null | undefined)[][] = [HEADER];
  for (const m of report.milestones) {
    rows.push(['milestone', m.id, m.node, Math.round(m.at), '', '', '', '', '', '', m.inferred ?? false, '']);
  }
  for (const p of report.phases) {
    rows.push([
      'phase',
      p.id,
      '',
      '',
      p.from,
      p.to,
      p.duration === null ? '' : Math.round(p.duration),
      p.expected.min,
      p.expected.max,
      p.within ?? '',
      '',
      p.explanation[language] || p.explanation.en,
    ]);
  }
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(value: string | number | boolean | null | undefined): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
