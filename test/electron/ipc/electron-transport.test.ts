import { describe, expect, it } from 'vitest';

import { EventHub } from '../../../electron/app/event-hub.ts';
import { attachElectronTransport } from '../../../electron/ipc/electron-transport.ts';
import type { Router } from '../../../electron/ipc/router.ts';
import { FakeIpc } from '../../support/fake-ipc.ts';

const APP_URL = 'file:///opt/nestlab/dist/renderer/index.html';
const router: Router = { dispatch: async (method) => ({ result: method }) };

function setup(): FakeIpc {
  const ipc = new FakeIpc(APP_URL);
  attachElectronTransport({
    ipcMain: ipc.main,
    router,
    hub: new EventHub(),
    webContents: ipc.webContents,
    isTrustedUrl: (url) => url === APP_URL,
  });
  return ipc;
}

describe('electron transport sender checks', () => {
  it('dispatches calls from our window main frame', async () => {
    expect(await setup().invoke('api', 'app.info', {})).toEqual({ result: 'app.info' });
  });

  it('refuses a frame loaded from another URL', async () => {
    const ipc = setup();
    ipc.frame = { url: 'https://evil.example/', parent: null };
    expect(await ipc.invoke('api', 'app.info', {})).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('refuses a sub-frame, even one on our URL', async () => {
    const ipc = setup();
    ipc.frame = { url: APP_URL, parent: { url: APP_URL, parent: null } };
    expect(await ipc.invoke('api', 'app.info', {})).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('refuses another webContents', async () => {
    const ipc = setup();
    ipc.senderId = 99;
    expect(await ipc.invoke('api', 'app.info', {})).toMatchObject({ error: { code: 'forbidden' } });
  });
});
