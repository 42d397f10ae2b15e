import type { LabApiBridge } from '@contract/names.ts';
import { mount } from 'svelte';

import App from './App.svelte';
import { LabClient } from './lib/api/client.ts';
import { ipcTransport } from './lib/api/transport-ipc.ts';
import { apiUrlFromLocation, wsTransport } from './lib/api/transport-ws.ts';

const bridge = (window as unknown as { labApi?: LabApiBridge }).labApi;
const transport = bridge ? ipcTransport(bridge) : wsTransport(apiUrlFromLocation(window.location));
const target = document.getElementById('app');
if (!target) throw new Error('No #app element');
mount(App, { target, props: { client: new LabClient(transport) } });
