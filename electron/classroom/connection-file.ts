/**
 * A student's connection file: written by the teacher's `class prepare`, opened by the student's
 * NestLab. It says where the school's Proxmox VE server is (with the certificate fingerprint the
 * teacher confirmed), how this student logs in, what they may build, and the key that signs
 * their results.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const FINGERPRINT = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;
export const CLASS_ID = /^[a-z0-9][a-z0-9-]{0,30}$/;
export const STUDENT_ID = /^[a-z0-9][a-z0-9._-]{0,31}$/;

export const classLimitsSchema = z.object({
  /** Memory all of the student's running lab machines may use together. */
  memoryMiB: z.number().int().positive(),
  /** Disk all of the student's lab machines may allocate together. */
  diskGiB: z.number().int().positive(),
  /** Lab ids the student may build; an empty list means none. */
  labs: z.array(z.string().min(1)),
});

export type ClassLimits = z.infer<typeof classLimitsSchema>;

export const connectionFileSchema = z.object({
  format: z.literal(1),
  kind: z.literal('nestlab-class-connection'),
  classId: z.string().regex(CLASS_ID),
  student: z.object({ id: z.string().regex(STUDENT_ID), name: z.string().min(1) }),
  server: z.object({
    url: z.url({ protocol: /^https$/ }),
    fingerprint: z.string().regex(FINGERPRINT, 'a SHA-256 fingerprint, AB:CD:… (32 pairs)'),
  }),
  /** An API token of the student's own Proxmox user, limited by ACLs to their pool and network. */
  credentials: z.object({ tokenId: z.string().min(1), secret: z.string().min(1) }),
  pool: z.string().min(1),
  network: z.string().min(1),
  limits: classLimitsSchema,
  signing: z.object({ keyId: z.string().min(1), privateKeyPem: z.string().includes('PRIVATE KEY') }),
});

export type ConnectionFile = z.infer<typeof connectionFileSchema>;

export class ConnectionFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ConnectionFileError';
  }
}

/** Each problem as `field: what is wrong`, so the student can tell the teacher which line. */
export function describeZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(file)'}: ${issue.message}`)
    .join('; ');
}

export function parseConnectionFile(text: string, file: string): ConnectionFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConnectionFileError(
      file,
      `not a NestLab connection file (invalid JSON: ${(error as Error).message})`,
    );
  }
  const parsed = connectionFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConnectionFileError(file, describeZodIssues(parsed.error));
  return parsed.data;
}

export async function readConnectionFile(file: string): Promise<ConnectionFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConnectionFileError(
      file,
      `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return parseConnectionFile(text, file);
}
