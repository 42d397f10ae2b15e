/**
 * The kernel every part of the model shares: the state, world time, the data agenda of timed
 * events (mapped onto one VirtualClock timer), logs and transition notifications.
 */
import type { ScheduledHandle, VirtualClock } from './clock/virtual-clock.ts';
import type { AgendaEvents, AgendaItem, AgendaKind, ClusterLogEntry, SimState } from './state.ts';
import type { WorldLogEntry, WorldTransition } from './world-types.ts';

export type AgendaHandler<K extends AgendaKind> = (data: AgendaEvents[K]) => void;

const MAX_CLUSTER_LOG = 2000;
const MAX_SYSLOG = 5000;

export class SimCore {
  state: SimState;
  /** World time = clock time − offset; a checkpoint restore moves the offset, never the clock. */
  private offset = 0;
  private readonly handlers = new Map<AgendaKind, (data: never) => void>();
  private armed: { handle: ScheduledHandle; at: number } | undefined;
  private readonly transitionListeners = new Set<(t: WorldTransition) => void>();
  private readonly logListeners = new Set<(e: WorldLogEntry) => void>();
  /** Recent daemon log lines (journal of all nodes), newest last. */
  readonly syslog: WorldLogEntry[] = [];

  constructor(
    readonly clock: VirtualClock,
    state: SimState,
  ) {
    this.state = state;
    this.offset = clock.now();
  }

  now(): number {
    return this.clock.now() - this.offset;
  }

  /** Epoch seconds of the current world time (task start times, logs). */
  epochSeconds(t = this.now()): number {
    return Math.floor((this.state.epochMs + t) / 1000);
  }

  on<K extends AgendaKind>(kind: K, handler: AgendaHandler<K>): void {
    this.handlers.set(kind, handler);
  }

  /** Schedules the event `kind` at world time `at` (ms). */
  at<K extends AgendaKind>(at: number, kind: K, data: AgendaEvents[K]): void {
    const item = { at: Math.max(at, this.now()), seq: this.state.agendaSeq++, kind, data } as AgendaItem;
    const agenda = this.state.agenda;
    // Binary insertion keeps the agenda sorted by (at, seq).
    let lo = 0;
    let hi = agenda.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (agenda[mid]!.at <= item.at) lo = mid + 1;
      else hi = mid;
    }
    agenda.splice(lo, 0, item);
    if (lo === 0) this.arm();
  }

  /** The pending events of `kind` (that `match`, when given), earliest first. */
  pending<K extends AgendaKind>(
    kind: K,
    match?: (data: AgendaEvents[K]) => boolean,
  ): { at: number; data: AgendaEvents[K] }[] {
    return this.state.agenda
      .filter((i) => i.kind === kind && (!match || match(i.data as AgendaEvents[K])))
      .map((i) => ({ at: i.at, data: i.data as AgendaEvents[K] }));
  }

  hasPending<K extends AgendaKind>(kind: K, match?: (data: AgendaEvents[K]) => boolean): boolean {
    return this.pending(kind, match).length > 0;
  }

  /** Removes the pending events of `kind` (that `match`, when given). */
  cancel<K extends AgendaKind>(kind: K, match?: (data: AgendaEvents[K]) => boolean): void {
    this.state.agenda = this.state.agenda.filter(
      (i) => !(i.kind === kind && (!match || match(i.data as AgendaEvents[K]))),
    );
  }

  /** Replaces the whole state (checkpoint restore): world time jumps to `worldTime`. */
  replaceState(state: SimState, worldTime: number): void {
    this.state = state;
    this.offset = this.clock.now() - worldTime;
    if (this.armed) this.clock.cancel(this.armed.handle);
    this.armed = undefined;
    this.arm();
  }

  private arm(): void {
    const first = this.state.agenda[0];
    if (!first) return;
    const clockAt = first.at + this.offset;
    if (this.armed && this.armed.at <= clockAt) return;
    if (this.armed) this.clock.cancel(this.armed.handle);
    const handle = this.clock.schedule(clockAt, () => {
      this.armed = undefined;
      this.runDue();
    });
    this.armed = { handle, at: clockAt };
  }

  private runDue(): void {
    const now = this.now();
    for (;;) {
      const first = this.state.agenda[0];
      if (!first || first.at > now) break;
      this.state.agenda.shift();
      const handler = this.handlers.get(first.kind) as ((data: AgendaItem['data']) => void) | undefined;
      if (!handler) throw new Error(`simulator: no handler for agenda item '${first.kind}'`);
      handler(first.data);
    }
    this.arm();
  }

  onTransition(listener: (t: WorldTransition) => void): () => void {
    this.transitionListeners.add(listener);
    return () => this.transitionListeners.delete(listener);
  }

  onLog(listener: (e: WorldLogEntry) => void): () => void {
    this.logListeners.add(listener);
    return () => this.logListeners.delete(listener);
  }

  transition(subject: string, from: string, to: string): void {
    if (from === to) return;
    const t: WorldTransition = { t: this.now(), subject, from, to };
    for (const l of this.transitionListeners) l(t);
  }

  /** A daemon log line (journal), e.g. `pve-ha-crm`: "node 'n2': state changed from 'online' to 'unknown'". */
  log(node: string, tag: string, msg: string): void {
    const entry: WorldLogEntry = { t: this.now(), node, tag, msg };
    this.syslog.push(entry);
    if (this.syslog.length > MAX_SYSLOG) this.syslog.splice(0, this.syslog.length - MAX_SYSLOG);
    for (const l of this.logListeners) l(entry);
  }

  /** A cluster log entry (`/cluster/log`), also written to the journal. */
  clusterLog(
    node: string,
    tag: string,
    msg: string,
    opts: { pri?: number; user?: string; pid?: number } = {},
  ): void {
    const entry: ClusterLogEntry = {
      uid: this.state.nextLogUid++,
      time: this.epochSeconds(),
      pri: opts.pri ?? 6,
      tag,
      pid: opts.pid ?? 0,
      node,
      user: opts.user ?? 'root@pam',
      msg,
    };
    const log = this.state.clusterLog;
    log.push(entry);
    if (log.length > MAX_CLUSTER_LOG) log.splice(0, log.length - MAX_CLUSTER_LOG);
    this.log(node, tag, msg);
  }
}
