/** Findings as plain text for the terminal: one line per finding, its fix indented below. */
import type { Finding } from './host-facts.ts';

const MARK: Record<Finding['severity'], string> = {
  ok: 'ok  ',
  info: 'info',
  warning: 'WARN',
  error: 'FAIL',
};

export function formatFindings(findings: Finding[]): string[] {
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`[${MARK[f.severity]}] ${f.title}`);
    if (f.severity !== 'ok') lines.push(`       ${f.detail}`);
    if (f.fix) lines.push(`       → ${f.fix}`);
  }
  return lines;
}
