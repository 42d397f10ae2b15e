/**
 * Browser transport: JSON messages over the browser host's WebSocket, token from the page URL.
 * Reconnects with back-off; pending calls fail when the socket drops.
 */
import type { EventMessage, RequestMessage, ResponseMessage } from '@contract/names.ts';

import { ApiCallError, type Transport } from './transport.ts';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export function wsTransport(url: string, WebSocketImpl: typeof WebSocket = WebSocket): Transport {
  let socket: WebSocket | null = null;
  let ready: Promise<WebSocket> | null = null;
  let nextId = 1;
  let everConnected = false;
  let failedAttempts = 0;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const reconnectListeners = new Set<() => void>();
  const connectionListeners = new Set<(connected: boolean) => void>();

  const connect = (): Promise<WebSocket> => {
    if (ready) return ready;
    ready = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocketImpl(url);
      ws.onopen = () => {
        socket = ws;
        failedAttempts = 0;
        if (everConnected) {
          for (const l of connectionListeners) l(true);
          for (const l of reconnectListeners) l();
        }
        everConnected = true;
        resolve(ws);
      };
      ws.onmessage = (message) => {
        const data = JSON.parse(String(message.data)) as ResponseMessage | EventMessage;
        if ('event' in data) {
          for (const listener of listeners.get(data.event) ?? []) listener(data.payload);
          return;
        }
        const call = pending.get(data.id);
        if (!call) return;
        pending.delete(data.id);
        if ('error' in data) call.reject(new ApiCallError(data.error.code, data.error.message));
        else call.resolve(data.result);
      };
      ws.onclose = () => {
        const wasOpen = socket === ws;
        socket = null;
        ready = null;
        for (const call of pending.values())
          call.reject(new ApiCallError('disconnected', 'Lost the connection to NestLab.'));
        pending.clear();
        if (!everConnected) {
          reject(new ApiCallError('disconnected', 'Could not connect to NestLab.'));
          return;
        }
        if (wasOpen) for (const l of connectionListeners) l(false);
        // A failed reconnection attempt settles too, so no caller waits on it forever.
        else reject(new ApiCallError('disconnected', 'Lost the connection to NestLab.'));
        // Back off to one try every 5 s: a tab left open on an old address must not spin.
        failedAttempts = wasOpen ? 0 : failedAttempts + 1;
        setTimeout(() => void connect().catch(() => undefined), Math.min(5000, 500 * 2 ** failedAttempts));
      };
    });
    return ready;
  };

  return {
    async invoke(method, params) {
      const ws = socket ?? (await connect());
      const id = nextId++;
      const request: RequestMessage = { id, method, params };
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify(request));
      });
    },
    on(event, listener) {
      void connect().catch(() => undefined);
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    onConnectionChange(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
}

/** The API socket URL for the page the browser host served (token taken from `?token=`). */
export function apiUrlFromLocation(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`;
}
