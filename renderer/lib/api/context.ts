import { createContext } from 'svelte';

import type { LabClient } from './client.ts';

export const [getClient, setClient] = createContext<LabClient>();
