/**
 * Sandboxed preload: exposes exactly one object, `window.labApi`, and checks every name against
 * the contract's lists. No raw ipcRenderer reaches the page. Bundled to one file by esbuild.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

import { isEventName, isMethodName, type LabApiBridge } from './contract/names.ts';

const INVOKE_CHANNEL = 'api';
const EVENT_CHANNEL = 'api-event';

const bridge: LabApiBridge = {
  async invoke(method, params) {
    if (!isMethodName(method)) throw new Error(`Unknown method ${String(method)}`);
    return ipcRenderer.invoke(INVOKE_CHANNEL, method, params);
  },
  on(event, listener) {
    if (!isEventName(event)) throw new Error(`Unknown event ${String(event)}`);
    const handler = (_e: IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('labApi', bridge);
