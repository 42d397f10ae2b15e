import type { Language } from '../contract/dto.ts';
import type { LocalizedText } from './script/schema.ts';

/** The text in `lang`, falling back to English (always present). */
export function localize(text: LocalizedText, lang: Language): string {
  return text[lang] ?? text.en;
}
