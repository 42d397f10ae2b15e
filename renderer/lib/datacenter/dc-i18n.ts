/** The Datacenter view's translator: its own catalogs (loaded with the view), the app's language. */
import type { Language } from '@contract/dto.ts';

import { format, type I18n, type TranslateParams } from '../i18n/i18n.svelte.ts';
import { dcCa } from './messages/ca.ts';
import { dcEn, type DcKey, type DcMessages } from './messages/en.ts';
import { dcEs } from './messages/es.ts';
import { dcFr } from './messages/fr.ts';
import { dcPl } from './messages/pl.ts';

export const DC_CATALOGS: Record<Language, DcMessages> = { en: dcEn, es: dcEs, ca: dcCa, fr: dcFr, pl: dcPl };

export type DcT = (key: DcKey, params?: TranslateParams) => string;

export function dcTranslator(i18n: I18n): DcT {
  return (key, params) => format(DC_CATALOGS[i18n.lang][key] ?? dcEn[key], params);
}

/** A task's description as Proxmox words it ("VM 100 - Start"), or its type when unknown. */
export function taskDescription(t: DcT, type: string, id: string | undefined): string {
  const key = `task.${type}` as DcKey;
  if (key in dcEn) return t(key, { id: id ?? '' });
  return id ? `${type} ${id}` : type;
}
