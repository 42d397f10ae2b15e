/** Typed one-way event stream from the engine to every connected renderer. */
import type { ApiEvents, EventName } from '../contract/events.ts';

export type AnyEventListener = (event: EventName, payload: unknown) => void;

export class EventHub {
  readonly #listeners = new Set<AnyEventListener>();

  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void {
    for (const listener of this.#listeners) {
      try {
        listener(event, payload);
      } catch {
        // A broken subscriber (closed socket, destroyed window) must not stop the others.
      }
    }
  }

  subscribe(listener: AnyEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get size(): number {
    return this.#listeners.size;
  }
}
