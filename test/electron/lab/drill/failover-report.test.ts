import { describe, expect, it } from 'vitest';
import { detectMilestones, startDetection } from '../../../../electron/lab/drill/detect-milestones.ts';
import type { DrillTarget } from '../../../../electron/lab/drill/detect-milestones.ts';
import { DRILL_LANGUAGES } from '../../../../electron/lab/drill/localized.ts';
import { buildFailoverReport } from '../../../../electron/lab/drill/failover-report.ts';
import type { FailoverReport } from '../../../../electron/lab/drill/failover-report.ts';
import { reportToCsv } from '../../../../electron/lab/drill/report-csv.ts';
import { expectedPhases } from '../../../../electron/lab/drill/expected-phases.ts';
import { FAULT_KINDS } from '../../../../electron/lab/drill/fault.ts';
import { nodeLossWindows } from '../../../../electron/lab/drill/ha-timing.ts';
import { masterFailover, normalFailover, record, strictRuleNoNode } from './recorded-failovers.ts';
import type { World } from './recorded-failovers.ts';

function reportFor(
  target: DrillTarget,
  world: World,
  seconds: number,
  outcome: FailoverReport['outcome'],
): FailoverReport {
  const detection = record(world, seconds).reduce(detectMilestones, startDetection(target, 0));
  return buildFailoverReport({
    lab: 'proxmox-ha-basics',
    runId: 'run-1',
    startedAt: '2026-11-23T05:00:00.000Z',
    machine: target.node,
    pollIntervalMs: 1000,
    detection,
    outcome,
  });
}

const phase = (r: FailoverReport, id: string) => r.phases.find((p) => p.id === id);

describe('buildFailoverReport', () => {
  it('compares each phase of a normal failover with the non-master ranges', () => {
    const r = reportFor(
      { sid: 'vm:100', node: 'pve2', hitsNode: true, fault: 'power-off', masterBeforeFault: 'pve1' },
      normalFailover,
      131,
      'recovered',
    );
    expect(r.target).toEqual({
      sid: 'vm:100',
      node: 'pve2',
      machine: 'pve2',
      hitsNode: true,
      wasMaster: false,
    });
    expect(r.recoveredOn).toBe('pve1');
    expect(phase(r, 'detection')).toMatchObject({ duration: 4000, within: true });
    expect(phase(r, 'fence-delay')).toMatchObject({
      duration: 56_000,
      expected: nodeLossWindows(false).fence,
      within: true,
    });
    expect(phase(r, 'lock-expiry')).toMatchObject({
      duration: 118_000,
      expected: nodeLossWindows(false).fenced,
      within: true,
    });
    expect(phase(r, 'recovery')).toMatchObject({ duration: 118_000, within: true });
    expect(phase(r, 'vm-start')).toMatchObject({ duration: 5000, within: true });
    expect(phase(r, 'guest-boot')).toMatchObject({ duration: 8000, within: true });
    expect(phase(r, 'total')).toMatchObject({ duration: 131_000, within: true });
    expect(phase(r, 'fence-delay')?.explanation.en).toMatch(/60 s/);
    // A plain JSON DTO: survives a round trip unchanged.
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('uses the master-variant ranges when the dead node was the CRM master', () => {
    const r = reportFor(
      { sid: 'vm:100', node: 'pve1', hitsNode: true, fault: 'power-off', masterBeforeFault: 'pve1' },
      masterFailover,
      192,
      'recovered',
    );
    expect(r.target.wasMaster).toBe(true);
    expect(phase(r, 'fence-delay')).toMatchObject({
      duration: 181_000,
      expected: nodeLossWindows(true).fence,
      within: true,
    });
    expect(phase(r, 'recovery')).toMatchObject({ duration: 181_000, within: true });
  });

  it('flags a phase outside its range and leaves unreached phases null', () => {
    const r = reportFor(
      { sid: 'vm:100', node: 'pve2', hitsNode: true, fault: 'power-off', masterBeforeFault: 'pve1' },
      strictRuleNoNode,
      300,
      'not-recovered',
    );
    expect(phase(r, 'recovery')).toMatchObject({ duration: null, within: null });
    expect(phase(r, 'total')).toMatchObject({ duration: null, within: null });
    // Same recording judged as if pve2 had been the master: a 57 s fence is far too early.
    const asMaster = reportFor(
      { sid: 'vm:100', node: 'pve2', hitsNode: true, fault: 'power-off', masterBeforeFault: 'pve2' },
      strictRuleNoNode,
      300,
      'not-recovered',
    );
    expect(phase(asMaster, 'fence-delay')).toMatchObject({ duration: 57_000, within: false });
  });

  it('has an explanation in every language for every phase of every fault', () => {
    for (const fault of FAULT_KINDS) {
      for (const master of [false, true]) {
        for (const spec of expectedPhases(fault, { hitsNode: true, wasMaster: master })) {
          expect(spec.expected.min).toBeLessThanOrEqual(spec.expected.max);
          for (const lang of DRILL_LANGUAGES)
            expect(spec.explanation[lang].length, `${fault}/${spec.id}/${lang}`).toBeGreaterThan(20);
        }
      }
    }
  });
});

describe('reportToCsv', () => {
  it('writes a row per milestone and per phase, quoting fields that need it', () => {
    const r = reportFor(
      { sid: 'vm:100', node: 'pve2', hitsNode: true, fault: 'power-off', masterBeforeFault: 'pve1' },
      normalFailover,
      131,
      'recovered',
    );
    const csv = reportToCsv(r, 'es');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'kind,id,node,at_ms,from,to,duration_ms,expected_min_ms,expected_max_ms,within,inferred,explanation',
    );
    expect(lines).toHaveLength(1 + r.milestones.length + r.phases.length);
    expect(lines).toContain('milestone,service-started,pve1,118000,,,,,,,false,');
    expect(lines).toContain('milestone,recovery,pve1,118000,,,,,,,true,');
    const fence = lines.find((l) => l.startsWith('phase,fence-delay,'));
    expect(fence).toBe(
      `phase,fence-delay,,,fault-injected,fence,56000,${nodeLossWindows(false).fence.min},${nodeLossWindows(false).fence.max},true,,` +
        '"El CRM solo aísla (fencing) un nodo 60 s después de haberlo visto en línea por última vez, y mira cada 10 s."',
    );
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('escapes embedded quotes by doubling them', () => {
    const r = reportFor(
      { sid: 'vm:100', node: 'pve2', hitsNode: true, fault: 'acpi-shutdown' },
      normalFailover,
      10,
      'aborted',
    );
    const csv = reportToCsv(r, 'en');
    // No comma, quote or newline: left bare. With a comma: quoted.
    expect(csv).toContain(
      `,A clean shutdown first stops the guests (HA shutdown policy 'conditional') and the cluster services; only then does the node leave.\r\n`,
    );
    expect(csv).toContain(
      `,"The CRM fences a node only 60 s after it last saw it online, and it looks every 10 s."\r\n`,
    );
    const withQuote = {
      ...r,
      phases: r.phases.map((p) => ({ ...p, explanation: { ...p.explanation, en: 'say "hi", then go' } })),
    };
    expect(reportToCsv(withQuote, 'en')).toContain('"say ""hi"", then go"');
  });
});

describe('total phase without a guest agent', () => {
  it('ends the total at "guest running" when the guest never answers', () => {
    const noAgent: World = (t) => ({ ...normalFailover(t), agentPing: undefined });
    const r = reportFor(
      { sid: 'vm:100', node: 'pve2', hitsNode: true, fault: 'power-off', masterBeforeFault: 'pve1' },
      noAgent,
      140,
      'recovered',
    );
    expect(r.phases.find((p) => p.id === 'total')).toMatchObject({
      to: 'guest-running',
      duration: 123_000,
      within: true,
    });
    expect(r.phases.find((p) => p.id === 'guest-boot')).toMatchObject({ duration: null, within: null });
  });
});

describe('reset that outlasts the fence delay', () => {
  it('is timed like a power-off, plus the node-return phase', () => {
    // pve2 is reset but takes 150 s to come back: fenced and recovered on pve1 meanwhile.
    const slowReset: World = (t) => ({
      ...normalFailover(t),
      cluster: { quorate: true, nodes: { pve1: true, pve2: t < 4 || t >= 150, pve3: true } },
    });
    const r = reportFor(
      { sid: 'vm:100', node: 'pve2', hitsNode: true, fault: 'reset', masterBeforeFault: 'pve1' },
      slowReset,
      160,
      'recovered',
    );
    expect(r.phases.map((p) => p.id)).toEqual([
      'detection',
      'fence-delay',
      'lock-expiry',
      'recovery',
      'vm-start',
      'guest-boot',
      'total',
      'node-return',
    ]);
    expect(r.phases.find((p) => p.id === 'recovery')).toMatchObject({ duration: 118_000, within: true });
    expect(r.phases.find((p) => p.id === 'node-return')).toMatchObject({ duration: 150_000, within: true });
  });
});
