import { LANGUAGES, type Language } from '../../contract/dto.ts';

/** The languages NestLab's own texts (drill explanations, seed labs) are written in: all of them. */
export const DRILL_LANGUAGES = LANGUAGES;

export type DrillLanguage = Language;

/** One text in every language we ship; English is the fallback. */
export type LocalizedText = Record<DrillLanguage, string>;
