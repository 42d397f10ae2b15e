/**
 * The Datacenter view's state: what one node's web interface shows (as in Proxmox, the datacenter
 * is seen through the node you connected to), refreshed while the view is open, and every action
 * through the contract's `pve.call`. Proxmox's own error texts are kept as they are.
 */
import {
  clusterResources,
  clusterStatus,
  clusterTasks,
  type ClusterResource,
  type ClusterStatusEntry,
  type PveCall,
  type TaskEntry,
} from '@contract/datacenter-actions.ts';
import type { DatacenterInfo } from '@contract/pve-dto.ts';

import type { LabClient } from '../api/client.ts';
import { errorMessage } from '../format/error-message.ts';

export type Selection =
  | { kind: 'datacenter' }
  | { kind: 'node'; node: string }
  | { kind: 'guest'; node: string; vmid: number }
  | { kind: 'storage'; node: string; storage: string };

export const selectionKey = (s: Selection): string =>
  s.kind === 'datacenter'
    ? 'dc'
    : s.kind === 'node'
      ? `node/${s.node}`
      : s.kind === 'guest'
        ? `qemu/${s.vmid}`
        : `storage/${s.node}/${s.storage}`;

const REFRESH_MS = 2000;

export class DatacenterState {
  #info = $state<DatacenterInfo | null>(null);
  #via = $state<string | null>(null);
  #resources = $state<ClusterResource[]>([]);
  #status = $state<ClusterStatusEntry[]>([]);
  #tasks = $state<TaskEntry[]>([]);
  #selected = $state<Selection>({ kind: 'datacenter' });
  #viaError = $state<string | null>(null);
  #actionError = $state<string | null>(null);
  #loaded = $state(false);
  /** The task an action just started: the view opens its log, as Proxmox opens a task viewer. */
  #watched = $state<string | null>(null);
  #refreshing = false;
  /** Bumped after each refresh, so panels reading their own data reload with the tree. */
  #generation = $state(0);
  readonly call: PveCall;

  constructor(
    readonly client: LabClient,
    private readonly every: (fn: () => void, ms: number) => () => void = (fn, ms) => {
      const timer = setInterval(fn, ms);
      return () => clearInterval(timer);
    },
  ) {
    this.call = (method, path, params, node) =>
      client.call('pve.call', { method, path, ...(params ? { params } : {}), ...(node ? { node } : {}) });
  }

  get info(): DatacenterInfo | null {
    return this.#info;
  }
  get via(): string | null {
    return this.#via;
  }
  get resources(): ClusterResource[] {
    return this.#resources;
  }
  get status(): ClusterStatusEntry[] {
    return this.#status;
  }
  get tasks(): TaskEntry[] {
    return this.#tasks;
  }
  get selected(): Selection {
    return this.#selected;
  }
  get viaError(): string | null {
    return this.#viaError;
  }
  get actionError(): string | null {
    return this.#actionError;
  }
  get watched(): string | null {
    return this.#watched;
  }
  unwatch(): void {
    this.#watched = null;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get generation(): number {
    return this.#generation;
  }
  get cluster(): ClusterStatusEntry | null {
    return this.#status.find((s) => s.type === 'cluster') ?? null;
  }
  get nodes(): ClusterResource[] {
    return this.#resources
      .filter((r) => r.type === 'node')
      .sort((a, b) => (a.node ?? '').localeCompare(b.node ?? ''));
  }
  get guests(): ClusterResource[] {
    return this.#resources
      .filter((r) => r.type === 'qemu' || r.type === 'lxc')
      .sort((a, b) => (a.vmid ?? 0) - (b.vmid ?? 0));
  }
  storagesOf(node: string): ClusterResource[] {
    return this.#resources
      .filter((r) => r.type === 'storage' && r.node === node)
      .sort((a, b) => (a.storage ?? '').localeCompare(b.storage ?? ''));
  }
  guestsOf(node: string): ClusterResource[] {
    return this.guests.filter((g) => g.node === node);
  }

  /** Starts following the cluster; returns the function that stops it. */
  open(): () => void {
    void this.load();
    return this.every(() => void this.refresh(), REFRESH_MS);
  }

  async load(): Promise<void> {
    try {
      this.#info = await this.client.call('pve.info');
      this.#via ??= this.#info.nodes[0]?.name ?? null;
      await this.refresh();
    } catch (e) {
      this.#viaError = errorMessage(e);
    } finally {
      this.#loaded = true;
    }
  }

  /** Which node's interface this is (Create Cluster on pve1, Join Cluster on pve2…). */
  async connectTo(node: string): Promise<void> {
    this.#via = node;
    this.#selected = { kind: 'datacenter' };
    this.#resources = [];
    this.#status = [];
    this.#tasks = [];
    await this.refresh();
  }

  select(selection: Selection): void {
    this.#selected = selection;
    this.#actionError = null;
  }

  async refresh(): Promise<void> {
    const via = this.#via;
    if (!via || this.#refreshing) return;
    this.#refreshing = true;
    try {
      const [resources, status, tasks] = await Promise.all([
        clusterResources(this.viaCall),
        clusterStatus(this.call, via),
        clusterTasks(this.call, via),
      ]);
      if (via !== this.#via) return;
      this.#resources = resources;
      this.#status = status;
      this.#tasks = tasks;
      this.#viaError = null;
    } catch (e) {
      if (via === this.#via) this.#viaError = errorMessage(e);
    } finally {
      this.#refreshing = false;
      this.#generation++;
    }
  }

  /** Calls go to the connected node unless an action names its own. */
  readonly viaCall: PveCall = (method, path, params, node) =>
    this.call(method, path, params, node ?? this.#via ?? undefined);

  /**
   * Runs one of the view's actions; a failure is kept (in Proxmox's words) for the dialog to show
   * and returned as null. The tree and the task log refresh afterwards.
   */
  async act<T>(
    work: (call: PveCall) => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; error: string }> {
    this.#actionError = null;
    try {
      const value = await work(this.viaCall);
      const upid = (value as { upid?: unknown } | null)?.upid;
      if (typeof upid === 'string' && upid.startsWith('UPID:')) this.#watched = upid;
      return { ok: true, value };
    } catch (e) {
      const error = errorMessage(e);
      this.#actionError = error;
      return { ok: false, error };
    } finally {
      void this.refresh();
    }
  }

  clearError(): void {
    this.#actionError = null;
  }
}
