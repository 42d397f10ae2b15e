/**
 * A classmate's run, imported from the JSON file NestLab exports (drill.export json): validated
 * field by field so a wrong or damaged file is refused with the field that is wrong, never a
 * stack trace, and stored beside the learner's own runs, marked as imported.
 */
import { z } from 'zod';

import { MILESTONE_IDS } from './detect-milestones.ts';
import { FAULT_KINDS } from './fault.ts';
import type { FailoverReport } from './failover-report.ts';

const ms = z
  .number()
  .finite()
  .min(0)
  .max(24 * 3600 * 1000);
const text = z.record(z.string(), z.string());

const reportFile = z.object({
  version: z.literal(1),
  lab: z.string().min(1).max(128),
  runId: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,100}$/i),
  startedAt: z.string().min(1).max(64),
  target: z.object({
    sid: z.string().max(64),
    node: z.string().max(64),
    machine: z.string().max(64),
    hitsNode: z.boolean(),
    wasMaster: z.boolean(),
  }),
  fault: z.enum(FAULT_KINDS),
  pollIntervalMs: ms,
  milestones: z
    .array(
      z.object({
        id: z.enum(MILESTONE_IDS),
        at: ms,
        node: z.string().max(64).optional(),
        quorate: z.boolean().optional(),
        inferred: z.boolean().optional(),
      }),
    )
    .max(100),
  phases: z
    .array(
      z.object({
        id: z.string().max(64),
        from: z.enum(MILESTONE_IDS),
        to: z.enum(MILESTONE_IDS),
        duration: ms.nullable(),
        expected: z.object({ min: ms, max: ms }),
        within: z.boolean().nullable(),
        explanation: text,
      }),
    )
    .max(50),
  outcome: z.enum(['recovered', 'observed', 'not-recovered', 'no-quorum', 'no-failover', 'aborted']),
  recoveredOn: z.string().max(64).optional(),
  guessMs: ms.optional(),
});

export class RunImportError extends Error {}

/** The report in `content`, ready to store for `labId`; throws RunImportError naming the file and field. */
export function importRun(labId: string, fileName: string, content: string): FailoverReport {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    throw new RunImportError(`${fileName}: not a NestLab run file (not JSON: ${(error as Error).message}).`);
  }
  const parsed = reportFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : '(the file)';
    throw new RunImportError(`${fileName}: not a NestLab run file: field ${field}: ${issue.message}.`);
  }
  const report = parsed.data;
  if (report.lab !== labId) {
    throw new RunImportError(`${fileName}: this run is from the lab "${report.lab}", not "${labId}".`);
  }
  return {
    ...(report as unknown as FailoverReport),
    runId: report.runId.startsWith('imported-') ? report.runId : `imported-${report.runId}`,
    importedFrom: fileName.replace(/[^\p{L}\p{N} ._-]/gu, '_').slice(0, 120),
  };
}
