/**
 * Loads a lab file: YAML → schema → cross-references. Never throws on bad input: every problem
 * comes back as a LabLoadError with file:line:column, the field, expected vs got and, for
 * misspelt keys or values, a did-you-mean.
 */
import { basename, dirname } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { crossCheck, type PathProblem } from './cross-check.ts';
import { didYouMean } from './did-you-mean.ts';
import { knownKeysAt } from './known-keys.ts';
import { fieldPath, type LabLoadError } from './load-error.ts';
import { readLabFile } from './read-lab-file.ts';
import { labSchema, type LabFile } from './schema.ts';
import { checkShape, floodOffset, MAX_LAB_DEPTH, MAX_LAB_NODES } from './yaml-shape.ts';
import { keyPositionOf, positionOf } from './yaml-positions.ts';

export type LoadResult = { ok: true; lab: LabFile; file: string } | { ok: false; errors: LabLoadError[] };

/** Lab files are small; a bigger one is a mistake (or an attack on the parser). See labs/README.md. */
export const MAX_LAB_FILE_BYTES = 1024 * 1024;

export async function loadLabFile(file: string): Promise<LoadResult> {
  const read = await readLabFile(file, MAX_LAB_FILE_BYTES);
  if (!read.ok) return fail({ file, line: 1, column: 1, field: '', message: read.message });
  return loadLabText(read.text, file);
}

export function loadLabText(text: string, file: string): LoadResult {
  try {
    return loadUnsafe(text, file);
  } catch (e) {
    // A bug of ours must still come out as a positioned error, not a crash of the caller.
    return fail({
      file,
      line: 1,
      column: 1,
      field: '',
      message: `internal error while loading: ${String(e)}`,
    });
  }
}

function fail(...errors: LabLoadError[]): LoadResult {
  return { ok: false, errors };
}

function loadUnsafe(text: string, file: string): LoadResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_LAB_FILE_BYTES) {
    return fail({
      file,
      line: 1,
      column: 1,
      field: '',
      message: 'file too large',
      expected: `at most ${MAX_LAB_FILE_BYTES} bytes`,
      got: `${bytes}`,
    });
  }
  const flood = floodOffset(text);
  if (flood !== undefined) {
    const line = text.slice(0, flood).split('\n').length;
    return fail({
      file,
      line,
      column: 1,
      field: '',
      message: `too many YAML nodes (expected at most ${MAX_LAB_NODES} keys, values and list items)`,
    });
  }
  const lineCounter = new LineCounter();
  // Duplicate keys are found by checkShape in one pass: the parser's own check compares every key
  // of a mapping with every other one (112 000 keys took 65 s).
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    return fail(
      ...doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return {
          file,
          line: pos.line,
          column: pos.col,
          field: '',
          // The parser recurses per nesting level; a stack overflow means nesting far past the limit.
          message: /call stack/i.test(e.message)
            ? `nested too deep (expected at most ${MAX_LAB_DEPTH} levels)`
            : `YAML: ${firstLine(e.message)}`,
        };
      }),
    );
  }
  const shapeProblems = checkShape(doc);
  if (shapeProblems.length > 0) {
    return fail(
      ...shapeProblems.map((p) => {
        const pos = lineCounter.linePos(p.offset);
        return { file, line: pos.line, column: pos.col, field: '', message: p.message };
      }),
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    return fail({
      file,
      line: 1,
      column: 1,
      field: '',
      message: `YAML: ${firstLine(String((e as Error).message ?? e))}`,
    });
  }

  const parsed = labSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const errors = parsed.error.issues.flatMap((issue) => issueToErrors(issue, doc, lineCounter, data, file));
    return fail(...sortErrors(errors));
  }

  const lab = parsed.data;
  const problems = crossCheck(lab);
  const folder = basename(dirname(file));
  if (basename(file) === 'lab.yaml' && folder !== lab.id && /^[a-z0-9-]+$/.test(folder)) {
    problems.push({
      path: ['id'],
      message: `the id must match the folder name`,
      expected: `"${folder}"`,
      got: `"${lab.id}"`,
    });
  }
  if (problems.length > 0) {
    return fail(...sortErrors(problems.map((p) => problemToError(p, doc, lineCounter, file))));
  }
  return { ok: true, lab, file };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function problemToError(p: PathProblem, doc: Document, lc: LineCounter, file: string): LabLoadError {
  const pos = positionOf(doc, lc, p.path);
  return {
    file,
    ...pos,
    field: fieldPath(p.path),
    message: p.message,
    expected: p.expected,
    got: p.got,
    didYouMean: p.didYouMean,
  };
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v = data;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null (empty value)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `"${v.length > 60 ? `${v.slice(0, 57)}...` : v}"`;
  return `${typeof v} ${String(v)}`;
}

function issueToErrors(
  issue: z.core.$ZodIssue,
  doc: Document,
  lc: LineCounter,
  data: unknown,
  file: string,
): LabLoadError[] {
  const path = issue.path;
  const field = fieldPath(path);
  const present = valueAt(data, path);
  const base = { file, field };

  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeysAt(labSchema, path, data);
      return issue.keys.map((key) => ({
        ...base,
        ...keyPositionOf(doc, lc, path, key),
        field: fieldPath([...path, key]),
        message: `unknown key "${key}"`,
        expected: known.length ? `one of ${known.join(', ')}` : undefined,
        didYouMean: didYouMean(
          key,
          known.filter((k) => !(present && typeof present === 'object' && k in present)),
        ),
      }));
    }
    case 'invalid_type': {
      if (present === undefined) {
        const parent = path.slice(0, -1);
        const key = String(path[path.length - 1] ?? '');
        return [
          {
            ...base,
            ...positionOf(doc, lc, parent),
            message: `missing required field "${key}"`,
            expected: issue.expected,
          },
        ];
      }
      return [
        {
          ...base,
          ...positionOf(doc, lc, path),
          message: 'wrong type',
          expected: issue.expected,
          got: describeValue(present),
        },
      ];
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      return [
        {
          ...base,
          ...positionOf(doc, lc, path),
          message: 'not an allowed value',
          expected: `one of ${values.join(', ')}`,
          got: describeValue(present),
          didYouMean: typeof present === 'string' ? didYouMean(present, values) : undefined,
        },
      ];
    }
    case 'invalid_union': {
      const disc = (issue as { discriminator?: string }).discriminator;
      const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
      if (disc) {
        const objectPath = path[path.length - 1] === disc ? path.slice(0, -1) : path;
        const value = valueAt(data, [...objectPath, disc]);
        if (value === undefined) {
          return [
            {
              ...base,
              field: fieldPath(objectPath),
              ...positionOf(doc, lc, objectPath),
              message: `missing "${disc}"`,
              expected: `${disc}: one of ${options.join(', ')}`,
            },
          ];
        }
        return [
          {
            ...base,
            field: fieldPath([...objectPath, disc]),
            ...positionOf(doc, lc, [...objectPath, disc]),
            message: `unknown ${disc}`,
            expected: `one of ${options.join(', ')}`,
            got: describeValue(value),
            didYouMean: typeof value === 'string' ? didYouMean(value, options) : undefined,
          },
        ];
      }
      // Plain unions (e.g. a parameter: text, number or boolean): list what each branch wanted.
      const branches = ((issue as { errors?: { code: string; expected?: string }[][] }).errors ?? [])
        .map((branch) => branch.find((i) => i.code === 'invalid_type')?.expected)
        .filter((e): e is string => e !== undefined);
      return [
        {
          ...base,
          ...positionOf(doc, lc, path),
          message: 'matches none of the allowed forms',
          ...(branches.length ? { expected: [...new Set(branches)].join(' or ') } : {}),
          got: describeValue(present),
        },
      ];
    }
    case 'too_small':
    case 'too_big': {
      const bound = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const what =
        issue.origin === 'array'
          ? `${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} item(s)`
          : issue.origin === 'string'
            ? `${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} character(s)`
            : `${issue.code === 'too_small' ? '≥' : '≤'} ${bound}`;
      const got = Array.isArray(present) ? `${present.length} item(s)` : describeValue(present);
      return [
        {
          ...base,
          ...positionOf(doc, lc, path),
          message: issue.code === 'too_small' ? 'too small' : 'too big',
          expected: what,
          got,
        },
      ];
    }
    case 'invalid_format':
      return [{ ...base, ...positionOf(doc, lc, path), message: issue.message, got: describeValue(present) }];
    case 'invalid_key':
      return [{ ...base, ...positionOf(doc, lc, path), message: `invalid key: ${issue.message}` }];
    default:
      return [
        {
          ...base,
          ...positionOf(doc, lc, path),
          message: issue.message,
          got: present === undefined ? undefined : describeValue(present),
        },
      ];
  }
}

function sortErrors(errors: LabLoadError[]): LabLoadError[] {
  return errors.sort((a, b) => a.line - b.line || a.column - b.column);
}
