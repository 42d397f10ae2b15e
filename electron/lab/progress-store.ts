/**
 * A learner's progress through a lab, saved after every change and read back on start, so a
 * crash or a restart resumes where they were. Files are replaced atomically (write to a temp file,
 * fsync, rename): a crash mid-write leaves the previous version intact.
 */
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';

const savedProgressSchema = z.object({
  format: z.literal(1),
  labId: z.string(),
  labVersion: z.number(),
  profile: z.string(),
  steps: z.record(z.string(), z.object({ passedBy: z.enum(['learner', 'nestlab']), passedAt: z.string() })),
  hintsShown: z.record(z.string(), z.number().int().min(0)),
  savedAt: z.string(),
});

export type SavedProgress = z.infer<typeof savedProgressSchema>;

export interface ProgressStore {
  load(labId: string, profile: string): Promise<SavedProgress | undefined>;
  /** Where the last load kept a damaged progress file aside (once; then forgotten). */
  takeSetAside?(labId: string, profile: string): string | undefined;
  save(progress: SavedProgress): Promise<void>;
  clear(labId: string, profile: string): Promise<void>;
}

const SAFE_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export class FileProgressStore implements ProgressStore {
  /** Writes are chained so a later save never lands before an earlier one. */
  private pending: Promise<void> = Promise.resolve();
  private readonly setAside = new Map<string, string>();

  constructor(private readonly dir: string) {}

  takeSetAside(labId: string, profile: string): string | undefined {
    const key = `${labId}.${profile}`;
    const kept = this.setAside.get(key);
    this.setAside.delete(key);
    return kept;
  }

  /** Not ours, damaged by hand, or not even a file: kept aside for inspection, never overwritten. */
  private async keepAside(labId: string, profile: string, file: string): Promise<undefined> {
    const kept = `${file}.unreadable-${Date.now()}`;
    await rename(file, kept).then(
      () => this.setAside.set(`${labId}.${profile}`, kept),
      () => undefined,
    );
    return undefined;
  }

  fileOf(labId: string, profile: string): string {
    if (!SAFE_NAME.test(labId) || !SAFE_NAME.test(profile)) {
      throw new Error(`progress: invalid lab or profile id "${labId}"/"${profile}"`);
    }
    return join(this.dir, `${labId}.${profile}.json`);
  }

  async load(labId: string, profile: string): Promise<SavedProgress | undefined> {
    await this.pending;
    const file = this.fileOf(labId, profile);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      // A folder (or another non-file) where the progress file belongs: damage like any other.
      if (code === 'EISDIR') return this.keepAside(labId, profile, file);
      throw new Error(`progress: cannot read ${file}: ${(e as Error).message}`);
    }
    let parsed: ReturnType<typeof savedProgressSchema.safeParse>;
    try {
      parsed = savedProgressSchema.safeParse(JSON.parse(text));
    } catch {
      parsed = savedProgressSchema.safeParse(undefined);
    }
    if (!parsed.success || parsed.data.labId !== labId || parsed.data.profile !== profile) {
      return this.keepAside(labId, profile, file);
    }
    return parsed.data;
  }

  save(progress: SavedProgress): Promise<void> {
    const file = this.fileOf(progress.labId, progress.profile);
    const text = `${JSON.stringify(progress, null, 2)}\n`;
    const write = this.pending.then(async () => {
      await mkdir(this.dir, { recursive: true });
      await writeFileAtomic(file, text, { fsync: true });
    });
    this.pending = write.catch(() => undefined);
    return write;
  }

  async clear(labId: string, profile: string): Promise<void> {
    const file = this.fileOf(labId, profile);
    const removal = this.pending.then(() => rm(file, { force: true }));
    this.pending = removal.catch(() => undefined);
    await removal;
  }
}
