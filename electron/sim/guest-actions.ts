/**
 * What a guest can do besides start/stop/migrate: snapshots (create, rollback, delete), reboot,
 * reset, suspend/resume, disk resize, sendkey, and the migration pre-check. Each runs as the task
 * qemu-server or pve-container starts for it (qmsnapshot, qmrollback, qmdelsnapshot, qmreboot,
 * qmreset, qmpause, qmresume, resize; vz… for containers), with the checks made before the task.
 */
import { configDigest, GuestError, guestOrThrow } from './guest-config.ts';
import { parseNet } from './guest-net.ts';
import { guestKind, setRunning } from './guests.ts';
import { assertWritable } from './pmxcfs.ts';
import type { SimCore } from './sim-core.ts';
import type { GuestState, GuestSnapshot, TaskState } from './state.ts';
import { findVolume, GIB, guestVolumes, isShared, storageConfigs, storageUnavailable } from './storage.ts';
import { finishTask, startTask, taskLog } from './tasks.ts';

type Kind = 'qemu' | 'lxc';

const prefix = (g: GuestState): string => (g.type === 'qemu' ? 'qm' : 'vz');

/** A task whose work is done at once; `work` returns log lines or throws the task error. */
function quickTask(
  core: SimCore,
  g: GuestState,
  type: string,
  user: string,
  work: (task: TaskState) => void,
): TaskState {
  const task = startTask(core, g.node, type, String(g.vmid), user);
  try {
    work(task);
    finishTask(core, task);
  } catch (e) {
    finishTask(core, task, (e as Error).message);
  }
  return task;
}

/** Whether every disk of the guest sits on storage that can take a snapshot. */
function snapshotProblem(core: SimCore, g: GuestState): string | undefined {
  for (const volid of guestVolumes(g.config)) {
    const storeid = volid.split(':')[0] ?? '';
    const cfg = storageConfigs(core, g.node)[storeid];
    if (!cfg) return `storage '${storeid}' does not exist`;
    // lvmthin snapshots its LVs; file storage only snapshots qcow2 images (raw has no snapshots).
    if (cfg.type !== 'lvmthin' && !volid.endsWith('.qcow2')) return 'snapshot feature is not available';
  }
  return undefined;
}

const SNAPSHOT_NAME = /^[a-zA-Z][a-zA-Z0-9_-]{1,39}$/;

export function createSnapshot(
  core: SimCore,
  node: string,
  kind: Kind,
  vmid: number,
  input: { snapname: string; description?: string; vmstate?: boolean; user: string },
): TaskState {
  const g = guestOrThrow(core, node, vmid, kind);
  assertWritable(core, node);
  const name = input.snapname;
  if (name === 'current' || name === 'pending')
    throw new GuestError(`unable to use snapshot name '${name}' (reserved name)`);
  if (!SNAPSHOT_NAME.test(name))
    throw new GuestError('invalid format - invalid configuration ID', 400, 'snapname');
  return quickTask(core, g, `${prefix(g)}snapshot`, input.user, (task) => {
    if (g.snapshots?.[name]) throw new Error(`snapshot name '${name}' already used`);
    if (g.lock) throw new Error(`${guestKind(g)} is locked (${g.lock})`);
    const problem = snapshotProblem(core, g);
    if (problem) throw new Error(problem);
    const vmstate = kind === 'qemu' && g.running && input.vmstate === true;
    if (vmstate)
      taskLog(
        task,
        `saving VM state and RAM using storage '${guestVolumes(g.config)[0]?.split(':')[0] ?? 'local'}'`,
        'completed saving the VM state, starting snapshot',
      );
    for (const volid of guestVolumes(g.config)) taskLog(task, `snapshotting '${volid}' (${volid})`);
    const snap: GuestSnapshot = {
      name,
      snaptime: core.epochSeconds(),
      vmstate,
      config: { ...g.config },
      ...(input.description ? { description: input.description } : {}),
      ...(g.parent ? { parent: g.parent } : {}),
    };
    (g.snapshots ??= {})[name] = snap;
    g.parent = name;
  });
}

export function snapshotList(
  core: SimCore,
  node: string,
  kind: Kind,
  vmid: number,
): Record<string, unknown>[] {
  const g = guestOrThrow(core, node, vmid, kind);
  const items: Record<string, unknown>[] = Object.values(g.snapshots ?? {}).map((s) => ({
    name: s.name,
    description: s.description ?? '',
    snaptime: s.snaptime,
    ...(kind === 'qemu' ? { vmstate: s.vmstate ? 1 : 0 } : {}),
    ...(s.parent ? { parent: s.parent } : {}),
  }));
  items.push({
    name: 'current',
    description: 'You are here!',
    digest: configDigest(g),
    running: g.running ? 1 : 0,
    ...(g.parent ? { parent: g.parent } : {}),
  });
  return items;
}

export function snapshotOrThrow(g: GuestState, name: string): GuestSnapshot {
  const snap = g.snapshots?.[name];
  if (!snap) throw new GuestError(`snapshot '${name}' does not exist`);
  return snap;
}

export function rollbackSnapshot(
  core: SimCore,
  node: string,
  kind: Kind,
  vmid: number,
  input: { snapname: string; start?: boolean; user: string },
): TaskState {
  const g = guestOrThrow(core, node, vmid, kind);
  assertWritable(core, node);
  const snap = snapshotOrThrow(g, input.snapname);
  return quickTask(core, g, `${prefix(g)}rollback`, input.user, (task) => {
    if (g.lock) throw new Error(`${guestKind(g)} is locked (${g.lock})`);
    // The guest is stopped first unless the snapshot holds its RAM (then it resumes from there).
    if (g.running && !snap.vmstate) setRunning(core, g, false);
    g.config = { ...snap.config };
    g.parent = snap.name;
    for (const volid of guestVolumes(g.config))
      taskLog(task, `rolling back '${volid}' to snapshot '${snap.name}'`);
    if (snap.vmstate) {
      if (!g.running) setRunning(core, g, true);
      g.osUpAt = core.now();
    } else if (input.start) {
      setRunning(core, g, true);
    }
  });
}

export function deleteSnapshot(
  core: SimCore,
  node: string,
  kind: Kind,
  vmid: number,
  input: { snapname: string; force?: boolean; user: string },
): TaskState {
  const g = guestOrThrow(core, node, vmid, kind);
  assertWritable(core, node);
  const snap = snapshotOrThrow(g, input.snapname);
  return quickTask(core, g, `${prefix(g)}delsnapshot`, input.user, (task) => {
    if (g.lock && !input.force) throw new Error(`${guestKind(g)} is locked (${g.lock})`);
    for (const volid of guestVolumes(snap.config))
      taskLog(task, `deleting snapshot '${snap.name}' of '${volid}'`);
    delete g.snapshots![snap.name];
    // Children now hang below the deleted snapshot's parent.
    for (const other of Object.values(g.snapshots ?? {}))
      if (other.parent === snap.name) other.parent = snap.parent;
    if (g.parent === snap.name) g.parent = snap.parent;
    if (g.snapshots && Object.keys(g.snapshots).length === 0) delete g.snapshots;
  });
}

export function setSnapshotDescription(
  core: SimCore,
  node: string,
  kind: Kind,
  vmid: number,
  name: string,
  description?: string,
): void {
  const g = guestOrThrow(core, node, vmid, kind);
  assertWritable(core, node);
  const snap = snapshotOrThrow(g, name);
  if (description === undefined) delete snap.description;
  else snap.description = description;
}

function assertRunning(g: GuestState): void {
  if (!g.running) throw new GuestError(`${guestKind(g)} ${g.vmid} not running`);
}

/** `status/reboot`: the guest OS shuts down and comes up again (a clean restart of the guest). */
export function rebootGuest(core: SimCore, node: string, kind: Kind, vmid: number, user: string): TaskState {
  const g = guestOrThrow(core, node, vmid, kind);
  if (g.paused) throw new GuestError('VM is paused - cannot shutdown');
  assertRunning(g);
  return quickTask(core, g, `${prefix(g)}reboot`, user, () => {
    setRunning(core, g, false);
    setRunning(core, g, true);
  });
}

/** `status/reset` (VMs only): a hard reset, the OS boots again at once. */
export function resetGuest(core: SimCore, node: string, vmid: number, user: string): TaskState {
  const g = guestOrThrow(core, node, vmid, 'qemu');
  assertRunning(g);
  return quickTask(core, g, 'qmreset', user, () => {
    g.paused = false;
    g.osUpAt = core.now() + core.state.guestBootMs;
  });
}

export function suspendGuest(
  core: SimCore,
  node: string,
  kind: Kind,
  vmid: number,
  user: string,
  todisk: boolean,
): TaskState {
  const g = guestOrThrow(core, node, vmid, kind);
  assertRunning(g);
  if (todisk) throw new GuestError('the simulator does not model suspend to disk (hibernate)');
  return quickTask(core, g, kind === 'qemu' ? 'qmpause' : 'vzsuspend', user, () => {
    g.paused = true;
  });
}

export function resumeGuest(core: SimCore, node: string, kind: Kind, vmid: number, user: string): TaskState {
  const g = guestOrThrow(core, node, vmid, kind);
  assertRunning(g);
  return quickTask(core, g, kind === 'qemu' ? 'qmresume' : 'vzresume', user, () => {
    g.paused = false;
  });
}

/** `PUT …/resize`: `size` is `+<n>[KMGT]` (grow by) or `<n>[KMGT]` (new size, never smaller). */
export function resizeDisk(
  core: SimCore,
  node: string,
  kind: Kind,
  vmid: number,
  input: { disk: string; size: string; digest?: string; user: string },
): TaskState {
  const g = guestOrThrow(core, node, vmid, kind);
  assertWritable(core, node);
  if (input.digest && input.digest !== configDigest(g))
    throw new GuestError('detected modified configuration - file changed by other user? Try again.');
  const value = g.config[input.disk];
  if (value === undefined || value.includes('media=cdrom'))
    throw new GuestError(`disk '${input.disk}' does not exist`, 400, 'disk');
  const m = /^(\+)?(\d+(?:\.\d+)?)([KMGT])?$/.exec(input.size);
  if (!m) throw new GuestError(`invalid format - value does not match the regex pattern`, 400, 'size');
  const unit = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[3] ?? 'G'] ?? GIB;
  const volid = value.split(',')[0]!;
  const current = Number(/(?:^|,)size=(\d+(?:\.\d+)?)G/.exec(value)?.[1] ?? 0) * GIB;
  const wanted = m[1] ? current + Number(m[2]) * unit : Number(m[2]) * unit;
  if (wanted < current) throw new GuestError('shrinking disks is not supported');
  if (g.lock) throw new GuestError(`${guestKind(g)} is locked (${g.lock})`);
  return quickTask(core, g, 'resize', input.user, (task) => {
    const problem = storageUnavailable(core, volid.split(':')[0] ?? '', node);
    if (problem) throw new Error(problem);
    const gib = Math.round((wanted / GIB) * 1000) / 1000;
    const volume = findVolume(core, volid, node);
    if (volume) volume.size = wanted;
    g.config[input.disk] = value.replace(/(^|,)size=[^,]*/, `$1size=${gib}G`);
    taskLog(task, `Image resized.`);
  });
}

/** `PUT …/sendkey`: only a running VM takes keys (qemu monitor `sendkey`). */
export function sendKey(core: SimCore, node: string, vmid: number, key: string): void {
  const g = guestOrThrow(core, node, vmid, 'qemu');
  if (!g.running) throw new GuestError(`VM ${vmid} not running`);
  if (!/^[a-z0-9_]+(?:-[a-z0-9_]+)*$/i.test(key))
    throw new GuestError(`VM ${vmid} qmp command 'send-key' failed - invalid key`);
}

/** Whether the guest can be reached over its network: at least one NIC with its link up. */
export function guestLinkUp(g: GuestState): boolean {
  const nics = Object.entries(g.config).filter(([k]) => /^net\d+$/.test(k));
  if (nics.length === 0) return true; // guests without NICs are reached through their console only
  return nics.some(([, v]) => parseNet(v)?.options['link_down'] !== '1');
}

/** `GET …/migrate`: what a migration of the guest to `target` (or anywhere) would meet. */
export function migratePrecheck(
  core: SimCore,
  node: string,
  kind: Kind,
  vmid: number,
  target?: string,
): Record<string, unknown> {
  const g = guestOrThrow(core, node, vmid, kind);
  if (g.lock) throw new GuestError(`${guestKind(g)} is locked (${g.lock})`);
  const members = Object.keys(core.state.cluster?.nodes ?? {}).filter((n) => n !== node);
  const online = new Set(core.state.membership[node] ?? []);
  const allowed: string[] = [];
  const notAllowed: Record<string, { unavailable_storages?: string[] }> = {};
  const localDisks: Record<string, unknown>[] = [];
  for (const volid of guestVolumes(g.config)) {
    const storeid = volid.split(':')[0] ?? '';
    const cfg = storageConfigs(core, node)[storeid];
    if (cfg && !isShared(cfg))
      localDisks.push({ volid, size: findVolume(core, volid, node)?.size ?? 0, cdrom: 0, is_unused: 0 });
  }
  for (const other of members) {
    if (target !== undefined && other !== target) continue;
    if (!online.has(other)) continue;
    const missing = guestVolumes(g.config)
      .map((v) => v.split(':')[0] ?? '')
      .filter((id, i, all) => all.indexOf(id) === i)
      .filter((id) => {
        const cfg = storageConfigs(core, other)[id];
        return cfg !== undefined && isShared(cfg) && storageUnavailable(core, id, other) !== undefined;
      });
    if (missing.length > 0) notAllowed[other] = { unavailable_storages: missing };
    else allowed.push(other);
  }
  if (kind === 'lxc')
    return { running: g.running ? 1 : 0, allowed_nodes: allowed, not_allowed_nodes: notAllowed };
  return {
    running: g.running ? 1 : 0,
    allowed_nodes: allowed,
    not_allowed_nodes: notAllowed,
    local_disks: localDisks,
    local_resources: [],
    'mapped-resources': [],
    'mapped-resource-info': {},
    'has-dbus-vmstate': 0,
  };
}
