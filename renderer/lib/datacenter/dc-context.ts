/** The Datacenter view's state and translator, for its panels. */
import { getContext, setContext } from 'svelte';

import type { DcT } from './dc-i18n.ts';
import type { DatacenterState } from './datacenter.svelte.ts';

const KEY = Symbol('nestlab.datacenter');

export interface DcContext {
  dc: DatacenterState;
  t: DcT;
}

export const setDc = (value: DcContext): DcContext => setContext(KEY, value);
export const getDc = (): DcContext => getContext<DcContext>(KEY);
