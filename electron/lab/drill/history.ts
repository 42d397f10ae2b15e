import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { FailoverReport } from './failover-report.ts';

/** Lab ids and run ids become file names: keep them to a safe alphabet. */
const SAFE_ID = /^[a-z0-9][a-z0-9._-]{0,127}$/i;

export interface DrillRunSummary {
  runId: string;
  startedAt: string;
  fault: FailoverReport['fault'];
  outcome: FailoverReport['outcome'];
  target: string;
  recoveredOn?: string;
  /** ms from fault to guest answering (or running), if it got there. */
  totalMs?: number;
}

/**
 * Drill reports kept per lab under `<dataDir>/drills/<lab>/<runId>.json`, each written atomically
 * (write to a temp file, fsync, rename) so a crash mid-write leaves the old file or the new one.
 */
export class DrillHistory {
  constructor(private readonly dataDir: string) {}

  private labDir(lab: string): string {
    if (!SAFE_ID.test(lab)) throw new Error(`drill history: invalid lab id '${lab}'`);
    return join(this.dataDir, 'drills', lab);
  }

  private file(lab: string, runId: string): string {
    if (!SAFE_ID.test(runId)) throw new Error(`drill history: invalid run id '${runId}'`);
    return join(this.labDir(lab), `${runId}.json`);
  }

  async save(report: FailoverReport): Promise<string> {
    const path = this.file(report.lab, report.runId);
    await mkdir(this.labDir(report.lab), { recursive: true });
    await writeFileAtomic(path, JSON.stringify(report, null, 2) + '\n', { encoding: 'utf8', fsync: true });
    return path;
  }

  async load(lab: string, runId: string): Promise<FailoverReport> {
    const path = this.file(lab, runId);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(`drill history: no run '${runId}' for lab '${lab}' (${path})`);
      }
      throw error;
    }
    try {
      return JSON.parse(text) as FailoverReport;
    } catch (error) {
      throw new Error(`drill history: ${path} is not valid JSON: ${(error as Error).message}`);
    }
  }

  /** Every stored run of a lab, newest first. Unreadable files are skipped, not fatal. */
  async list(lab: string): Promise<FailoverReport[]> {
    let names: string[];
    try {
      names = await readdir(this.labDir(lab));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const reports: FailoverReport[] = [];
    for (const name of names) {
      // write-file-atomic's temp files are `<name>.json.<hash>`; only finished files end in .json.
      if (!name.endsWith('.json')) continue;
      try {
        reports.push(JSON.parse(await readFile(join(this.labDir(lab), name), 'utf8')) as FailoverReport);
      } catch {
        continue;
      }
    }
    return reports.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId));
  }

  async summaries(lab: string): Promise<DrillRunSummary[]> {
    return (await this.list(lab)).map(summarizeRun);
  }
}

export function summarizeRun(report: FailoverReport): DrillRunSummary {
  const end =
    report.milestones.find((m) => m.id === 'guest-answering') ??
    report.milestones.find((m) => m.id === 'guest-running');
  const fault = report.milestones.find((m) => m.id === 'fault-injected');
  return {
    runId: report.runId,
    startedAt: report.startedAt,
    fault: report.fault,
    outcome: report.outcome,
    target: report.target.node,
    ...(report.recoveredOn ? { recoveredOn: report.recoveredOn } : {}),
    ...(end && fault ? { totalMs: end.at - fault.at } : {}),
  };
}
