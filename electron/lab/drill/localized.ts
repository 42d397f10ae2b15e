/** The languages NestLab's own texts (drill explanations, seed labs) are written in. */
export const DRILL_LANGUAGES = ['en', 'es', 'ca', 'fr', 'pl'] as const;

export type DrillLanguage = (typeof DRILL_LANGUAGES)[number];

/** One text in every language we ship; English is the fallback. */
export type LocalizedText = Record<DrillLanguage, string>;
