import { screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';

import { comparePhases } from '../../../../renderer/lib/drill/compare-runs.ts';
import DrillTimeline from '../../../../renderer/lib/drill/DrillTimeline.svelte';
import { timelineAxisMax, timelineChartData } from '../../../../renderer/lib/drill/timeline-chart.ts';
import type { LocalizedString } from '@contract/dto.ts';

import { report } from '../../support/fixtures.ts';
import { setup } from '../../support/render-with.ts';

const palette = { within: 'green', outside: 'red', expected: 'amber', text: 'black', grid: 'grey' };
const labels = {
  measured: 'Measured',
  expected: 'Expected range',
  axis: 's',
  pick: (t: LocalizedString) => t.en,
};

describe('failover timeline chart', () => {
  it('draws each phase as a bar on one time axis, in seconds after the fault', () => {
    const data = timelineChartData(report, labels, palette);
    expect(data.labels).toEqual(['Detect the loss', 'Fence delay', 'Lock expiry']);
    const measured = data.datasets.find((d) => d.label === 'Measured')!;
    expect(measured.data).toEqual([
      [0, 20],
      [20, 65],
      [65, 185],
    ]);
    expect(measured.backgroundColor).toEqual(['green', 'red', 'green']);
  });

  it("shades Proxmox's expected range behind each phase, starting where the phase starts", () => {
    const data = timelineChartData(report, labels, palette);
    const expected = data.datasets.find((d) => d.label === 'Expected range')!;
    expect(expected.data).toEqual([
      [5, 30],
      [70, 90],
      [175, 195],
    ]);
    const measured = data.datasets.find((d) => d.label === 'Measured')!;
    // Behind: drawn first (higher order) and not grouped beside the measured bar.
    expect(expected.order).toBeGreaterThan(measured.order);
    expect(expected.grouped).toBe(false);
    expect(timelineAxisMax(report)).toBe(195);
  });

  it('lists every phase with measured time, expected range, verdict and explanation', () => {
    setup().render(DrillTimeline, { report });
    const fence = screen.getByTestId('phase-fence-delay');
    expect(fence.textContent).toContain('45 s');
    expect(fence.textContent).toContain('50 s – 1 min 10 s');
    expect(within(fence).getByText('✗ Outside range')).toBeTruthy();
    expect(within(screen.getByTestId('phase-lock')).getByText('✓ Within range')).toBeTruthy();
    expect(screen.getByText('The CRM waits before fencing.')).toBeTruthy();
  });

  it('compares two runs phase by phase', () => {
    const slower = {
      ...report,
      runId: 'drill-2',
      phases: report.phases.map((p) => ({ ...p, duration: p.duration + 1000 })),
    };
    const rows = comparePhases(report, slower);
    expect(rows.map((r) => r.delta)).toEqual([1000, 1000, 1000]);
    const partial = { ...report, runId: 'drill-3', phases: report.phases.slice(0, 1) };
    expect(comparePhases(report, partial).map((r) => r.b)).toEqual([20_000, null, null]);
  });
});
