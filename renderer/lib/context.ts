/**
 * Context keys for what every component may need: the translator and the app model. Plain
 * symbols (not createContext) so component tests can pass them in `render(..., { context })`.
 */
import { getContext, setContext } from 'svelte';

import type { I18n } from './i18n/i18n.svelte.ts';
import type { AppModel } from './state/app-model.ts';
import type { ConfirmState } from './state/confirm.svelte.ts';

export const I18N_KEY = Symbol('nestlab.i18n');
export const MODEL_KEY = Symbol('nestlab.model');
export const CONFIRM_KEY = Symbol('nestlab.confirm');

export const setI18n = (i18n: I18n): I18n => setContext(I18N_KEY, i18n);
export const getI18n = (): I18n => getContext<I18n>(I18N_KEY);
export const setModel = (model: AppModel): AppModel => setContext(MODEL_KEY, model);
export const getModel = (): AppModel => getContext<AppModel>(MODEL_KEY);
export const setConfirm = (confirm: ConfirmState): ConfirmState => setContext(CONFIRM_KEY, confirm);
export const getConfirm = (): ConfirmState => getContext<ConfirmState>(CONFIRM_KEY);
