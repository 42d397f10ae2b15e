/**
 * A fake engine for component tests: a Transport whose methods answer from per-test handlers,
 * records every call, and lets the test push events as the engine would.
 */
import type { ParamsOf, ResultOf } from '@contract/api.ts';
import type { ApiEvents, EventName } from '@contract/events.ts';
import type { MethodName } from '@contract/schemas.ts';

import { LabClient } from '../../../renderer/lib/api/client.ts';
import { ApiCallError, type Transport } from '../../../renderer/lib/api/transport.ts';

export type FakeHandlers = {
  [M in MethodName]?: (params: ParamsOf<M>) => ResultOf<M> | Promise<ResultOf<M>>;
};

export class FakeEngine {
  readonly calls: { method: string; params: unknown }[] = [];
  readonly #listeners = new Map<string, Set<(payload: unknown) => void>>();
  readonly #reconnect = new Set<() => void>();
  readonly client: LabClient;

  constructor(public handlers: FakeHandlers = {}) {
    const transport: Transport = {
      invoke: async (method, params) => {
        this.calls.push({ method, params });
        const handler = this.handlers[method as MethodName] as ((p: unknown) => unknown) | undefined;
        if (!handler) throw new ApiCallError('conflict', `No fake handler for ${method}`);
        return handler(params);
      },
      on: (event, listener) => {
        let set = this.#listeners.get(event);
        if (!set) this.#listeners.set(event, (set = new Set()));
        set.add(listener);
        return () => set.delete(listener);
      },
      onReconnect: (listener) => {
        this.#reconnect.add(listener);
        return () => this.#reconnect.delete(listener);
      },
    };
    this.client = new LabClient(transport);
  }

  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) listener(payload);
  }

  reconnect(): void {
    for (const listener of this.#reconnect) listener();
  }

  callsOf(method: MethodName): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.params);
  }
}
