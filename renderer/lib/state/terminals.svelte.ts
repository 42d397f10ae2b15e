/**
 * Terminal sessions, one per node. Sessions live in the engine and survive reloads: opening a
 * node's terminal returns its scroll-back, which the view replays before live `terminal.data`.
 */
import type { TerminalInfo } from '@contract/dto.ts';

import type { LabClient } from '../api/client.ts';
import { errorMessage } from '../format/error-message.ts';

/** Where a session's output goes (an xterm instance, or a test's buffer). */
export interface TerminalSink {
  /** Clears the screen and writes the replayed scroll-back. */
  reset(scrollback: string): void;
  write(data: string): void;
  exited(code: number): void;
}

/** The key of the terminal on the learner's own computer (no lab node name starts with `@`). */
export const HOST_TERMINAL = '@host';

export class TerminalsState {
  #byNode = $state<Record<string, TerminalInfo>>({});
  #errors = $state<Record<string, string>>({});
  // Plain maps on purpose: routing tables for output, not state anything renders. A node's session
  // may show in several places at once (its terminal tab and the Datacenter view's Shell).
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #sinks = new Map<string, Set<TerminalSink>>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #sinksByNode = new Map<string, Set<TerminalSink>>();

  constructor(private readonly client: LabClient) {
    client.on('terminal.data', ({ id, data }) => this.#sinks.get(id)?.forEach((s) => s.write(data)));
    client.on('terminal.exit', ({ id, code }) => this.#sinks.get(id)?.forEach((s) => s.exited(code)));
  }

  session(node: string): TerminalInfo | null {
    return this.#byNode[node] ?? null;
  }
  error(node: string): string | null {
    return this.#errors[node] ?? null;
  }

  /** Opens (or re-attaches to) the node's session and replays its scroll-back into the sink. */
  async attach(node: string, sink: TerminalSink): Promise<TerminalInfo | null> {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a routing table, not rendered state
    const forNode = this.#sinksByNode.get(node) ?? new Set<TerminalSink>();
    forNode.add(sink);
    this.#sinksByNode.set(node, forNode);
    try {
      const info = await this.client.call(
        'terminal.open',
        node === HOST_TERMINAL ? { host: true } : { node },
      );
      const previous = this.#byNode[node];
      if (previous && previous.id !== info.id) this.#sinks.delete(previous.id);
      this.#byNode[node] = info;
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a routing table, not rendered state
      const routed = this.#sinks.get(info.id) ?? new Set<TerminalSink>();
      routed.add(sink);
      this.#sinks.set(info.id, routed);
      sink.reset(info.scrollback);
      delete this.#errors[node];
      return info;
    } catch (e) {
      this.#errors[node] = errorMessage(e);
      return null;
    }
  }

  /** Stops routing to `sink` (or to every sink of the node when none is named). */
  detach(node: string, sink?: TerminalSink): void {
    const info = this.#byNode[node];
    const forNode = this.#sinksByNode.get(node);
    const gone = sink ? [sink] : [...(forNode ?? [])];
    for (const s of gone) {
      forNode?.delete(s);
      if (info) this.#sinks.get(info.id)?.delete(s);
    }
    if (forNode?.size === 0) this.#sinksByNode.delete(node);
  }

  /** After a reconnect, events sent while away are lost: re-open every attached session. */
  async reattachAll(): Promise<void> {
    await Promise.all(
      [...this.#sinksByNode].flatMap(([node, sinks]) => [...sinks].map((sink) => this.attach(node, sink))),
    );
  }

  input(node: string, data: string): void {
    const info = this.#byNode[node];
    if (!info) return;
    this.client.call('terminal.input', { id: info.id, data }).catch((e: unknown) => {
      this.#errors[node] = errorMessage(e);
    });
  }

  resize(node: string, cols: number, rows: number): void {
    const info = this.#byNode[node];
    if (!info || cols < 10 || rows < 2) return;
    this.client.call('terminal.resize', { id: info.id, cols, rows }).catch(() => undefined);
  }
}
