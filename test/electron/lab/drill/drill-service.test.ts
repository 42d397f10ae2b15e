import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DrillStateInfo, Language } from '../../../../electron/contract/dto.ts';
import { DrillService, planFromLabDrill } from '../../../../electron/lab/drill/drill-service.ts';
import { importRun } from '../../../../electron/lab/drill/import-run.ts';
import { DrillHistory } from '../../../../electron/lab/drill/history.ts';
import { drillSchema } from '../../../../electron/lab/script/schema.ts';
import { fakeCluster } from './fake-cluster.ts';
import { normalFailover } from './recorded-failovers.ts';

const labDrill = drillSchema.parse({
  target: { select: 'node-running', resource: 'vm:100' },
  fault: 'power-off',
  until: { milestone: 'guest-answering', timeoutSeconds: 400 },
  expected: { fence: { minSeconds: 50, maxSeconds: 60 } },
});

describe('planFromLabDrill', () => {
  it('turns the lab file drill (seconds) into a plan (ms)', () => {
    const plan = planFromLabDrill('proxmox-ha-basics', 'r1', { ...labDrill, observeIntervalSeconds: 0.5 });
    expect(plan).toEqual({
      lab: 'proxmox-ha-basics',
      runId: 'r1',
      target: { select: 'node-running', resource: 'vm:100' },
      fault: 'power-off',
      pollIntervalMs: 500,
      until: 'guest-answering',
      timeoutMs: 400_000,
      expected: { fence: { min: 50_000, max: 60_000 } },
    });
  });
});

describe('DrillService', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nestlab-drill-service-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a lab drill, emits its milestones as they come, stores and exports the report', async () => {
    const fake = fakeCluster(normalFailover, 'pve2', 'pve1', ['pve2']);
    let lang: Language = 'en';
    const service = new DrillService({
      pve: fake.pve,
      hypervisor: fake.driver,
      clock: fake.clock,
      history: new DrillHistory(dir),
      language: () => lang,
      wallClock: () => new Date('2026-11-23T05:30:00.000Z'),
    });
    const states: DrillStateInfo[] = [];
    service.onState((s) => states.push(s));
    await service.run({
      lab: { id: 'proxmox-ha-basics' },
      drill: labDrill,
      signal: new AbortController().signal,
    });

    expect(states[0]).toMatchObject({ running: true, milestones: [] });
    const during = states.filter((s) => s.running).map((s) => s.milestones.length);
    expect(during).toEqual([...during].sort((a, b) => a - b));
    expect(states.some((s) => s.running && s.phase?.en === 'Fence')).toBe(true);

    const state = service.getState();
    expect(state.running).toBe(false);
    expect(state.report?.outcome).toBe('recovered');
    expect(state.report?.totalMs).toBe(131_000);
    expect(state.report?.phases.find((p) => p.id === 'fence-delay')).toMatchObject({
      duration: 56_000,
      within: true,
      label: expect.objectContaining({ en: 'Fence delay', es: 'Espera del fencing' }),
    });

    const history = await service.history('proxmox-ha-basics');
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({
      target: 'pve2',
      fault: 'power-off',
      totalMs: 131_000,
      outcome: 'recovered',
    });
    const runId = history[0]!.runId;
    expect(runId).toMatch(/^20261123T053000Z-[0-9a-f]{8}$/);

    lang = 'pl';
    const report = await service.report('proxmox-ha-basics', runId);
    expect(report.milestones.find((m) => m.id === 'fenced')?.label.pl).toBe('Fencing potwierdzony');
    const csv = await service.export('proxmox-ha-basics', runId, 'csv');
    expect(csv.filename).toBe(`proxmox-ha-basics-${runId}.csv`);
    expect(csv.content).toContain('CRM izoluje (fencing) węzeł');
    const json = await service.export('proxmox-ha-basics', runId, 'json');
    expect(JSON.parse(json.content).runId).toBe(runId);
  });

  it('refuses a second drill while one runs', async () => {
    const fake = fakeCluster(normalFailover, 'pve2', 'pve1', ['pve2']);
    const service = new DrillService({
      pve: fake.pve,
      hypervisor: fake.driver,
      clock: fake.clock,
      history: new DrillHistory(dir),
      language: () => 'en',
    });
    const first = service.runDrill('l', labDrill);
    await expect(service.runDrill('l', labDrill)).rejects.toThrow(/another drill is already running/);
    await first;
  });

  it('keeps the learner’s guess with the run; a classmate’s exported run imports, a bad file is refused by field', async () => {
    const fake = fakeCluster(normalFailover, 'pve2', 'pve1', ['pve2']);
    const history = new DrillHistory(dir);
    const service = new DrillService({
      pve: fake.pve,
      hypervisor: fake.driver,
      clock: fake.clock,
      history,
      language: () => 'en',
    });
    const report = await service.runDrill('proxmox-ha-basics', labDrill, undefined, 90_000);
    const info = await service.report('proxmox-ha-basics', report.runId);
    expect(info.guessMs).toBe(90_000);
    expect(info.totalMs).toBeGreaterThan(0);

    const exported = await service.export('proxmox-ha-basics', report.runId, 'json');
    const imported = importRun('proxmox-ha-basics', 'maria.json', exported.content);
    expect(imported.runId).toBe(`imported-${report.runId}`);
    expect(imported.importedFrom).toBe('maria.json');
    await history.save(imported);
    expect((await service.history('proxmox-ha-basics')).map((e) => e.importedFrom ?? 'own').sort()).toEqual([
      'maria.json',
      'own',
    ]);

    const broken = JSON.parse(exported.content);
    broken.milestones[1].at = 'soon';
    expect(() => importRun('proxmox-ha-basics', 'bad.json', JSON.stringify(broken))).toThrow(
      /^bad\.json: not a NestLab run file: field milestones\.1\.at: /,
    );
    expect(() => importRun('proxmox-ha-basics', 'x.json', '{not json')).toThrow(
      /^x\.json: not a NestLab run file \(not JSON/,
    );
    expect(() => importRun('quorum', 'maria.json', exported.content)).toThrow(
      'this run is from the lab "proxmox-ha-basics", not "quorum"',
    );
  });
});
