/**
 * The teacher's class file, written by `class prepare` and kept by the teacher: the server, the
 * limits, and per student what was created for them and the public half of their signing key.
 * `class results`, `status` and `teardown` read it; students never get it.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

import { CLASS_ID, classLimitsSchema, describeZodIssues, STUDENT_ID } from './connection-file.ts';

export const classStudentSchema = z.object({
  id: z.string().regex(STUDENT_ID),
  name: z.string().min(1),
  keyId: z.string().min(1),
  publicKeyPem: z.string().includes('PUBLIC KEY'),
  /** What `prepare` created on the server for this student (teardown removes exactly these). */
  userId: z.string().min(1),
  tokenId: z.string().min(1),
  pool: z.string().min(1),
  network: z.string().min(1),
});

export const classFileSchema = z.object({
  format: z.literal(1),
  kind: z.literal('nestlab-class'),
  classId: z.string().regex(CLASS_ID),
  createdAt: z.string(),
  server: z.object({ url: z.string(), fingerprint: z.string() }),
  limits: classLimitsSchema,
  students: z.array(classStudentSchema),
});

export type ClassFile = z.infer<typeof classFileSchema>;
export type ClassStudent = z.infer<typeof classStudentSchema>;

export class ClassFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ClassFileError';
  }
}

export function parseClassFile(text: string, file: string): ClassFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ClassFileError(file, `not a NestLab class file (invalid JSON: ${(error as Error).message})`);
  }
  const parsed = classFileSchema.safeParse(raw);
  if (!parsed.success) throw new ClassFileError(file, describeZodIssues(parsed.error));
  return parsed.data;
}

export async function readClassFile(file: string): Promise<ClassFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ClassFileError(file, `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseClassFile(text, file);
}
