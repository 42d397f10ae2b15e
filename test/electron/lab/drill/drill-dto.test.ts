import { describe, expect, it } from 'vitest';

import { detectMilestones, startDetection } from '../../../../electron/lab/drill/detect-milestones.ts';
import { toDrillHistoryEntry, toFailoverReportInfo } from '../../../../electron/lab/drill/drill-dto.ts';
import { buildFailoverReport } from '../../../../electron/lab/drill/failover-report.ts';
import { normalFailover, record } from './recorded-failovers.ts';

describe('drill DTOs', () => {
  it('carry whole milliseconds even when the clock gave float noise', () => {
    const target = {
      sid: 'vm:100',
      node: 'pve2',
      hitsNode: true,
      fault: 'power-off',
      masterBeforeFault: 'pve1',
    } as const;
    const detection = record(normalFailover, 131).reduce(detectMilestones, startDetection(target, 0));
    // Clock differences such as 190999.99999999977 ms.
    detection.milestones.forEach((m) => (m.at = m.at - 1e-10));
    const report = buildFailoverReport({
      lab: 'proxmox-ha-basics',
      runId: 'run-1',
      startedAt: '2026-11-23T05:00:00.000Z',
      machine: 'pve2',
      pollIntervalMs: 1000,
      detection,
      outcome: 'recovered',
    });
    const info = toFailoverReportInfo(report);
    expect(info.phases.length).toBeGreaterThan(0);
    for (const p of info.phases)
      for (const value of [p.from, p.to, p.duration]) expect(Number.isInteger(value)).toBe(true);
    for (const m of info.milestones) expect(Number.isInteger(m.at)).toBe(true);
    expect(Number.isInteger(info.totalMs)).toBe(true);
    expect(Number.isInteger(toDrillHistoryEntry(report).totalMs)).toBe(true);
    // The outcome crosses the contract as the drill decided it (no coarser "not recovered").
    expect(toFailoverReportInfo({ ...report, outcome: 'no-quorum' }).outcome).toBe('no-quorum');
    expect(toDrillHistoryEntry({ ...report, outcome: 'observed' }).outcome).toBe('observed');
    // Every label crosses in every language, so the UI can switch without asking again.
    expect(info.milestones[0]?.label.es).toBe('Fallo provocado');
    expect(info.phases[0]?.explanation.pl.length).toBeGreaterThan(20);
  });
});
