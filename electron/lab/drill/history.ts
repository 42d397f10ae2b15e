import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';

import { ApiError } from '../../contract/errors.ts';
import type { FailoverReport } from './failover-report.ts';

/** The fields every reader of a stored run relies on; a file without them is skipped, not fatal. */
const storedRunShape = z.looseObject({
  runId: z.string(),
  lab: z.string(),
  startedAt: z.string(),
  fault: z.string(),
  outcome: z.string(),
  target: z.looseObject({ node: z.string() }),
  milestones: z.array(z.looseObject({ id: z.string(), at: z.number() })),
  phases: z.array(z.unknown()),
});

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
  /** `warn` hears about every stored run that is skipped because it cannot be read. */
  constructor(
    private readonly dataDir: string,
    private readonly warn: (line: string) => void = () => undefined,
  ) {}

  private labDir(lab: string): string {
    if (!SAFE_ID.test(lab)) throw new ApiError('bad-request', `"${lab}" is not a lab id.`);
    return join(this.dataDir, 'drills', lab);
  }

  private file(lab: string, runId: string): string {
    if (!SAFE_ID.test(runId)) throw new ApiError('bad-request', `"${runId}" is not a drill run id.`);
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
      const code = (error as NodeJS.ErrnoException).code;
      // No host path in the message: it reaches the learner's screen.
      if (code === 'ENOENT' || code === 'EISDIR') {
        throw new ApiError('not-found', `No drill run "${runId}" for lab "${lab}".`);
      }
      throw error;
    }
    const report = parseStoredRun(text);
    if (!report.ok) {
      this.warn(`drill history: ${path} skipped: ${report.reason}`);
      throw new ApiError('not-found', `Drill run "${runId}" of lab "${lab}" is damaged and cannot be shown.`);
    }
    return report.report;
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
      const path = join(this.labDir(lab), name);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        this.warn(
          `drill history: ${path} skipped: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        );
        continue;
      }
      const report = parseStoredRun(text);
      if (report.ok) reports.push(report.report);
      else this.warn(`drill history: ${path} skipped: ${report.reason}`);
    }
    return reports.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.runId.localeCompare(a.runId));
  }

  async summaries(lab: string): Promise<DrillRunSummary[]> {
    return (await this.list(lab)).map(summarizeRun);
  }
}

function parseStoredRun(text: string): { ok: true; report: FailoverReport } | { ok: false; reason: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  const shape = storedRunShape.safeParse(data);
  if (!shape.success) {
    const issue = shape.error.issues[0];
    return {
      ok: false,
      reason: `not a drill run (${issue?.path.join('.') || 'the file'}: ${issue?.message ?? 'wrong shape'})`,
    };
  }
  return { ok: true, report: data as FailoverReport };
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
