import { describe, expect, it } from 'vitest';

import { DC_CATALOGS } from '../../../../renderer/lib/datacenter/dc-i18n.ts';
import { dcEn } from '../../../../renderer/lib/datacenter/messages/en.ts';

describe('Datacenter view labels', () => {
  it('exist in all five languages, key for key, with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [lang, catalog] of Object.entries(DC_CATALOGS)) {
      expect(Object.keys(catalog).sort(), lang).toEqual(Object.keys(dcEn).sort());
      for (const [key, text] of Object.entries(catalog)) {
        expect(placeholders(text), `${lang} ${key}`).toEqual(placeholders(dcEn[key as keyof typeof dcEn]));
        expect(text.trim().length, `${lang} ${key}`).toBeGreaterThan(0);
      }
    }
  });
});
