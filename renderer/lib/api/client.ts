/** The typed client: every call and event checked against the contract at compile time. */
import type { ParamsOf, ResultOf } from '@contract/api.ts';
import type { ApiEvents, EventName } from '@contract/events.ts';
import type { MethodName } from '@contract/schemas.ts';

import type { Transport } from './transport.ts';

export class LabClient {
  constructor(readonly transport: Transport) {}

  // `{} extends P` is exactly "every param is optional", so the argument may be left out.
  call<M extends MethodName>(
    method: M,
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    ...params: {} extends ParamsOf<M> ? [ParamsOf<M>?] : [ParamsOf<M>]
  ): Promise<ResultOf<M>> {
    return this.transport.invoke(method, params[0] ?? {}) as Promise<ResultOf<M>>;
  }

  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    return this.transport.on(event, listener as (payload: unknown) => void);
  }

  onReconnect(listener: () => void): () => void {
    return this.transport.onReconnect?.(listener) ?? (() => undefined);
  }

  onConnectionChange(listener: (connected: boolean) => void): () => void {
    return this.transport.onConnectionChange?.(listener) ?? (() => undefined);
  }
}
