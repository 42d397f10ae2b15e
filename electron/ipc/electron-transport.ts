/**
 * The desktop transport: one `api` invoke channel and one `api-event` push channel.
 * Every call is checked to come from our own window's main frame before it reaches the router.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';

import type { EventHub } from '../app/event-hub.ts';
import type { DispatchOutcome, Router } from './router.ts';

export const INVOKE_CHANNEL = 'api';
export const EVENT_CHANNEL = 'api-event';

export interface ElectronTransportOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  router: Router;
  hub: EventHub;
  /** The window's web contents; only its main frame may call. */
  webContents: Pick<WebContents, 'id' | 'send' | 'isDestroyed'>;
  /** True for the URL our renderer is loaded from (app://nestlab/index.html, shell/app-protocol.ts). */
  isTrustedUrl: (url: string) => boolean;
}

export function isTrustedSender(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  webContentsId: number,
  isTrustedUrl: (url: string) => boolean,
): boolean {
  const frame = event.senderFrame;
  if (!frame || event.sender.id !== webContentsId) return false;
  // Only the top-level frame: an iframe (there should be none) must not reach the engine.
  if (frame.parent !== null) return false;
  return isTrustedUrl(frame.url);
}

export function attachElectronTransport(options: ElectronTransportOptions): () => void {
  const { ipcMain, router, hub, webContents, isTrustedUrl } = options;
  ipcMain.handle(
    INVOKE_CHANNEL,
    async (event, method: unknown, params: unknown): Promise<DispatchOutcome> => {
      if (!isTrustedSender(event, webContents.id, isTrustedUrl)) {
        return { error: { code: 'forbidden', message: 'Calls are accepted only from the NestLab window.' } };
      }
      return router.dispatch(method, params);
    },
  );
  const unsubscribe = hub.subscribe((event, payload) => {
    if (!webContents.isDestroyed()) webContents.send(EVENT_CHANNEL, event, payload);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(INVOKE_CHANNEL);
  };
}
