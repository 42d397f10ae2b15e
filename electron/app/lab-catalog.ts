/** The labs found in the labs folder, summarised for the library in the learner's language. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { BackendKind, Language, LabLibrary, LabSummary } from '../contract/dto.ts';
import { LANGUAGES } from '../contract/dto.ts';
import type { LabFile, LocalizedText } from '../lab/script/schema.ts';
import { stepApplies } from '../lab/script/applicability.ts';
import { loadLabForApp } from './load-lab.ts';

export function localize(text: LocalizedText, lang: Language): string {
  return text[lang] ?? text.en;
}

/** Languages a lab is fully written in: every step title and instruction has the translation. */
export function labLanguages(lab: LabFile): Language[] {
  return LANGUAGES.filter(
    (lang) =>
      lab.title[lang] !== undefined &&
      lab.steps.every((step) => step.title[lang] !== undefined && step.instructions[lang] !== undefined),
  );
}

function parseMinutes(text: string): number {
  const match = /(\d+)/.exec(text);
  return match ? Number(match[1]) : 0;
}

export function summarise(lab: LabFile, lang: Language, backend: BackendKind = 'sim'): LabSummary {
  // Steps the learner will see with the backend in use (VirtualBox labs add install steps).
  const profile = lab.profiles.find((p) => p.backends.includes(backend)) ?? lab.profiles[0];
  return {
    id: lab.id,
    version: String(lab.version),
    title: localize(lab.title, lang),
    summary: localize(lab.summary, lang),
    level: localize(lab.level, lang),
    estimatedMinutes: parseMinutes(lab.estimatedTime.en),
    languages: labLanguages(lab),
    profiles: lab.profiles.map((profile) => ({
      id: profile.id,
      backend: profile.backends.includes('sim') ? 'sim' : 'virtualbox',
      title: localize(profile.title, lang),
      minHostMemoryMiB: profile.minHostMemoryMiB,
    })),
    stepCount: profile ? lab.steps.filter((step) => stepApplies(step, profile, backend)).length : lab.steps.length,
    ...(lab.course
      ? {
          course: {
            order: lab.course.order,
            ...(lab.course.next ? { next: lab.course.next } : {}),
            ...(lab.course.startsFrom ? { startsFrom: lab.course.startsFrom.lab } : {}),
          },
        }
      : {}),
  };
}

/** As a course: by `course.order`, labs outside the course after them, each group by title. */
export function courseOrder(a: LabSummary, b: LabSummary): number {
  const rank = (l: LabSummary) => l.course?.order ?? Number.MAX_SAFE_INTEGER;
  return rank(a) - rank(b) || a.title.localeCompare(b.title);
}

export class LabCatalog {
  constructor(readonly labsDir: string) {}

  /** Every lab folder's lab.yaml, loaded fresh (teachers edit them while the app runs). */
  async loadAll(): Promise<{ labs: LabFile[]; problems: LabLibrary['problems'] }> {
    let entries: string[];
    try {
      entries = (await readdir(this.labsDir, { withFileTypes: true }))
        .filter((e) => e.isDirectory() && e.name !== 'schema')
        .map((e) => e.name)
        .sort();
    } catch {
      return { labs: [], problems: [{ file: this.labsDir, errors: ['The labs folder does not exist.'] }] };
    }
    const labs: LabFile[] = [];
    const problems: LabLibrary['problems'] = [];
    for (const name of entries) {
      const file = join(this.labsDir, name, 'lab.yaml');
      const loaded = await loadLabForApp(file);
      if (loaded.ok) labs.push(loaded.lab);
      else if (!loaded.missing) problems.push({ file, errors: loaded.errors });
    }
    return { labs, problems };
  }

  async list(lang: Language, backend: BackendKind = 'sim'): Promise<LabLibrary> {
    const { labs, problems } = await this.loadAll();
    return { labs: labs.map((lab) => summarise(lab, lang, backend)).sort(courseOrder), problems };
  }

  /** One lab by id: its own folder only (lab ids are kebab-case and match their folder). */
  async get(id: string): Promise<LabFile | undefined> {
    if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(id)) return undefined;
    const loaded = await loadLabForApp(join(this.labsDir, id, 'lab.yaml'));
    return loaded.ok ? loaded.lab : undefined;
  }
}
