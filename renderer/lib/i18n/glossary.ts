/**
 * One word per concept and language, for every text NestLab shows (interface messages, drill
 * explanations, seed labs). Proxmox's own terms stay as Proxmox writes them (failover, fencing,
 * quorum, HA); `avoid` lists the synonyms that crept in and read as a different thing.
 */
import type { Language } from '@contract/dto.ts';

export interface GlossaryEntry {
  concept: string;
  use: string;
  avoid: string[];
}

export const GLOSSARY: Record<Language, GlossaryEntry[]> = {
  en: [{ concept: 'failover', use: 'failover', avoid: ['fail-over', 'fail over drill'] }],
  es: [
    { concept: 'failover', use: 'failover', avoid: ['conmutación por error', 'conmutación por fallo'] },
    { concept: 'drill', use: 'simulacro', avoid: ['ejercicio de failover', 'simulación de failover'] },
  ],
  ca: [
    { concept: 'failover', use: 'failover', avoid: ['commutació per error', 'commutació per fallada'] },
    { concept: 'drill', use: 'simulacre', avoid: ['exercici de failover', 'simulació de failover'] },
  ],
  fr: [{ concept: 'failover', use: 'basculement', avoid: ['failover', 'bascule automatique'] }],
  pl: [{ concept: 'failover', use: 'przełączenie awaryjne', avoid: ['failover', 'przełączanie awaryjne'] }],
};

/** The avoided words found in `text`, for the glossary test. */
export function glossaryViolations(lang: Language, text: string): string[] {
  const lower = text.toLowerCase();
  return GLOSSARY[lang].flatMap((e) => e.avoid.filter((word) => lower.includes(word.toLowerCase())));
}
