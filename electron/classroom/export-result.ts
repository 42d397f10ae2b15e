/**
 * The student's side: one lab's saved progress and drill runs from this NestLab's data folder,
 * made into a signed result bundle for the teacher.
 */
import { join } from 'node:path';

import { DrillHistory, summarizeRun } from '../lab/drill/history.ts';
import { FileProgressStore } from '../lab/progress-store.ts';
import type { ConnectionFile } from './connection-file.ts';
import { buildResultBundle, type DrillResult, type ResultBundle } from './result-bundle.ts';

export interface ExportResultOptions {
  dataDir: string;
  connection: ConnectionFile;
  lab: { id: string; version: number; profile: string; steps: string[] };
  nestlabVersion: string;
  now?: () => Date;
}

/** The student's guess (seconds or ms) where the run kept one; absent where they wrote none. */
function guessMsOf(report: object): number | undefined {
  const guess = (report as { guess?: unknown }).guess;
  if (typeof guess === 'number' && Number.isFinite(guess) && guess >= 0) return Math.round(guess);
  if (guess && typeof guess === 'object') {
    const { ms, seconds } = guess as { ms?: unknown; seconds?: unknown };
    if (typeof ms === 'number' && ms >= 0) return Math.round(ms);
    if (typeof seconds === 'number' && seconds >= 0) return Math.round(seconds * 1000);
  }
  return undefined;
}

export async function exportLabResult(options: ExportResultOptions): Promise<ResultBundle> {
  const { dataDir, connection, lab } = options;
  if (!connection.limits.labs.includes(lab.id)) {
    throw new Error(
      `Lab "${lab.id}" is not one of the labs of class "${connection.classId}" (${connection.limits.labs.join(', ')}).`,
    );
  }
  const store = new FileProgressStore(join(dataDir, 'progress'));
  const saved = await store.load(lab.id, lab.profile);
  // Damaged progress is kept aside by the store; exporting "nothing passed" instead would be wrong.
  const keptAt = store.takeSetAside(lab.id, lab.profile);
  if (keptAt) {
    throw new Error(
      `The saved progress of lab "${lab.id}" could not be read; it was kept at ${keptAt}. Nothing was exported.`,
    );
  }
  const reports = await new DrillHistory(dataDir).list(lab.id);
  const drills: DrillResult[] = reports.map((report) => {
    const summary = summarizeRun(report);
    const guessMs = guessMsOf(report);
    return {
      runId: summary.runId,
      startedAt: summary.startedAt,
      fault: summary.fault,
      outcome: summary.outcome,
      target: summary.target,
      ...(summary.recoveredOn ? { recoveredOn: summary.recoveredOn } : {}),
      ...(summary.totalMs !== undefined ? { totalMs: Math.round(summary.totalMs) } : {}),
      ...(guessMs !== undefined ? { guessMs } : {}),
    };
  });
  return buildResultBundle(
    {
      lab,
      progress: { steps: saved?.steps ?? {}, hintsShown: saved?.hintsShown ?? {} },
      drills,
      exportedAt: (options.now?.() ?? new Date()).toISOString(),
      nestlabVersion: options.nestlabVersion,
    },
    connection,
  );
}
