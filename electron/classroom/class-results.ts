/**
 * What the teacher sees of a class: every result bundle in a folder checked against the class
 * file, one row per verified bundle, and every refused file with the reason. Nothing refused is
 * counted, and nothing is dropped without a line saying so.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';

import type { ClassFile } from './class-file.ts';
import { verifyResultBundle, type ResultPayload, type StudentKeyLookup } from './result-bundle.ts';

/** A bundle holds one lab's steps and drills: far below this. */
const MAX_BUNDLE_BYTES = 1024 * 1024;

export interface ClassResultRow {
  file: string;
  studentId: string;
  studentName: string;
  lab: string;
  stepsTotal: number;
  stepsByLearner: number;
  stepsBySolve: number;
  hintsUsed: number;
  drillRuns: number;
  /** The latest drill run's total, fault to guest answering (ms). */
  lastFailoverMs?: number;
  lastGuessMs?: number;
  lastOutcome?: string;
  exportedAt: string;
}

export interface RefusedFile {
  file: string;
  reason: string;
}

export interface ClassResults {
  rows: ClassResultRow[];
  refused: RefusedFile[];
  /** Students of the class with no verified bundle. */
  missing: string[];
}

export function keysOfClass(classFile: ClassFile): StudentKeyLookup {
  const byId = new Map(classFile.students.map((s) => [s.id, s]));
  return { classId: classFile.classId, keyOf: (id) => byId.get(id) };
}

export function rowOf(file: string, payload: ResultPayload, studentName: string): ClassResultRow {
  const latest = [...payload.drills].sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
  return {
    file,
    studentId: payload.studentId,
    studentName,
    lab: payload.lab.id,
    stepsTotal: payload.lab.steps.length,
    stepsByLearner: payload.steps.filter((s) => s.passedBy === 'learner').length,
    stepsBySolve: payload.steps.filter((s) => s.passedBy === 'nestlab').length,
    hintsUsed: Object.values(payload.hintsShown).reduce((a, b) => a + b, 0),
    drillRuns: payload.drills.length,
    ...(latest?.totalMs !== undefined ? { lastFailoverMs: latest.totalMs } : {}),
    ...(latest?.guessMs !== undefined ? { lastGuessMs: latest.guessMs } : {}),
    ...(latest ? { lastOutcome: latest.outcome } : {}),
    exportedAt: payload.exportedAt,
  };
}

export async function collectClassResults(dir: string, classFile: ClassFile): Promise<ClassResults> {
  const keys = keysOfClass(classFile);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  const rows: ClassResultRow[] = [];
  const refused: RefusedFile[] = [];
  for (const name of names) {
    const file = join(dir, name);
    const stat = await lstat(file);
    if (!stat.isFile()) {
      refused.push({ file: name, reason: 'not a regular file' });
      continue;
    }
    if (stat.size > MAX_BUNDLE_BYTES) {
      refused.push({ file: name, reason: `larger than ${MAX_BUNDLE_BYTES} bytes` });
      continue;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch {
      refused.push({ file: name, reason: 'not valid JSON' });
      continue;
    }
    const verdict = verifyResultBundle(raw, keys);
    if (!verdict.ok) {
      refused.push({ file: name, reason: verdict.message });
      continue;
    }
    const student = classFile.students.find((s) => s.id === verdict.payload.studentId);
    rows.push(rowOf(name, verdict.payload, student?.name ?? verdict.payload.studentId));
  }
  const seen = new Set(rows.map((r) => r.studentId));
  const missing = classFile.students.filter((s) => !seen.has(s.id)).map((s) => s.id);
  rows.sort((a, b) => a.studentId.localeCompare(b.studentId) || a.lab.localeCompare(b.lab));
  return { rows, refused, missing };
}

const CSV_COLUMNS: (keyof ClassResultRow)[] = [
  'studentId',
  'studentName',
  'lab',
  'stepsTotal',
  'stepsByLearner',
  'stepsBySolve',
  'hintsUsed',
  'drillRuns',
  'lastFailoverMs',
  'lastGuessMs',
  'lastOutcome',
  'exportedAt',
  'file',
];

/** One row per verified bundle, for a gradebook (RFC 4180; empty cells where nothing was measured). */
export function classResultsCsv(results: ClassResults): string {
  return stringify(
    results.rows.map((row) => CSV_COLUMNS.map((c) => row[c] ?? '')),
    { header: true, columns: CSV_COLUMNS, record_delimiter: 'windows' },
  );
}
