/**
 * The interface language: a rune holding the current language and a `t()` that reads it, so every
 * translated string re-renders when the learner picks another language.
 */
import { LANGUAGES, type Language, type LocalizedString } from '@contract/dto.ts';

import { ca } from './messages/ca.ts';
import { en, type MessageKey, type Messages } from './messages/en.ts';
import { es } from './messages/es.ts';
import { fr } from './messages/fr.ts';
import { pl } from './messages/pl.ts';

const CATALOGS: Record<Language, Messages> = { en, es, ca, fr, pl };

/** Each language named in itself, so a lost learner still finds theirs. */
const NATIVE_NAMES: Record<Language, string> = {
  en: 'English',
  es: 'Español',
  ca: 'Català',
  fr: 'Français',
  pl: 'Polski',
};

/** The languages in picker order (the contract's list, declared once there). */
export const INTERFACE_LANGUAGES: readonly { code: Language; name: string }[] = LANGUAGES.map((code) => ({
  code,
  name: NATIVE_NAMES[code],
}));

export type TranslateParams = Record<string, string | number>;

export function format(template: string, params: TranslateParams = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export class I18n {
  #lang = $state<Language>('en');

  constructor(lang: Language = 'en') {
    this.#lang = lang;
  }

  get lang(): Language {
    return this.#lang;
  }

  setLang(lang: Language): void {
    this.#lang = lang;
    rememberLanguage(lang);
    if (typeof document !== 'undefined') document.documentElement.lang = lang;
  }

  /** Engine data sent in every language (drill labels, explanations): the current one. */
  pick = (text: LocalizedString): string => text[this.#lang] || text.en;

  t = (key: MessageKey, params?: TranslateParams): string => {
    const template = CATALOGS[this.#lang][key] ?? en[key];
    return format(template, params);
  };
}

export function isLanguage(value: string): value is Language {
  return INTERFACE_LANGUAGES.some((l) => l.code === value);
}

const LANGUAGE_KEY = 'nestlab.lang';

/**
 * The last language the engine's settings named, remembered in the page's storage only so the
 * first paint after a reload is already in that language (the settings stay the source of truth).
 */
export function rememberedLanguage(): Language {
  try {
    const value = globalThis.localStorage?.getItem(LANGUAGE_KEY) ?? '';
    return isLanguage(value) ? value : 'en';
  } catch {
    return 'en';
  }
}

export function rememberLanguage(lang: Language): void {
  try {
    globalThis.localStorage?.setItem(LANGUAGE_KEY, lang);
  } catch {
    // Storage may be unavailable (privacy settings): the settings call still applies the language.
  }
}
