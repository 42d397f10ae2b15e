import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { LANGUAGES, type Language } from '../../../../electron/contract/dto.ts';
import { expectedPhases } from '../../../../electron/lab/drill/expected-phases.ts';
import { FAULT_KINDS } from '../../../../electron/lab/drill/fault.ts';
import { MILESTONE_LABELS, PHASE_LABELS } from '../../../../electron/lab/drill/milestone-labels.ts';
import { glossaryViolations } from '../../../../renderer/lib/i18n/glossary.ts';
import { ca } from '../../../../renderer/lib/i18n/messages/ca.ts';
import { en } from '../../../../renderer/lib/i18n/messages/en.ts';
import { es } from '../../../../renderer/lib/i18n/messages/es.ts';
import { fr } from '../../../../renderer/lib/i18n/messages/fr.ts';
import { pl } from '../../../../renderer/lib/i18n/messages/pl.ts';

const CATALOGS: Record<Language, Record<string, string>> = { en, es, ca, fr, pl };

/** Every { en, es, … } text in a lab file, by language. */
function labTexts(node: unknown, out: Record<Language, string[]>): void {
  if (Array.isArray(node)) node.forEach((n) => labTexts(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (typeof o.en === 'string')
      for (const l of LANGUAGES) if (typeof o[l] === 'string') out[l].push(o[l] as string);
    Object.values(o).forEach((n) => labTexts(n, out));
  }
}

describe('one glossary per language', () => {
  it('interface messages, drill texts and seed labs use one word per concept', () => {
    const texts: Record<Language, string[]> = { en: [], es: [], ca: [], fr: [], pl: [] };
    for (const l of LANGUAGES) texts[l].push(...Object.values(CATALOGS[l]));
    for (const label of [...Object.values(MILESTONE_LABELS), ...Object.values(PHASE_LABELS)])
      for (const l of LANGUAGES) texts[l].push(label[l]);
    for (const fault of FAULT_KINDS)
      for (const master of [false, true])
        for (const p of expectedPhases(fault, { hitsNode: true, wasMaster: master }))
          for (const l of LANGUAGES) texts[l].push(p.explanation[l]);
    const labsDir = join(process.cwd(), 'labs');
    for (const dir of readdirSync(labsDir, { withFileTypes: true })) {
      if (!dir.isDirectory() || dir.name === 'schema') continue;
      labTexts(parse(readFileSync(join(labsDir, dir.name, 'lab.yaml'), 'utf8')), texts);
    }
    const violations = LANGUAGES.flatMap((l) =>
      texts[l].flatMap((t) => glossaryViolations(l, t).map((w) => `${l}: "${w}" in "${t.slice(0, 80)}"`)),
    );
    expect(violations).toEqual([]);
  });
});
