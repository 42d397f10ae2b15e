/** Which steps belong to a run: a step may be limited to some profiles and/or backends. */
import type { LabFile, LabProfile, LabStep } from './schema.ts';

/** True when the step is part of a run of `profile` on `backend`. */
export function stepApplies(step: LabStep, profile: LabProfile, backend: string): boolean {
  const only = step.appliesTo;
  if (only?.profiles && !only.profiles.includes(profile.id)) return false;
  if (only?.backends && !only.backends.some((b) => b === backend)) return false;
  return true;
}

/** Profiles a step can ever run in (used to check its node names against each topology). */
export function profilesOfStep(lab: LabFile, step: LabStep): LabProfile[] {
  return lab.profiles.filter((profile) =>
    profile.backends.some((backend) => stepApplies(step, profile, backend)),
  );
}
