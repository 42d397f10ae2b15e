import type { ProgressStore, SavedProgress } from './progress-store.ts';

/** Progress kept in memory only: for headless runs (`nestlab lab test`) that must not touch the user's saves. */
export class MemoryProgressStore implements ProgressStore {
  readonly saved = new Map<string, SavedProgress>();
  saves = 0;

  async load(labId: string, profile: string): Promise<SavedProgress | undefined> {
    const p = this.saved.get(`${labId}.${profile}`);
    return p ? structuredClone(p) : undefined;
  }

  async save(progress: SavedProgress): Promise<void> {
    this.saves++;
    this.saved.set(`${progress.labId}.${progress.profile}`, structuredClone(progress));
  }

  async clear(labId: string, profile: string): Promise<void> {
    this.saved.delete(`${labId}.${profile}`);
  }
}
