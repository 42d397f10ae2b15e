import { describe, expect, it } from 'vitest';

import { format, I18n, INTERFACE_LANGUAGES } from '../../../../renderer/lib/i18n/i18n.svelte.ts';
import { ca } from '../../../../renderer/lib/i18n/messages/ca.ts';
import { en } from '../../../../renderer/lib/i18n/messages/en.ts';
import { es } from '../../../../renderer/lib/i18n/messages/es.ts';
import { fr } from '../../../../renderer/lib/i18n/messages/fr.ts';
import { pl } from '../../../../renderer/lib/i18n/messages/pl.ts';

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

describe('message catalogs', () => {
  it.each([
    ['es', es],
    ['ca', ca],
    ['fr', fr],
    ['pl', pl],
  ])('%s has every English key, non-empty, with the same placeholders', (_lang, catalog) => {
    expect(Object.keys(catalog).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      const translated = catalog[key as keyof typeof en];
      expect(translated.trim(), key).not.toBe('');
      expect(placeholders(translated), key).toEqual(placeholders(text));
    }
  });

  it('offers the five interface languages', () => {
    expect(INTERFACE_LANGUAGES.map((l) => l.code)).toEqual(['en', 'es', 'ca', 'fr', 'pl']);
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(format('{a} of {b}', { a: 2, b: 3 })).toBe('2 of 3');
    expect(format('{a} of {b}', { a: 2 })).toBe('2 of {b}');
    const i18n = new I18n('pl');
    expect(i18n.t('run.progress', { passed: 1, total: 4 })).toBe('Ukończone kroki: 1 z 4');
  });
});
