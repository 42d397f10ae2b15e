/**
 * Storage: the installer's `local` (dir) and `local-lvm` (lvmthin) on every node, NFS exports
 * served by the NAS (shared: one set of volumes, reachable only while the NAS answers), content
 * listing, ISO upload and disk allocation for guests.
 */
import type { SimCore } from './sim-core.ts';
import type { StorageConfig, Volume } from './state.ts';

export const GIB = 1024 ** 3;
const LOCAL_DIR_TOTAL = 94 * GIB;
const LOCAL_LVM_TOTAL = 140 * GIB;
const NFS_TOTAL = 400 * GIB;

export function defaultStorage(): Record<string, StorageConfig> {
  return {
    local: { type: 'dir', path: '/var/lib/vz', content: ['iso', 'vztmpl', 'backup'] },
    'local-lvm': { type: 'lvmthin', vgname: 'pve', thinpool: 'data', content: ['images', 'rootdir'] },
  };
}

/**
 * The storage.cfg a node sees: the cluster's /etc/pve once it is a member, its own while it is
 * a standalone node (a join replaces it with the cluster's; creating a cluster keeps it).
 */
export function storageConfigs(core: SimCore, node: string): Record<string, StorageConfig> {
  if (core.state.cluster?.nodes[node]) return core.state.storage;
  return (core.state.localStorage[node] ??= defaultStorage());
}

export function isShared(cfg: StorageConfig): boolean {
  return cfg.type === 'nfs';
}

/** Where a storage's volumes live as seen from `node`: the node itself, or `shared`. */
export function locationKey(cfg: StorageConfig, node: string): string {
  return isShared(cfg) ? 'shared' : node;
}

export function storageEnabledOn(cfg: StorageConfig, node: string): boolean {
  return !cfg.disable && (!cfg.nodes || cfg.nodes.includes(node));
}

/** Why `storage` cannot be used on `node` right now, or undefined when it can. */
export function storageUnavailable(core: SimCore, storeid: string, node: string): string | undefined {
  const cfg = storageConfigs(core, node)[storeid];
  if (!cfg) return `storage '${storeid}' does not exist`;
  if (!storageEnabledOn(cfg, node)) return `storage '${storeid}' is not available on node '${node}'`;
  if (cfg.type === 'nfs') {
    const nas = core.state.nas;
    const n = core.state.nodes[node];
    const answers =
      nas !== undefined &&
      nas.power === 'on' &&
      nas.cable &&
      n?.cable === true &&
      nas.ip === cfg.server &&
      nas.exports.includes(cfg.export ?? '');
    if (!answers) return `storage '${storeid}' is not online`;
  }
  return undefined;
}

export function volumesAt(core: SimCore, storeid: string, location: string): Volume[] {
  const byLoc = (core.state.volumes[storeid] ??= {});
  return (byLoc[location] ??= []);
}

export function findVolume(core: SimCore, volid: string, node: string): Volume | undefined {
  const storeid = volid.split(':')[0] ?? '';
  const cfg = storageConfigs(core, node)[storeid];
  if (!cfg) return undefined;
  return volumesAt(core, storeid, locationKey(cfg, node)).find((v) => v.volid === volid);
}

function capacity(cfg: StorageConfig): number {
  if (cfg.type === 'nfs') return NFS_TOTAL;
  return cfg.type === 'lvmthin' ? LOCAL_LVM_TOTAL : LOCAL_DIR_TOTAL;
}

export interface StorageStatus {
  storage: string;
  type: string;
  content: string;
  active: 0 | 1;
  enabled: 0 | 1;
  shared: 0 | 1;
  total: number;
  used: number;
  avail: number;
  used_fraction: number;
}

export function storageStatus(core: SimCore, storeid: string, node: string): StorageStatus | undefined {
  const cfg = storageConfigs(core, node)[storeid];
  if (!cfg || !storageEnabledOn(cfg, node)) return undefined;
  const active = storageUnavailable(core, storeid, node) === undefined;
  const total = capacity(cfg);
  const used = active
    ? volumesAt(core, storeid, locationKey(cfg, node)).reduce((s, v) => s + v.size, 0) +
      (cfg.type === 'dir' ? 3 * GIB : 0)
    : 0;
  return {
    storage: storeid,
    type: cfg.type,
    content: cfg.content.join(','),
    active: active ? 1 : 0,
    enabled: 1,
    shared: isShared(cfg) ? 1 : 0,
    total: active ? total : 0,
    used,
    avail: active ? total - used : 0,
    used_fraction: active ? used / total : 0,
  };
}

/** Allocates a guest disk `storage:<sizeGiB>` and returns its volume id. */
export function allocateDisk(
  core: SimCore,
  storeid: string,
  node: string,
  vmid: number,
  sizeGiB: number,
  opts: { format?: string; content: 'images' | 'rootdir' },
): string {
  const cfg = storageConfigs(core, node)[storeid];
  if (!cfg) throw new Error(`storage '${storeid}' does not exist`);
  if (!cfg.content.includes(opts.content))
    throw new Error(`storage '${storeid}' does not support content-type '${opts.content}'`);
  const offline = storageUnavailable(core, storeid, node);
  if (offline) throw new Error(offline);
  const vols = volumesAt(core, storeid, locationKey(cfg, node));
  let n = 0;
  const name = (i: number): string => {
    const prefix = opts.content === 'rootdir' && cfg.type !== 'lvmthin' ? 'subvol' : 'vm';
    if (cfg.type === 'lvmthin') return `${storeid}:${prefix}-${vmid}-disk-${i}`;
    const format = opts.format ?? 'raw';
    return opts.content === 'rootdir'
      ? `${storeid}:${vmid}/vm-${vmid}-disk-${i}.raw`
      : `${storeid}:${vmid}/vm-${vmid}-disk-${i}.${format}`;
  };
  while (vols.some((v) => v.volid === name(n))) n++;
  const volid = name(n);
  vols.push({
    volid,
    content: opts.content,
    format: cfg.type === 'lvmthin' ? 'raw' : (opts.format ?? 'raw'),
    size: sizeGiB * GIB,
    vmid,
    ctime: core.epochSeconds(),
  });
  return volid;
}

export function addUploadedFile(
  core: SimCore,
  storeid: string,
  node: string,
  content: 'iso' | 'vztmpl' | 'import',
  filename: string,
  size: number,
): string {
  const cfg = storageConfigs(core, node)[storeid];
  if (!cfg) throw new Error(`storage '${storeid}' does not exist`);
  if (!cfg.content.includes(content))
    throw new Error(`storage '${storeid}' does not support content-type '${content}'`);
  const offline = storageUnavailable(core, storeid, node);
  if (offline) throw new Error(offline);
  const sub = content === 'iso' ? 'iso' : content === 'vztmpl' ? 'vztmpl' : 'import';
  const volid = `${storeid}:${sub}/${filename}`;
  const vols = volumesAt(core, storeid, locationKey(cfg, node));
  const existing = vols.findIndex((v) => v.volid === volid);
  if (existing >= 0) vols.splice(existing, 1);
  const format = content === 'iso' ? 'iso' : content === 'vztmpl' ? 'tgz' : 'raw';
  vols.push({ volid, content, format, size, ctime: core.epochSeconds() });
  return volid;
}

/** Volume ids referenced by a guest config (disks, rootfs, mount points; not CD-ROMs). */
export function guestVolumes(config: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!/^(scsi|virtio|sata|ide|efidisk|tpmstate|mp)\d+$|^rootfs$/.test(key)) continue;
    const first = value.split(',')[0] ?? '';
    if (value.includes('media=cdrom') || first === 'none' || first === 'cdrom') continue;
    if (first.includes(':')) out.push(first);
  }
  return out;
}

/** The error a guest start gets for a disk that is not reachable from `node`, if any. */
export function diskUnavailable(core: SimCore, volid: string, node: string): string | undefined {
  const storeid = volid.split(':')[0] ?? '';
  const offline = storageUnavailable(core, storeid, node);
  if (offline) return offline;
  if (findVolume(core, volid, node)) return undefined;
  const cfg = storageConfigs(core, node)[storeid];
  if (cfg?.type === 'lvmthin') {
    const lv = `${cfg.vgname ?? 'pve'}/${volid.split(':')[1]}`;
    return `activating LV '${lv}' failed:   Failed to find logical volume "${lv}"`;
  }
  return `volume '${volid}' does not exist`;
}

/** Moves a guest's local volumes to another node (offline migration with local disks). */
export function moveLocalVolumes(
  core: SimCore,
  config: Record<string, string>,
  from: string,
  to: string,
): void {
  for (const volid of guestVolumes(config)) {
    const storeid = volid.split(':')[0] ?? '';
    const cfg = storageConfigs(core, from)[storeid];
    if (!cfg || isShared(cfg)) continue;
    const src = volumesAt(core, storeid, from);
    const i = src.findIndex((v) => v.volid === volid);
    if (i < 0) continue;
    const [vol] = src.splice(i, 1);
    volumesAt(core, storeid, to).push(vol!);
  }
}

export function freeGuestVolumes(core: SimCore, config: Record<string, string>, node: string): void {
  for (const volid of guestVolumes(config)) {
    const storeid = volid.split(':')[0] ?? '';
    const cfg = storageConfigs(core, node)[storeid];
    if (!cfg) continue;
    const vols = volumesAt(core, storeid, locationKey(cfg, node));
    const i = vols.findIndex((v) => v.volid === volid);
    if (i >= 0) vols.splice(i, 1);
  }
}

/** Removes one volume (storage content delete); a guest config that still names it keeps the name. */
export function removeVolume(core: SimCore, volid: string, node: string): void {
  const storeid = volid.split(':')[0] ?? '';
  const cfg = storageConfigs(core, node)[storeid];
  if (!cfg) return;
  const vols = volumesAt(core, storeid, locationKey(cfg, node));
  const i = vols.findIndex((v) => v.volid === volid);
  if (i >= 0) vols.splice(i, 1);
}
