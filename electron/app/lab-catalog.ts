/** The labs found in the labs folder, summarised for the library in the learner's language. */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { BackendKind, Language, LabLibrary, LabSummary } from '../contract/dto.ts';
import { BACKENDS, LANGUAGES } from '../contract/dto.ts';
import type { LabFile, LocalizedText } from '../lab/script/schema.ts';
import { stepApplies } from '../lab/script/applicability.ts';
import { loadLabForApp, type AppLabLoad } from './load-lab.ts';

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
      // The first backend it runs on, in the contract's order.
      backend: BACKENDS.find((b) => profile.backends.includes(b)) ?? profile.backends[0]!,
      title: localize(profile.title, lang),
      minHostMemoryMiB: profile.minHostMemoryMiB,
    })),
    stepCount: profile
      ? lab.steps.filter((step) => stepApplies(step, profile, backend)).length
      : lab.steps.length,
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

/** What identifies one version of a file: it changes when the file (or what a link points to) is written. */
async function fileStamp(file: string): Promise<string | undefined> {
  try {
    const link = await lstat(file);
    const target = link.isSymbolicLink() ? await stat(file) : link;
    return [link, target].map((s) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`).join('/');
  } catch {
    return undefined;
  }
}

/** As a course: by `course.order`, labs outside the course after them, each group by title. */
export function courseOrder(a: LabSummary, b: LabSummary): number {
  const rank = (l: LabSummary) => l.course?.order ?? Number.MAX_SAFE_INTEGER;
  return rank(a) - rank(b) || a.title.localeCompare(b.title);
}

export class LabCatalog {
  /** Parsed labs by file, reused while the file's stamp is unchanged (lab.list runs on every library view). */
  private readonly parsed = new Map<string, { stamp: string; loaded: AppLabLoad }>();

  constructor(readonly labsDir: string) {}

  /** How many lab files were parsed (not served from the cache) since start; for tests. */
  parses = 0;

  private async load(file: string): Promise<AppLabLoad> {
    const stamp = await fileStamp(file);
    if (stamp === undefined) {
      this.parsed.delete(file);
      return loadLabForApp(file); // says it is missing
    }
    const cached = this.parsed.get(file);
    if (cached?.stamp === stamp) return cached.loaded;
    this.parses++;
    const loaded = await loadLabForApp(file);
    this.parsed.set(file, { stamp, loaded });
    return loaded;
  }

  /** Every lab folder's lab.yaml; a file is parsed again when it changes (teachers edit them while the app runs). */
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
      const loaded = await this.load(file);
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
    const loaded = await this.load(join(this.labsDir, id, 'lab.yaml'));
    return loaded.ok ? loaded.lab : undefined;
  }
}
