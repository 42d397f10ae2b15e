/**
 * Proxmox tasks: UPIDs (`UPID:node:PID:PSTART:STARTTIME:type:id:user:`), their logs and exit status.
 */
import type { SimCore } from './sim-core.ts';
import type { TaskState } from './state.ts';

const MAX_TASKS_PER_NODE = 500;

function hex8(n: number): string {
  return (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** Starts a task; like pvedaemon (or pve-ha-lrm, `daemon`) it is announced in the cluster log. */
export function startTask(
  core: SimCore,
  node: string,
  type: string,
  id: string,
  user: string,
  daemon = 'pvedaemon',
): TaskState {
  const pid = core.state.nextPid++;
  const starttime = core.epochSeconds();
  // pstart is the process start in clock ticks since boot; any increasing number is faithful enough.
  const pstart = Math.floor(core.now() / 10) + 1000;
  const upid = `UPID:${node}:${hex8(pid)}:${hex8(pstart)}:${hex8(starttime)}:${type}:${id}:${user}:`;
  const task: TaskState = {
    upid,
    node,
    pid,
    pstart,
    starttime,
    type,
    id,
    user,
    status: 'running',
    log: [],
    daemon,
  };
  core.clusterLog(node, daemon, `<${user}> starting task ${upid}`, { pid, user });
  const list = (core.state.tasks[node] ??= []);
  list.push(task);
  if (list.length > MAX_TASKS_PER_NODE) list.splice(0, list.length - MAX_TASKS_PER_NODE);
  return task;
}

export function taskLog(task: TaskState, ...lines: string[]): void {
  for (const l of lines) task.log.push(...l.split('\n'));
}

/** Ends a task. `error` undefined = OK; otherwise the error text becomes the exit status. */
export function finishTask(core: SimCore, task: TaskState, error?: string): void {
  if (task.status === 'stopped') return;
  task.status = 'stopped';
  task.endtime = core.epochSeconds();
  if (error === undefined) {
    task.exitstatus = 'OK';
    task.log.push('TASK OK');
  } else {
    const line = error.split('\n')[0] ?? error;
    task.exitstatus = line;
    task.log.push(...error.split('\n'));
    task.log.push(`TASK ERROR: ${line}`);
  }
  core.clusterLog(
    task.node,
    task.daemon ?? 'pvedaemon',
    `<${task.user}> end task ${task.upid} ${task.exitstatus}`,
    {
      pid: task.pid,
      user: task.user,
      pri: error === undefined ? 6 : 3,
    },
  );
}

/** A task that is killed with its node (power loss): it stays "stopped" with an unexpected status. */
export function abortTasksOfNode(core: SimCore, node: string): void {
  for (const t of core.state.tasks[node] ?? []) {
    if (t.status === 'running') {
      t.status = 'stopped';
      t.endtime = core.epochSeconds();
      t.exitstatus = 'unexpected status';
    }
  }
}

export function findTask(core: SimCore, upid: string): TaskState | undefined {
  const node = upid.split(':')[1] ?? '';
  return core.state.tasks[node]?.find((t) => t.upid === upid);
}

export function parseUpid(
  upid: string,
): { node: string; type: string; id: string; user: string } | undefined {
  const m =
    /^UPID:([a-zA-Z0-9.-]+):[0-9A-F]{8,9}:[0-9A-F]{8,9}:[0-9A-F]{8,9}:([^:\s]+):([^:\s]*):([^:\s]+):$/.exec(
      upid,
    );
  if (!m) return undefined;
  return { node: m[1]!, type: m[2]!, id: m[3]!, user: m[4]! };
}
