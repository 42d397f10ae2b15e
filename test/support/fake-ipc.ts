/**
 * A fake Electron IPC pair: `main` stands in for ipcMain, `bridge` for what the preload exposes,
 * `webContents` for the window. Frames can be faked to test the sender checks.
 */
import type { IpcMainInvokeEvent } from 'electron';

import type { LabApiBridge } from '../../electron/contract/names.ts';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

export class FakeIpc {
  readonly handlers = new Map<string, Handler>();
  readonly #eventListeners = new Set<(channel: string, ...args: unknown[]) => void>();
  frame: FakeFrame;
  senderId = 1;

  constructor(url: string) {
    this.frame = { url, parent: null };
  }

  readonly main = {
    handle: (channel: string, handler: Handler) => {
      this.handlers.set(channel, handler);
    },
    removeHandler: (channel: string) => {
      this.handlers.delete(channel);
    },
  };

  readonly webContents = {
    id: 1,
    isDestroyed: () => false,
    send: (channel: string, ...args: unknown[]) => {
      for (const listener of this.#eventListeners) listener(channel, ...args);
    },
  };

  /** What a renderer would call through ipcRenderer.invoke. */
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler for ${channel}`);
    const event = { sender: { id: this.senderId }, senderFrame: this.frame } as unknown as IpcMainInvokeEvent;
    return handler(event, ...args);
  }

  readonly bridge: LabApiBridge = {
    invoke: (method, params) => this.invoke('api', method, params),
    on: (event, listener) => {
      const wrapped = (channel: string, name: unknown, payload: unknown): void => {
        if (channel === 'api-event' && name === event) listener(payload);
      };
      this.#eventListeners.add(wrapped as (channel: string, ...args: unknown[]) => void);
      return () => this.#eventListeners.delete(wrapped as (channel: string, ...args: unknown[]) => void);
    },
  };
}
