/**
 * The class list a teacher exports from the school's system: a CSV with a header row naming at
 * least `id` and `name` (more columns are kept out of NestLab). Errors name the file and line.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';

import { STUDENT_ID } from './connection-file.ts';

export interface RosterStudent {
  id: string;
  name: string;
  /** Line in the CSV file, for messages. */
  line: number;
}

export class RosterError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    message: string,
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${message}`);
    this.name = 'RosterError';
  }
}

export function parseRoster(text: string, file: string): RosterStudent[] {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true });
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new RosterError(file, line, `not a readable CSV file (${(error as Error).message})`);
  }
  const header = (rows[0] ?? []).map((h) => h.toLowerCase());
  const idColumn = header.indexOf('id');
  const nameColumn = header.indexOf('name');
  if (idColumn < 0 || nameColumn < 0) {
    throw new RosterError(
      file,
      1,
      `the first row must name the columns "id" and "name" (found: ${header.join(', ') || 'nothing'})`,
    );
  }
  const seen = new Map<string, number>();
  const students: RosterStudent[] = [];
  rows.slice(1).forEach((row, index) => {
    const line = index + 2;
    const id = (row[idColumn] ?? '').toLowerCase();
    const name = row[nameColumn] ?? '';
    if (!STUDENT_ID.test(id)) {
      throw new RosterError(
        file,
        line,
        `id "${id}" must be 1–32 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit (it becomes a Proxmox user and pool name)`,
      );
    }
    if (!name) throw new RosterError(file, line, `student "${id}" has no name`);
    const earlier = seen.get(id);
    if (earlier) throw new RosterError(file, line, `id "${id}" is already used on line ${earlier}`);
    seen.set(id, line);
    students.push({ id, name, line });
  });
  if (students.length === 0) throw new RosterError(file, undefined, 'lists no students');
  return students;
}

export async function readRoster(file: string): Promise<RosterStudent[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new RosterError(
      file,
      undefined,
      `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return parseRoster(text, file);
}
