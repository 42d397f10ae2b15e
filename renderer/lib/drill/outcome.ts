/**
 * How a drill's outcome reads: recovered is good; a failover that could not happen by design
 * (no quorum, a strict rule with no node left, a reboot) is a lesson, not a failure; the rest is bad.
 * The mark carries the meaning as well as the colour.
 */
import type { FailoverReportInfo } from '@contract/dto.ts';

type Outcome = FailoverReportInfo['outcome'];

export function outcomeTone(outcome: Outcome): 'ok' | 'warn' | 'bad' {
  if (outcome === 'recovered') return 'ok';
  if (outcome === 'observed' || outcome === 'no-quorum' || outcome === 'no-failover') return 'warn';
  return 'bad';
}

export function outcomeMark(outcome: Outcome): string {
  return { ok: '✓', warn: '○', bad: '✗' }[outcomeTone(outcome)];
}
