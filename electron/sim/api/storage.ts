/**
 * `/storage` (cluster storage configuration) and the per-node views: `/nodes/{node}/storage`,
 * `…/{storage}/status`, `…/{storage}/content`, `…/{storage}/upload`.
 */
import { SimApiError, type SimRequestContext, type SimRoute } from '../http/route.ts';
import { assertIfModified, digestOf, sectionConfigText } from '../config-digest.ts';
import { assertWritable } from '../pmxcfs.ts';
import type { StorageConfig } from '../state.ts';
import { startDownload, storageSubdir, validVolumeFilename } from '../downloads.ts';
import {
  addUploadedFile,
  findVolume,
  locationKey,
  removeVolume,
  storageConfigs,
  storageEnabledOn,
  storageStatus,
  storageUnavailable,
  volumesAt,
} from '../storage.ts';
import { finishTask, startTask, taskLog } from '../tasks.ts';
import type { World } from '../world.ts';
import { bool, list, paramError, req, route, str, targetNode } from './support.ts';

const CONTENT_TYPES = ['images', 'rootdir', 'vztmpl', 'iso', 'backup', 'snippets', 'import'];
const SUPPORTED = {
  dir: ['vztmpl', 'iso', 'backup', 'snippets', 'images', 'rootdir', 'import'],
  nfs: CONTENT_TYPES,
  lvmthin: ['images', 'rootdir'],
};

function storageDigest(all: Record<string, StorageConfig>): string {
  return digestOf(
    sectionConfigText(
      Object.entries(all).map(([id, c]) => ({ type: c.type, id, values: { ...c, type: undefined } })),
    ),
  );
}

function configView(
  id: string,
  cfg: StorageConfig,
  all: Record<string, StorageConfig>,
): Record<string, unknown> {
  return {
    storage: id,
    type: cfg.type,
    content: cfg.content.join(','),
    ...(cfg.path ? { path: cfg.path } : {}),
    ...(cfg.server ? { server: cfg.server } : {}),
    ...(cfg.export ? { export: cfg.export } : {}),
    ...(cfg.options ? { options: cfg.options } : {}),
    ...(cfg.vgname ? { vgname: cfg.vgname } : {}),
    ...(cfg.thinpool ? { thinpool: cfg.thinpool } : {}),
    ...(cfg.nodes ? { nodes: cfg.nodes.join(',') } : {}),
    ...(cfg.disable ? { disable: 1 } : {}),
    ...(cfg.type === 'nfs' ? { shared: 1 } : {}),
    digest: storageDigest(all),
  };
}

function parseContent(type: keyof typeof SUPPORTED, raw: string | undefined, param = 'content'): string[] {
  if (raw === undefined)
    return type === 'nfs' ? ['images'] : type === 'dir' ? ['vztmpl', 'iso', 'backup'] : ['images', 'rootdir'];
  const items = raw.split(/[,;\s]+/).filter(Boolean);
  for (const c of items) {
    if (!CONTENT_TYPES.includes(c)) throw paramError(param, `invalid format - invalid content type '${c}'`);
    if (!SUPPORTED[type].includes(c)) throw paramError(param, `storage does not support content type '${c}'`);
  }
  return items;
}

export function storageRoutes(world: World): SimRoute[] {
  const core = world.core;
  const known = (node: string, id: string): StorageConfig => {
    const cfg = storageConfigs(core, node)[id];
    if (!cfg) throw new SimApiError(500, `storage '${id}' does not exist`);
    return cfg;
  };
  return [
    route('GET', '/storage', (ctx) => {
      const type = str(ctx, 'type');
      return Object.entries(storageConfigs(core, ctx.node))
        .filter(([, c]) => !type || c.type === type)
        .map(([id, c]) => configView(id, c, storageConfigs(core, ctx.node)));
    }),
    route('POST', '/storage', (ctx) => {
      const id = req(ctx, 'storage');
      const type = req(ctx, 'type');
      if (type !== 'nfs' && type !== 'dir' && type !== 'lvmthin')
        throw new SimApiError(
          500,
          `the simulator does not model storage type '${type}' (it has dir, lvmthin and nfs)`,
        );
      if (!/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(id))
        throw paramError('storage', `invalid format - storage ID '${id}' contains illegal characters`);
      if (storageConfigs(core, ctx.node)[id])
        throw new SimApiError(500, `create storage failed: storage ID '${id}' already defined`);
      const cfg: StorageConfig = { type, content: parseContent(type, str(ctx, 'content')) };
      const nodes = list(ctx, 'nodes');
      if (nodes.length > 0) cfg.nodes = nodes;
      if (bool(ctx, 'disable')) cfg.disable = true;
      if (type === 'nfs') {
        cfg.server = req(ctx, 'server');
        cfg.export = req(ctx, 'export');
        cfg.path = `/mnt/pve/${id}`;
        const options = str(ctx, 'options');
        if (options) cfg.options = options;
      } else if (type === 'dir') {
        cfg.path = req(ctx, 'path');
      } else {
        cfg.vgname = req(ctx, 'vgname');
        cfg.thinpool = req(ctx, 'thinpool');
      }
      assertWritable(core, ctx.node);
      if (type === 'nfs' && !cfg.disable && storageEnabledOn(cfg, ctx.node)) {
        // pvedaemon activates a new NFS storage on the local node: the export must answer.
        const nas = core.state.nas;
        const up =
          nas &&
          nas.power === 'on' &&
          nas.cable &&
          nas.ip === cfg.server &&
          core.state.nodes[ctx.node]?.cable;
        if (!up) throw new SimApiError(500, `create storage failed: storage '${id}' is not online`);
        if (!nas.exports.includes(cfg.export!))
          throw new SimApiError(
            500,
            `create storage failed: mount error: mount.nfs: access denied by server while mounting ${cfg.server}:${cfg.export}`,
          );
      }
      storageConfigs(core, ctx.node)[id] = cfg;
      return { storage: id, type };
    }),
    route('GET', '/storage/{storage}', (ctx) =>
      configView(req(ctx, 'storage'), known(ctx.node, req(ctx, 'storage')), storageConfigs(core, ctx.node)),
    ),
    route('PUT', '/storage/{storage}', (ctx) => {
      const id = req(ctx, 'storage');
      const cfg = known(ctx.node, id);
      assertWritable(core, ctx.node);
      assertIfModified(str(ctx, 'digest'), storageDigest(storageConfigs(core, ctx.node)));
      const content = str(ctx, 'content');
      if (content !== undefined) cfg.content = parseContent(cfg.type, content);
      const nodes = str(ctx, 'nodes');
      if (nodes !== undefined) cfg.nodes = nodes.split(/[,;\s]+/).filter(Boolean);
      const disable = bool(ctx, 'disable');
      if (disable !== undefined) cfg.disable = disable;
      const options = str(ctx, 'options');
      if (options !== undefined) cfg.options = options;
      for (const key of list(ctx, 'delete')) {
        if (key === 'nodes') delete cfg.nodes;
        if (key === 'disable') delete cfg.disable;
        if (key === 'options') delete cfg.options;
      }
      return { storage: id, type: cfg.type };
    }),
    route('DELETE', '/storage/{storage}', (ctx) => {
      const id = req(ctx, 'storage');
      known(ctx.node, id);
      assertWritable(core, ctx.node);
      delete storageConfigs(core, ctx.node)[id];
      return null;
    }),
    route('GET', '/nodes/{node}/storage', (ctx) => {
      const node = targetNode(world, ctx);
      const content = str(ctx, 'content');
      const only = str(ctx, 'storage');
      const enabled = bool(ctx, 'enabled');
      return Object.keys(storageConfigs(core, node))
        .filter((id) => !only || id === only)
        .map((id) => storageStatus(core, id, node))
        .filter((s): s is NonNullable<typeof s> => s !== undefined)
        .filter((s) => !content || content.split(',').some((c) => s.content.split(',').includes(c)))
        .filter((s) => !enabled || s.enabled === 1);
    }),
    route('GET', '/nodes/{node}/storage/{storage}', (ctx) => {
      targetNode(world, ctx);
      known(ctx.node, req(ctx, 'storage'));
      return [
        'content',
        'download-url',
        'file-restore',
        'import-metadata',
        'prunebackups',
        'rrd',
        'rrddata',
        'status',
        'upload',
      ].map((subdir) => ({ subdir }));
    }),
    route('GET', '/nodes/{node}/storage/{storage}/status', (ctx) => {
      const node = targetNode(world, ctx);
      const id = req(ctx, 'storage');
      known(node, id);
      const st = storageStatus(core, id, node);
      if (!st) throw new SimApiError(500, `storage '${id}' is not available on node '${node}'`);
      return st;
    }),
    route('GET', '/nodes/{node}/storage/{storage}/content', (ctx) => {
      const node = targetNode(world, ctx);
      const id = req(ctx, 'storage');
      const cfg = known(node, id);
      const problem = storageUnavailable(core, id, node);
      if (problem) throw new SimApiError(500, problem);
      const content = str(ctx, 'content');
      const vmid = str(ctx, 'vmid');
      return volumesAt(core, id, locationKey(cfg, node))
        .filter((v) => !content || v.content === content)
        .filter((v) => vmid === undefined || String(v.vmid) === vmid)
        .map((v) => ({
          volid: v.volid,
          content: v.content,
          format: v.format,
          size: v.size,
          ctime: v.ctime,
          ...(v.vmid !== undefined ? { vmid: v.vmid, used: 0 } : {}),
        }));
    }),
    route('GET', '/nodes/{node}/scan/nfs', (ctx) => {
      const node = targetNode(world, ctx);
      const server = req(ctx, 'server');
      const nas = core.state.nas;
      const reachable =
        nas &&
        nas.power === 'on' &&
        nas.cable &&
        core.state.nodes[node]?.cable &&
        (nas.ip === server || nas.name === server);
      if (!reachable)
        throw new SimApiError(
          500,
          `command '/sbin/showmount --no-headers --exports ${server}' failed: exit code 1`,
        );
      const lan = nas.ip.split('.').slice(0, 3).join('.') + '.0/24';
      return nas.exports.map((path) => ({ path, options: lan }));
    }),
    route('POST', '/nodes/{node}/storage/{storage}/download-url', (ctx) => {
      const node = targetNode(world, ctx);
      const id = req(ctx, 'storage');
      const cfg = known(node, id);
      const url = req(ctx, 'url');
      if (!/^https?:\/\/.+/.test(url)) throw paramError('url', 'value does not match the regex pattern');
      const content = req(ctx, 'content');
      if (content !== 'iso' && content !== 'vztmpl' && content !== 'import')
        throw paramError(
          'content',
          `value '${content}' does not have a value in the enumeration 'iso, vztmpl, import'`,
        );
      const filename = req(ctx, 'filename');
      if (!validVolumeFilename(content, filename))
        throw paramError('filename', 'invalid filename or wrong extension');
      assertWritable(core, node);
      // pve-storage API2/Storage/Status.pm checks these before the worker starts.
      if (!cfg.path) throw new SimApiError(500, `cannot download to storage type '${cfg.type}'`);
      if (!cfg.content.includes(content))
        throw new SimApiError(500, `storage '${id}' does not support '${content}' content`);
      const problem = storageUnavailable(core, id, node);
      if (problem) throw new SimApiError(500, problem);
      return startDownload(core, node, id, content, filename, url, ctx.user).upid;
    }),
    route('POST', '/nodes/{node}/storage/{storage}/upload', (ctx) => {
      const node = targetNode(world, ctx);
      const id = req(ctx, 'storage');
      const cfg = known(node, id);
      const content = req(ctx, 'content');
      if (content !== 'iso' && content !== 'vztmpl' && content !== 'import')
        throw paramError('content', `upload content type '${content}' not allowed`);
      if (!ctx.upload) throw new SimApiError(500, 'missing temporary file name');
      const filename = ctx.upload.filename || req(ctx, 'filename');
      if (!validVolumeFilename(content, filename))
        throw paramError(
          'filename',
          content === 'import' ? 'invalid filename or wrong extension' : 'wrong file extension',
        );
      if (!cfg.path) throw new SimApiError(500, `can't upload to storage type '${cfg.type}'`);
      if (!cfg.content.includes(content))
        throw new SimApiError(500, `storage '${id}' does not support '${content}' content`);
      assertWritable(core, node);
      const { size, checksum: got } = ctx.upload;
      const algorithm = str(ctx, 'checksum-algorithm');
      const expected = str(ctx, 'checksum');
      const task = startTask(core, node, 'imgcopy', '', ctx.user);
      const tmp = `/var/tmp/pveupload-${task.pid.toString(16).padStart(32, '0')}`;
      const dest = `${cfg.path}/${storageSubdir(content)}/${filename}`;
      try {
        taskLog(task, `starting file import from: ${tmp}`);
        if (algorithm) {
          if (got === undefined || expected === undefined || got.toLowerCase() !== expected.toLowerCase()) {
            taskLog(task, 'calculating checksum...');
            throw new Error(`checksum mismatch: got '${got ?? ''}' != expect '${expected ?? ''}'`);
          }
          taskLog(task, 'calculating checksum...OK, checksum verified');
        }
        const problem = storageUnavailable(core, id, node);
        if (problem) throw new Error(problem);
        addUploadedFile(core, id, node, content, filename, size);
        taskLog(
          task,
          `target node: ${node}`,
          `target file: ${dest}`,
          `file size is: ${size}`,
          `command: cp -- ${tmp} ${dest}`,
          'finished file import successfully',
        );
        finishTask(core, task);
      } catch (e) {
        finishTask(core, task, (e as Error).message);
      }
      return task.upid;
    }),
    route('GET', '/nodes/{node}/storage/{storage}/content/{volume}', (ctx) => {
      const node = targetNode(world, ctx);
      const { volid } = volumeOf(ctx);
      const volume = findVolume(core, volid, node);
      if (!volume) throw new SimApiError(500, `volume '${volid}' does not exist`);
      const cfg = storageConfigs(core, node)[volid.split(':')[0]!]!;
      return {
        path: `${cfg.path ?? `/dev/${cfg.vgname ?? 'pve'}`}/${volid.split(':')[1]}`,
        size: volume.size,
        used: volume.content === 'images' || volume.content === 'rootdir' ? volume.size : 0,
        format: volume.format,
        ...(volume.notes ? { notes: volume.notes } : {}),
        ...(volume.protected ? { protected: 1 } : {}),
      };
    }),
    route('PUT', '/nodes/{node}/storage/{storage}/content/{volume}', (ctx) => {
      const node = targetNode(world, ctx);
      const { volid } = volumeOf(ctx);
      const volume = findVolume(core, volid, node);
      if (!volume) throw new SimApiError(500, `volume '${volid}' does not exist`);
      assertWritable(core, node);
      const notes = str(ctx, 'notes');
      if (notes !== undefined) volume.notes = notes;
      const protect = bool(ctx, 'protected');
      if (protect !== undefined) volume.protected = protect;
      return null;
    }),
    route('DELETE', '/nodes/{node}/storage/{storage}/content/{volume}', (ctx) => {
      const node = targetNode(world, ctx);
      const { volid, storeid } = volumeOf(ctx);
      known(node, storeid);
      assertWritable(core, node);
      const volume = findVolume(core, volid, node);
      const owner = volume?.vmid;
      const task = startTask(
        core,
        node,
        'imgdel',
        `${owner !== undefined ? `${owner}@` : ''}${storeid}`,
        ctx.user,
      );
      if (!volume) {
        finishTask(core, task, `volume '${volid}' does not exist`);
      } else if (volume.protected) {
        finishTask(core, task, `volume '${volid}' is protected`);
      } else {
        removeVolume(core, volid, node);
        taskLog(task, `Removed volume '${volid}'`);
        finishTask(core, task);
      }
      return task.upid;
    }),
  ];
}

/** `{volume}` is a full volume id (`local:iso/x.iso`) or one relative to `{storage}` (pve-storage real_volume_id). */
function volumeOf(ctx: SimRequestContext): { volid: string; storeid: string } {
  const volume = req(ctx, 'volume');
  const storage = str(ctx, 'storage');
  if (volume.includes(':')) {
    const storeid = volume.slice(0, volume.indexOf(':'));
    if (storage !== undefined && storage !== storeid)
      throw paramError('volume', `storage ID mismatch ('${storeid}' != '${storage}')`);
    return { volid: volume, storeid };
  }
  if (storage === undefined) throw paramError('storage', 'missing storage ID');
  return { volid: `${storage}:${volume}`, storeid: storage };
}
