/**
 * A student's results for one lab, as the teacher receives them: which steps passed and who
 * passed them (the learner, or NestLab's Solve), hints used, drill runs with the student's guess,
 * timestamps — signed with the student's key from the connection file. The signature covers the
 * canonical JSON of `payload`, so any edit, even of white space inside a value, is refused.
 */
import { z } from 'zod';

import { canonicalJson } from './canonical-json.ts';
import type { ConnectionFile } from './connection-file.ts';
import { signBytes, verifyBytes } from './student-key.ts';

const stepResultSchema = z.object({
  id: z.string(),
  passedBy: z.enum(['learner', 'nestlab']),
  passedAt: z.string(),
});

const drillResultSchema = z.object({
  runId: z.string(),
  startedAt: z.string(),
  fault: z.string(),
  outcome: z.string(),
  target: z.string(),
  recoveredOn: z.string().optional(),
  /** ms from the fault to the guest answering (or running), when it got there. */
  totalMs: z.number().int().nonnegative().optional(),
  /** The student's guess before the run, in ms, when they wrote one down. */
  guessMs: z.number().int().nonnegative().optional(),
});

export const resultPayloadSchema = z.object({
  format: z.literal(1),
  kind: z.literal('nestlab-result'),
  classId: z.string(),
  studentId: z.string(),
  keyId: z.string(),
  lab: z.object({ id: z.string(), version: z.number(), profile: z.string(), steps: z.array(z.string()) }),
  steps: z.array(stepResultSchema),
  hintsShown: z.record(z.string(), z.number().int().nonnegative()),
  drills: z.array(drillResultSchema),
  exportedAt: z.string(),
  nestlabVersion: z.string(),
});

export const resultBundleSchema = z.object({ payload: resultPayloadSchema, signature: z.string().min(1) });

export type ResultPayload = z.infer<typeof resultPayloadSchema>;
export type ResultBundle = z.infer<typeof resultBundleSchema>;
export type DrillResult = z.infer<typeof drillResultSchema>;

export interface ResultInput {
  lab: { id: string; version: number; profile: string; steps: string[] };
  progress: {
    steps: Record<string, { passedBy: 'learner' | 'nestlab'; passedAt: string }>;
    hintsShown: Record<string, number>;
  };
  drills: DrillResult[];
  exportedAt: string;
  nestlabVersion: string;
}

export function buildResultBundle(input: ResultInput, connection: ConnectionFile): ResultBundle {
  // Steps in the lab's order, so the teacher reads them as the student did them.
  const steps = input.lab.steps.flatMap((id) => {
    const passed = input.progress.steps[id];
    return passed ? [{ id, ...passed }] : [];
  });
  const payload: ResultPayload = {
    format: 1,
    kind: 'nestlab-result',
    classId: connection.classId,
    studentId: connection.student.id,
    keyId: connection.signing.keyId,
    lab: input.lab,
    steps,
    hintsShown: input.progress.hintsShown,
    drills: input.drills,
    exportedAt: input.exportedAt,
    nestlabVersion: input.nestlabVersion,
  };
  return { payload, signature: signBytes(canonicalJson(payload), connection.signing.privateKeyPem) };
}

export type BundleVerdict =
  | { ok: true; payload: ResultPayload }
  | {
      ok: false;
      reason: 'malformed' | 'other-class' | 'unknown-student' | 'other-key' | 'altered';
      message: string;
    };

/** The public key the teacher holds for a student, looked up by student id. */
export interface StudentKeyLookup {
  classId: string;
  keyOf(studentId: string): { keyId: string; publicKeyPem: string } | undefined;
}

export function verifyResultBundle(raw: unknown, keys: StudentKeyLookup): BundleVerdict {
  const parsed = resultBundleSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, reason: 'malformed', message: 'not a NestLab result bundle' };
  }
  const { payload, signature } = parsed.data;
  if (payload.classId !== keys.classId) {
    return {
      ok: false,
      reason: 'other-class',
      message: `belongs to class "${payload.classId}", not "${keys.classId}"`,
    };
  }
  const key = keys.keyOf(payload.studentId);
  if (!key) {
    return {
      ok: false,
      reason: 'unknown-student',
      message: `student "${payload.studentId}" is not in this class`,
    };
  }
  if (key.keyId !== payload.keyId) {
    return {
      ok: false,
      reason: 'other-key',
      message: `signed with key "${payload.keyId}", not the student's key "${key.keyId}"`,
    };
  }
  // Verify what the schema kept, re-serialised: fields added by hand are dropped by the schema and so break the signature.
  const rawPayload = (raw as { payload: unknown }).payload;
  if (
    canonicalJson(rawPayload) !== canonicalJson(payload) ||
    !verifyBytes(canonicalJson(payload), signature, key.publicKeyPem)
  ) {
    return {
      ok: false,
      reason: 'altered',
      message: 'the signature does not match: the file was changed after the student exported it',
    };
  }
  return { ok: true, payload };
}
