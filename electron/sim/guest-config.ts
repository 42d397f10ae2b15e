/**
 * Guest lifecycle as the API sees it: create (VM and CT), config read/update, destroy, and the
 * power/migrate actions. For HA-managed guests start/stop/shutdown/migrate only file an HA
 * request (tasks hastart/hastop/hashutdown/hamigrate), as qemu-server and pve-container do.
 */
import { createHash } from 'node:crypto';
import { addRandomMacs, DEFAULT_MAC_PREFIX } from './guest-net.ts';
import { beginGuestOp, guestKind, sidOf } from './guests.ts';
import { assertWritable } from './pmxcfs.ts';
import type { SimCore } from './sim-core.ts';
import type { GuestState, TaskState } from './state.ts';
import {
  allocateDisk,
  freeGuestVolumes,
  guestVolumes,
  isShared,
  storageConfigs,
  storageUnavailable,
} from './storage.ts';
import { finishTask, startTask, taskLog } from './tasks.ts';

export class GuestError extends Error {
  constructor(
    message: string,
    readonly status = 500,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'GuestError';
  }
}

const DISK_KEY = /^(scsi|virtio|sata|ide|efidisk|tpmstate)\d+$/;

export function guestOrThrow(core: SimCore, node: string, vmid: number, type: 'qemu' | 'lxc'): GuestState {
  const g = core.state.guests[String(vmid)];
  const file = type === 'qemu' ? 'qemu-server' : 'lxc';
  if (!g || g.type !== type || g.node !== node)
    throw new GuestError(`Configuration file 'nodes/${node}/${file}/${vmid}.conf' does not exist`);
  return g;
}

export function nextFreeVmid(core: SimCore): number {
  let id = 100;
  while (core.state.guests[String(id)]) id++;
  return id;
}

/** Replaces `storage:size` disk specs by allocated volumes. */
function allocateDisks(
  core: SimCore,
  node: string,
  vmid: number,
  config: Record<string, string>,
  kind: 'qemu' | 'lxc',
  task?: TaskState,
): void {
  for (const [key, value] of Object.entries(config)) {
    const isDisk = kind === 'qemu' ? DISK_KEY.test(key) : key === 'rootfs' || /^mp\d+$/.test(key);
    if (!isDisk || value.includes('media=cdrom')) continue;
    const [first, ...rest] = value.split(',');
    const m = /^([a-zA-Z][a-zA-Z0-9\-_.]*):(\d+(?:\.\d+)?)$/.exec(first ?? '');
    if (!m) continue;
    const format = rest.find((r) => r.startsWith('format='))?.slice(7);
    const volid = allocateDisk(core, m[1]!, node, vmid, Number(m[2]), {
      content: kind === 'qemu' ? 'images' : 'rootdir',
      ...(format ? { format } : {}),
    });
    const size = `size=${m[2]}G`;
    config[key] = [volid, ...rest.filter((r) => !r.startsWith('size=')), size].join(',');
    const line = allocationLog(core, node, volid, Number(m[2]) * 1024 ** 3);
    if (line && task) taskLog(task, line);
  }
}

/** What the storage tools print while allocating a disk (qemu-img create, lvcreate). */
function allocationLog(core: SimCore, node: string, volid: string, bytes: number): string | undefined {
  const [storeid, name] = volid.split(':') as [string, string];
  const cfg = storageConfigs(core, node)[storeid];
  if (!cfg) return undefined;
  if (cfg.type === 'lvmthin') return `  Logical volume "${name}" created.`;
  const path = `${cfg.path ?? `/mnt/pve/${storeid}`}/images/${name}`;
  if (name.endsWith('.qcow2'))
    return `Formatting '${path}', fmt=qcow2 cluster_size=65536 extended_l2=off preallocation=metadata compression_type=zlib size=${bytes} lazy_refcounts=off refcount_bits=16`;
  return `Formatting '${path}', fmt=raw size=${bytes}`;
}

/**
 * qemu-server's get_default_bootdevices: the first hard disk, the first CD-ROM drive, the first
 * NIC — written as `boot: order=…` when a VM is created without one.
 */
export function defaultBootOrder(config: Record<string, string>): string | undefined {
  const drives = ['ide', 'sata', 'scsi', 'virtio'].flatMap((bus) =>
    Object.keys(config)
      .filter((k) => new RegExp(`^${bus}\\d+$`).test(k))
      .sort((a, b) => Number(a.replace(/\D+/, '')) - Number(b.replace(/\D+/, ''))),
  );
  const disk = drives.find((k) => !config[k]!.includes('media=cdrom'));
  const cdrom = drives.find((k) => config[k]!.includes('media=cdrom'));
  const net = Object.keys(config)
    .filter((k) => /^net\d+$/.test(k))
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))[0];
  const order = [disk, cdrom, net].filter((k): k is string => k !== undefined);
  return order.length > 0 ? `order=${order.join(';')}` : undefined;
}

/** The size in bytes of the VM's boot disk (the first disk of `boot: order=`), as `maxdisk` reports it. */
export function bootDiskBytes(config: Record<string, string>): number {
  const order = /order=([^,]+)/.exec(config.boot ?? '')?.[1]?.split(';') ?? [];
  const candidates = [...order, ...Object.keys(config).filter((k) => DISK_KEY.test(k))];
  const disk = candidates.find(
    (k) => DISK_KEY.test(k) && config[k] !== undefined && !config[k]!.includes('media=cdrom'),
  );
  const size = disk ? /(?:^|,)size=(\d+(?:\.\d+)?)([KMGT]?)/.exec(config[disk]!) : null;
  if (!size) return 0;
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[
    size[2] as '' | 'K' | 'M' | 'G' | 'T'
  ];
  return Math.round(Number(size[1]) * unit);
}

export interface CreateGuestInput {
  vmid: number;
  config: Record<string, string>;
  start?: boolean;
  user: string;
}

/** `storage:size` (a new disk), as qemu-server's NEW_DISK_RE and pve-container read it. */
const NEW_DISK = /^([a-zA-Z][a-zA-Z0-9\-_.]*):(\d+(?:\.\d+)?)$/;

/**
 * The checks qemu-server/pve-container make before any task starts: a new disk's storage must
 * exist and hold guest images (`check_storage_access` in API2/Qemu.pm: a 400 on `storage`).
 */
function checkNewDiskStorage(
  core: SimCore,
  node: string,
  config: Record<string, string>,
  kind: 'qemu' | 'lxc',
): void {
  for (const [key, value] of Object.entries(config)) {
    const isDisk = kind === 'qemu' ? DISK_KEY.test(key) : key === 'rootfs' || /^mp\d+$/.test(key);
    if (!isDisk || value.includes('media=cdrom')) continue;
    const m = NEW_DISK.exec(value.split(',')[0] ?? '');
    if (!m) continue;
    const cfg = storageConfigs(core, node)[m[1]!];
    if (!cfg) throw new GuestError(`storage '${m[1]}' does not exist`);
    const content = kind === 'qemu' ? 'images' : 'rootdir';
    if (!cfg.content.includes(content)) {
      throw new GuestError(
        kind === 'qemu'
          ? `storage '${m[1]}' does not support vm images`
          : `storage '${m[1]}' does not support container directories`,
        400,
        'storage',
      );
    }
  }
}

/** datacenter.cfg's `mac_prefix`, or Proxmox's default. */
export function macPrefix(core: SimCore): string {
  return core.state.datacenterConfig?.['mac_prefix'] ?? DEFAULT_MAC_PREFIX;
}

function macSeed(core: SimCore, vmid: number): string {
  return `${vmid}:${core.now()}:${core.state.nextPid}:${core.state.epochMs}`;
}

export function createGuest(
  core: SimCore,
  node: string,
  type: 'qemu' | 'lxc',
  input: CreateGuestInput,
): TaskState {
  const existing = core.state.guests[String(input.vmid)];
  if (existing)
    throw new GuestError(
      `${existing.type === 'qemu' ? 'VM' : 'CT'} ${input.vmid} already exists on node '${existing.node}'`,
    );
  assertWritable(core, node);
  checkNewDiskStorage(core, node, input.config, type);
  const config = { ...input.config };
  if (type === 'qemu') addRandomMacs(config, macPrefix(core), macSeed(core, input.vmid));
  const task = startTask(
    core,
    node,
    type === 'qemu' ? 'qmcreate' : 'vzcreate',
    String(input.vmid),
    input.user,
  );
  try {
    allocateDisks(core, node, input.vmid, config, type, task);
  } catch (e) {
    finishTask(
      core,
      task,
      `unable to create ${type === 'qemu' ? 'VM' : 'CT'} ${input.vmid} - ${(e as Error).message}`,
    );
    return task;
  }
  if (type === 'qemu') {
    // qemu-server's create_vm: meta, boot order, smbios1 and vmgenid; memory and cores keep
    // their schema defaults (512 MiB, 1) without being written.
    config.meta ??= `creation-qemu=${core.state.pveMajor >= 9 ? '10.0.2' : '9.2.0'},ctime=${core.epochSeconds()}`;
    const boot = defaultBootOrder(config);
    if (boot && config.boot === undefined) config.boot = boot;
    config.smbios1 ??= `uuid=${fakeUuid(input.vmid)}`;
    if (config.vmgenid === undefined || config.vmgenid === '1') config.vmgenid = fakeUuid(input.vmid + 7);
  } else {
    config.memory ??= '512';
    config.swap ??= '512';
    config.cores ??= '1';
    if (config.ostemplate) {
      taskLog(
        task,
        `extracting archive '${config.ostemplate}'`,
        'Total bytes read: 8400896 (8.1MiB, 42MiB/s)',
      );
      delete config.ostemplate;
    }
  }
  core.state.guests[String(input.vmid)] = {
    vmid: input.vmid,
    type,
    node,
    config,
    running: false,
    startedAt: 0,
    osUpAt: 0,
    inject: { startFails: 0, migrateFails: 0, stopFails: false },
  };
  finishTask(core, task);
  if (input.start) requestStart(core, node, type, input.vmid, input.user);
  return task;
}

function fakeUuid(seed: number): string {
  const hex = (n: number, len: number): string =>
    ((n * 2654435761) >>> 0).toString(16).padStart(len, '0').slice(0, len);
  return `${hex(seed, 8)}-${hex(seed + 1, 4)}-4${hex(seed + 2, 3)}-a${hex(seed + 3, 3)}-${hex(seed + 4, 8)}${hex(seed + 5, 4)}`;
}

const QEMU_NUMERIC = ['cores', 'sockets', 'onboot', 'cpuunits', 'vcpus', 'template', 'protection'];
const LXC_NUMERIC = [
  'memory',
  'swap',
  'cores',
  'onboot',
  'cpuunits',
  'unprivileged',
  'template',
  'protection',
];

export function guestConfigView(g: GuestState): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(g.config)) {
    if (k === 'digest') continue;
    // Integer/boolean options are numbers in the JSON reply (QEMU's `memory` is a string since PVE 8).
    const numeric = g.type === 'qemu' ? QEMU_NUMERIC : LXC_NUMERIC;
    out[k] = /^\d+$/.test(v) && numeric.includes(k) ? Number(v) : v;
  }
  out.digest = configDigest(g);
  return out;
}

/** The guest's config file as pmxcfs stores it (`key: value` lines), snapshots after it. */
export function configFileText(g: GuestState): string {
  const lines = (config: Record<string, string>): string =>
    Object.keys(config)
      .filter((k) => k !== 'digest')
      .sort()
      .map((k) => `${k}: ${config[k]}\n`)
      .join('');
  let text = (g.parent ? `parent: ${g.parent}\n` : '') + lines(g.config);
  for (const snap of Object.values(g.snapshots ?? {})) {
    text += `\n[${snap.name}]\n${snap.parent ? `parent: ${snap.parent}\n` : ''}${lines(snap.config)}snaptime: ${snap.snaptime}\n`;
    if (snap.vmstate) text += 'vmstate: 1\n';
  }
  return text;
}

/** SHA-1 of the config file, as every config read reports it and writes may check it. */
export function configDigest(g: GuestState): string {
  return createHash('sha1').update(configFileText(g)).digest('hex');
}

export function updateGuestConfig(
  core: SimCore,
  node: string,
  type: 'qemu' | 'lxc',
  vmid: number,
  changes: Record<string, string>,
  deletes: string[],
  digest?: string,
): void {
  const g = guestOrThrow(core, node, vmid, type);
  assertWritable(core, node);
  // qemu-server's update_vm and pve-container's (PVE::Tools::assert_if_modified) word it differently.
  if (digest && digest !== configDigest(g)) {
    throw new GuestError(
      type === 'qemu'
        ? 'checksum mismatch (file change by other user?)'
        : 'detected modified configuration - file changed by other user? Try again.',
    );
  }
  if (g.lock) throw new GuestError(`${guestKind(g)} is locked (${g.lock})`);
  checkNewDiskStorage(core, node, changes, type);
  const copy = { ...changes };
  if (type === 'qemu') addRandomMacs(copy, macPrefix(core), macSeed(core, vmid));
  allocateDisks(core, node, vmid, copy, type);
  Object.assign(g.config, copy);
  for (const key of deletes) delete g.config[key];
}

export function destroyGuest(
  core: SimCore,
  node: string,
  type: 'qemu' | 'lxc',
  vmid: number,
  user: string,
): TaskState {
  const g = guestOrThrow(core, node, vmid, type);
  assertWritable(core, node);
  if (g.running) throw new GuestError(`${guestKind(g)} ${vmid} is running - destroy failed`);
  if (core.state.ha.resources[sidOf(g)])
    throw new GuestError(
      `unable to remove ${guestKind(g)} ${vmid} - used in HA resources and purge parameter not set.`,
    );
  const task = startTask(core, node, type === 'qemu' ? 'qmdestroy' : 'vzdestroy', String(vmid), user);
  freeGuestVolumes(core, g.config, node);
  delete core.state.guests[String(vmid)];
  finishTask(core, task);
  return task;
}

function haManaged(core: SimCore, g: GuestState): boolean {
  const res = core.state.ha.resources[sidOf(g)];
  return res !== undefined && res.state !== 'ignored';
}

function haTask(
  core: SimCore,
  node: string,
  type: string,
  g: GuestState,
  user: string,
  line: string,
  apply: () => void,
): TaskState {
  assertWritable(core, node);
  const task = startTask(core, node, type, String(g.vmid), user);
  taskLog(task, line);
  try {
    apply();
    finishTask(core, task);
  } catch (e) {
    finishTask(core, task, (e as Error).message);
  }
  return task;
}

export function requestStart(
  core: SimCore,
  node: string,
  type: 'qemu' | 'lxc',
  vmid: number,
  user: string,
): TaskState {
  const g = guestOrThrow(core, node, vmid, type);
  if (haManaged(core, g)) {
    const sid = sidOf(g);
    return haTask(core, node, 'hastart', g, user, `Requesting HA start for ${guestKind(g)} ${vmid}`, () => {
      const sd = core.state.ha.manager.service_status[sid];
      if (sd?.state === 'error')
        throw new GuestError(`service '${sid}' in error state, must be disabled and fixed first`);
      core.state.ha.resources[sid]!.state = 'started';
    });
  }
  if (g.running) throw new GuestError(`${guestKind(g)} ${vmid} already running`);
  return beginGuestOp(core, g, 'start', { user });
}

export function requestStop(
  core: SimCore,
  node: string,
  type: 'qemu' | 'lxc',
  vmid: number,
  user: string,
): TaskState {
  const g = guestOrThrow(core, node, vmid, type);
  if (haManaged(core, g)) {
    const sid = sidOf(g);
    return haTask(core, node, 'hastop', g, user, `Requesting HA stop for ${guestKind(g)} ${vmid}`, () => {
      core.state.ha.crmCommands.push(`stop ${sid} 0`);
    });
  }
  if (!g.running) throw new GuestError(`${guestKind(g)} ${vmid} not running`);
  return beginGuestOp(core, g, 'stop', { user });
}

export function requestShutdown(
  core: SimCore,
  node: string,
  type: 'qemu' | 'lxc',
  vmid: number,
  user: string,
  opts: { timeout?: number; forceStop?: boolean },
): TaskState {
  const g = guestOrThrow(core, node, vmid, type);
  if (haManaged(core, g)) {
    const sid = sidOf(g);
    return haTask(core, node, 'hashutdown', g, user, `Requesting HA stop for ${guestKind(g)} ${vmid}`, () => {
      core.state.ha.resources[sid]!.state = 'stopped';
    });
  }
  if (!g.running) throw new GuestError(`${guestKind(g)} ${vmid} not running`);
  return beginGuestOp(core, g, 'shutdown', {
    user,
    timeout: opts.timeout ?? 60,
    forceStop: opts.forceStop ?? false,
  });
}

export function requestMigrate(
  core: SimCore,
  node: string,
  type: 'qemu' | 'lxc',
  vmid: number,
  user: string,
  opts: { target: string; online?: boolean; withLocalDisks?: boolean; restart?: boolean },
): TaskState {
  const g = guestOrThrow(core, node, vmid, type);
  const target = core.state.nodes[opts.target];
  if (!target || !core.state.cluster?.nodes[opts.target])
    throw new GuestError(`no such cluster node '${opts.target}'`, 400, 'target');
  if (opts.target === node) throw new GuestError(`target is local node.`, 400, 'target');
  if (haManaged(core, g)) {
    const sid = sidOf(g);
    // qemu-server and pve-container both run `ha-manager migrate <sid> <target>` in a hamigrate task.
    return haTask(
      core,
      node,
      'hamigrate',
      g,
      user,
      `Requesting HA migration for ${guestKind(g)} ${vmid} to node ${opts.target}`,
      () => {
        core.state.ha.crmCommands.push(`migrate ${sid} ${opts.target}`);
      },
    );
  }
  assertWritable(core, node);
  if (!core.state.membership[node]?.includes(opts.target))
    throw new GuestError(`target node '${opts.target}' is not online`);
  if (g.running && type === 'qemu' && !opts.online)
    throw new GuestError(`can't migrate running VM without --online`);
  if (g.running && type === 'lxc' && !opts.restart)
    throw new GuestError(`CT is running - use online migration (restart mode)`);
  for (const volid of guestVolumes(g.config)) {
    const storeid = volid.split(':')[0] ?? '';
    const cfg = storageConfigs(core, node)[storeid];
    if (cfg && !isShared(cfg) && g.running && type === 'qemu' && !opts.withLocalDisks)
      throw new GuestError(`can't live migrate attached local disks without with-local-disks option`);
    const off = storageUnavailable(core, storeid, opts.target);
    if (cfg && isShared(cfg) && off) throw new GuestError(off);
  }
  return beginGuestOp(core, g, 'migrate', { user, target: opts.target, online: opts.online ?? false });
}
