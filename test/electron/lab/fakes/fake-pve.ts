import type { PveApi, PveNodeEndpoint, PveRequest, TaskResult } from '../../../../electron/pve/api.ts';
import { PveError } from '../../../../electron/pve/api.ts';

/**
 * A tiny stand-in for a Proxmox cluster, enough for the mini-cluster lab: cluster create and join,
 * /cluster/status, join information, tasks. Records every request.
 */
export class FakePve implements PveApi {
  readonly calls: PveRequest[] = [];
  clusterName: string | undefined;
  readonly members = new Set<string>();
  readonly nodes = ['pve1', 'pve2'];
  readonly fingerprints: Record<string, string> = { pve1: 'AA:11', pve2: 'BB:22' };
  private tasks = new Map<string, TaskResult>();
  private taskCount = 0;
  /** Make the next call to this "METHOD path" fail with this message. */
  readonly failures = new Map<string, string>();
  /** Tasks succeed unless set. */
  failTasks = false;

  get currentNode(): string | undefined {
    return 'pve1';
  }

  endpoints(): PveNodeEndpoint[] {
    return this.nodes.map((name) => ({
      name,
      url: `https://${name}:8006`,
      fingerprint: this.fingerprints[name] ?? '',
    }));
  }

  async close(): Promise<void> {}

  private task(node: string): string {
    const upid = `UPID:${node}:0000${++this.taskCount}:task:`;
    this.tasks.set(upid, { upid, exitstatus: this.failTasks ? 'command failed' : 'OK', ok: !this.failTasks });
    return upid;
  }

  async request<T = unknown>(req: PveRequest): Promise<T> {
    this.calls.push(req);
    await new Promise<void>((r) => setImmediate(r));
    req.signal?.throwIfAborted();
    const call = `${req.method} ${req.path}`;
    const failure = this.failures.get(call);
    if (failure) {
      this.failures.delete(call);
      throw new PveError('http', call, req.node, `${call} on ${req.node ?? 'pve1'}: ${failure}`, 500);
    }
    const node = req.node ?? 'pve1';
    switch (call) {
      case 'GET /version':
        return { release: '9.1', version: '9.1.1' } as T;
      case 'GET /cluster/status': {
        if (!this.clusterName || !this.members.has(node)) {
          return [{ type: 'node', name: node, online: 1, local: 1 }] as T;
        }
        return [
          { type: 'cluster', name: this.clusterName, quorate: 1, nodes: this.members.size },
          ...[...this.members].map((name) => ({ type: 'node', name, online: 1 })),
        ] as T;
      }
      case 'POST /cluster/config':
        this.clusterName = String(req.params?.clustername);
        this.members.add(node);
        return this.task(node) as T;
      case 'GET /cluster/config/join':
        if (!this.clusterName) throw new PveError('http', call, node, 'no cluster', 500);
        return {
          nodelist: [...this.members].map((name) => ({ name, pve_fp: this.fingerprints[name] })),
          preferred_node: node,
        } as T;
      case 'POST /cluster/config/join': {
        const expected = this.fingerprints.pve1;
        if (req.params?.fingerprint !== expected || req.params?.password !== 'nestlab') {
          throw new PveError('http', call, node, `${call} on ${node}: bad fingerprint or password`, 400);
        }
        this.members.add(node);
        return this.task(node) as T;
      }
      default:
        throw new PveError('http', call, node, `${call}: not implemented by the fake`, 501);
    }
  }

  async waitForTask(upid: string): Promise<TaskResult> {
    await new Promise<void>((r) => setImmediate(r));
    const task = this.tasks.get(upid);
    if (!task) throw new PveError('http', `GET task ${upid}`, undefined, `no task ${upid}`, 404);
    return task;
  }
}
