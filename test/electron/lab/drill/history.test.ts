import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compareRuns } from '../../../../electron/lab/drill/compare-runs.ts';
import { detectMilestones, startDetection } from '../../../../electron/lab/drill/detect-milestones.ts';
import { buildFailoverReport } from '../../../../electron/lab/drill/failover-report.ts';
import type { FailoverReport } from '../../../../electron/lab/drill/failover-report.ts';
import { DrillHistory } from '../../../../electron/lab/drill/history.ts';
import { masterFailover, normalFailover, record } from './recorded-failovers.ts';
import type { World } from './recorded-failovers.ts';

function run(
  runId: string,
  startedAt: string,
  world: World,
  node: string,
  master: string,
  seconds: number,
): FailoverReport {
  const detection = record(world, seconds).reduce(
    detectMilestones,
    startDetection({ sid: 'vm:100', node, hitsNode: true, fault: 'power-off', masterBeforeFault: master }, 0),
  );
  return buildFailoverReport({
    lab: 'proxmox-ha-basics',
    runId,
    startedAt,
    machine: node,
    pollIntervalMs: 1000,
    detection,
    outcome: 'recovered',
  });
}

describe('DrillHistory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nestlab-drill-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps reports per lab, lists them newest first and loads them back unchanged', async () => {
    const history = new DrillHistory(dir);
    const older = run('r-older', '2026-11-20T10:00:00.000Z', normalFailover, 'pve2', 'pve1', 131);
    const newer = run('r-newer', '2026-11-22T10:00:00.000Z', masterFailover, 'pve1', 'pve1', 192);
    await history.save(older);
    await history.save(newer);
    await history.save({ ...older, lab: 'quorum', runId: 'q1' });
    expect((await history.list('proxmox-ha-basics')).map((r) => r.runId)).toEqual(['r-newer', 'r-older']);
    expect((await history.list('quorum')).map((r) => r.runId)).toEqual(['q1']);
    expect(await history.list('never-run')).toEqual([]);
    expect(await history.load('proxmox-ha-basics', 'r-older')).toEqual(older);
    const summaries = await history.summaries('proxmox-ha-basics');
    expect(summaries[1]).toEqual({
      runId: 'r-older',
      startedAt: '2026-11-20T10:00:00.000Z',
      fault: 'power-off',
      outcome: 'recovered',
      target: 'pve2',
      recoveredOn: 'pve1',
      totalMs: 131_000,
    });
  });

  it('overwrites a run atomically and leaves no temporary files behind', async () => {
    const history = new DrillHistory(dir);
    const report = run('same', '2026-11-20T10:00:00.000Z', normalFailover, 'pve2', 'pve1', 131);
    await history.save(report);
    await history.save({ ...report, outcome: 'not-recovered' });
    expect((await history.load('proxmox-ha-basics', 'same')).outcome).toBe('not-recovered');
    expect(await readdir(join(dir, 'drills', 'proxmox-ha-basics'))).toEqual(['same.json']);
  });

  it('skips a half-written, foreign or wrong-shape file instead of failing the whole list, and says so', async () => {
    const warnings: string[] = [];
    const history = new DrillHistory(dir, (line) => warnings.push(line));
    await history.save(run('good', '2026-11-20T10:00:00.000Z', normalFailover, 'pve2', 'pve1', 131));
    const labDir = join(dir, 'drills', 'proxmox-ha-basics');
    await writeFile(join(labDir, 'broken.json'), '{"lab": "proxm');
    // Valid JSON of the wrong shape used to make drill.history fail for the whole lab (issue #10).
    await writeFile(join(labDir, 'shape.json'), '{"runId": 7, "milestones": "none"}');
    await writeFile(join(labDir, 'null.json'), 'null');
    await writeFile(join(labDir, 'good.json.12345'), 'temp');
    expect((await history.summaries('proxmox-ha-basics')).map((r) => r.runId)).toEqual(['good']);
    expect(warnings.sort()).toEqual([
      `drill history: ${join(labDir, 'broken.json')} skipped: not valid JSON`,
      `drill history: ${join(labDir, 'null.json')} skipped: not a drill run (the file: Invalid input: expected object, received null)`,
      `drill history: ${join(labDir, 'shape.json')} skipped: not a drill run (runId: Invalid input: expected string, received number)`,
    ]);
    await expect(history.load('proxmox-ha-basics', 'broken')).rejects.toMatchObject({
      code: 'not-found',
      message: 'Drill run "broken" of lab "proxmox-ha-basics" is damaged and cannot be shown.',
    });
  });

  it('refuses ids that would escape the data directory and names missing runs, without the path', async () => {
    const history = new DrillHistory(dir);
    await expect(history.load('../etc', 'x')).rejects.toMatchObject({
      code: 'bad-request',
      message: '"../etc" is not a lab id.',
    });
    await expect(history.load('quorum', '../../passwd')).rejects.toMatchObject({ code: 'bad-request' });
    await expect(history.load('quorum', 'nope')).rejects.toMatchObject({
      code: 'not-found',
      message: 'No drill run "nope" for lab "quorum".',
    });
  });
});

describe('compareRuns', () => {
  it('puts two runs side by side with per-phase deltas', () => {
    const a = run('a', '2026-11-20T10:00:00.000Z', normalFailover, 'pve2', 'pve1', 131);
    const b = run('b', '2026-11-21T10:00:00.000Z', masterFailover, 'pve1', 'pve1', 192);
    const c = compareRuns(a, b);
    expect(c.comparable).toBe(false);
    expect(c.phases.find((p) => p.id === 'recovery')).toEqual({
      id: 'recovery',
      a: 118_000,
      b: 181_000,
      delta: 63_000,
    });
    expect(c.milestones.find((m) => m.id === 'ha-node-unknown')).toEqual({
      id: 'ha-node-unknown',
      a: 8000,
      b: 121_000,
      delta: 113_000,
    });
    expect(c.a.target).toBe('pve2');
    expect(compareRuns(a, { ...a, runId: 'a2' }).comparable).toBe(true);
    expect(compareRuns(a, a).phases.every((p) => p.delta === 0)).toBe(true);
  });
});
