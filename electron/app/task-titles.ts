/** What the task tray calls the app's long operations, in the learner's language. */
import type { Language } from '../contract/dto.ts';

type TitleKind = 'solveStep' | 'solveUpTo' | 'reset' | 'drill' | 'restore';

const TITLES: Record<TitleKind, Record<Language, string>> = {
  solveStep: {
    en: 'Solving: {step}',
    es: 'Resolviendo: {step}',
    ca: 'Resolent: {step}',
    fr: 'Résolution : {step}',
    pl: 'Rozwiązywanie: {step}',
  },
  solveUpTo: {
    en: 'Solving up to: {step}',
    es: 'Resolviendo hasta: {step}',
    ca: 'Resolent fins a: {step}',
    fr: 'Résolution jusqu’à : {step}',
    pl: 'Rozwiązywanie do kroku: {step}',
  },
  reset: {
    en: 'Starting the lab over',
    es: 'Reiniciando el laboratorio',
    ca: 'Reiniciant el laboratori',
    fr: 'Réinitialisation du lab',
    pl: 'Rozpoczynanie laboratorium od nowa',
  },
  drill: {
    en: 'Failover drill: {step}',
    es: 'Simulacro de conmutación por error: {step}',
    ca: 'Simulacre de commutació per error: {step}',
    fr: 'Exercice de basculement : {step}',
    pl: 'Ćwiczenie przełączania awaryjnego: {step}',
  },
  restore: {
    en: 'Restoring where you left off',
    es: 'Restaurando donde lo dejaste',
    ca: 'Restaurant on ho vas deixar',
    fr: 'Restauration là où vous vous étiez arrêté',
    pl: 'Przywracanie miejsca, w którym skończono',
  },
};

export function taskTitle(kind: TitleKind, lang: Language, step = ''): string {
  return TITLES[kind][lang].replace('{step}', step);
}
