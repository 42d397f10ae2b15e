/**
 * The Datacenter view's Proxmox call sequences, in one pure module: the Svelte panels call these
 * functions and `lab test` calls the very same ones, so a lab's GUI path is proven with the calls
 * the view makes. Everything goes through one `call` (the contract's `pve.call` in the renderer,
 * the lab's PveApi in the engine), so it behaves the same on the simulator and on real nodes.
 *
 * The API paths and parameters are the ones pve-manager's web interface sends
 * (www/manager6: dc/ClusterEdit.js, storage/NFSEdit.js, ha/ResourceEdit.js, qemu/CreateWizard.js,
 * window/DownloadUrlToStorage.js, window/Migrate.js).
 */

export type PveMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type PveValue = string | number | boolean;
export type PveCall = (
  method: PveMethod,
  path: string,
  params?: Record<string, PveValue>,
  node?: string,
) => Promise<unknown>;

/** A task the action started, for the task log (and for `lab test` to wait on). */
export interface ActionOutcome {
  upid: string | null;
  value: unknown;
}

const seg = (value: string | number): string => encodeURIComponent(String(value));
const asUpid = (value: unknown): string | null =>
  typeof value === 'string' && value.startsWith('UPID:') ? value : null;
const outcome = (value: unknown): ActionOutcome => ({ upid: asUpid(value), value });

// ---------------------------------------------------------------- reading (panels)

export interface ClusterResource {
  id: string;
  type: string;
  node?: string;
  status?: string;
  name?: string;
  vmid?: number;
  storage?: string;
  hastate?: string;
  maxmem?: number;
  mem?: number;
  maxcpu?: number;
  cpu?: number;
  maxdisk?: number;
  disk?: number;
  uptime?: number;
  content?: string;
  shared?: number;
  plugintype?: string;
  template?: number;
}

export const clusterResources = async (call: PveCall): Promise<ClusterResource[]> =>
  (await call('GET', '/cluster/resources')) as ClusterResource[];

export interface ClusterStatusEntry {
  type: 'cluster' | 'node';
  name: string;
  id?: string;
  online?: number;
  ip?: string;
  local?: number;
  nodeid?: number;
  quorate?: number;
  nodes?: number;
  version?: number;
}

export const clusterStatus = async (call: PveCall, node?: string): Promise<ClusterStatusEntry[]> =>
  (await call('GET', '/cluster/status', undefined, node)) as ClusterStatusEntry[];

export interface TaskEntry {
  upid: string;
  node: string;
  type: string;
  id?: string;
  user: string;
  starttime: number;
  endtime?: number;
  status?: string;
}

/** The cluster's recent tasks (every node's), newest first as Proxmox lists them. */
export const clusterTasks = async (call: PveCall, node?: string): Promise<TaskEntry[]> =>
  (await call('GET', '/cluster/tasks', undefined, node)) as TaskEntry[];

export const nodeTasks = async (call: PveCall, node: string): Promise<TaskEntry[]> =>
  (await call('GET', `/nodes/${seg(node)}/tasks`, { limit: 50 }, node)) as TaskEntry[];

/** The node a UPID belongs to (`UPID:<node>:…`). */
export function upidNode(upid: string): string | null {
  const node = upid.split(':')[1];
  return upid.startsWith('UPID:') && node ? node : null;
}

export interface TaskStatus {
  status: 'running' | 'stopped';
  exitstatus?: string;
  type?: string;
  node?: string;
}

export async function taskStatus(call: PveCall, upid: string): Promise<TaskStatus> {
  const node = upidNode(upid);
  if (!node) throw new Error(`not a task id (UPID): ${upid}`);
  return (await call('GET', `/nodes/${seg(node)}/tasks/${seg(upid)}/status`, undefined, node)) as TaskStatus;
}

export async function taskLog(call: PveCall, upid: string): Promise<string[]> {
  const node = upidNode(upid);
  if (!node) throw new Error(`not a task id (UPID): ${upid}`);
  const lines = (await call('GET', `/nodes/${seg(node)}/tasks/${seg(upid)}/log`, { limit: 500 }, node)) as {
    n: number;
    t: string;
  }[];
  return lines.map((l) => l.t);
}

export interface NfsExport {
  path: string;
  options: string;
}

/** Storage → Add → NFS: the export list the server offers (`pvesm nfsscan`). */
export const scanNfs = async (call: PveCall, p: { node: string; server: string }): Promise<NfsExport[]> =>
  (await call('GET', `/nodes/${seg(p.node)}/scan/nfs`, { server: p.server }, p.node)) as NfsExport[];

export interface StorageVolume {
  volid: string;
  content: string;
  format?: string;
  size?: number;
  vmid?: number;
}

export const storageContent = async (
  call: PveCall,
  p: { node: string; storage: string; content?: string },
): Promise<StorageVolume[]> =>
  (await call(
    'GET',
    `/nodes/${seg(p.node)}/storage/${seg(p.storage)}/content`,
    p.content ? { content: p.content } : undefined,
    p.node,
  )) as StorageVolume[];

export interface StorageConfigEntry {
  storage: string;
  type: string;
  content?: string;
  server?: string;
  export?: string;
  path?: string;
  nodes?: string;
  shared?: number;
}

export const storageConfig = async (call: PveCall): Promise<StorageConfigEntry[]> =>
  (await call('GET', '/storage')) as StorageConfigEntry[];

export interface HaStatusEntry {
  id: string;
  type: string;
  status?: string;
  node?: string;
  sid?: string;
  state?: string;
  quorate?: number;
}

export const haStatus = async (call: PveCall): Promise<HaStatusEntry[]> =>
  (await call('GET', '/cluster/ha/status/current')) as HaStatusEntry[];

export interface HaResourceEntry {
  sid: string;
  state?: string;
  group?: string;
  max_restart?: number;
  max_relocate?: number;
  comment?: string;
}

export const haResources = async (call: PveCall): Promise<HaResourceEntry[]> =>
  (await call('GET', '/cluster/ha/resources')) as HaResourceEntry[];

export interface HaRuleEntry {
  rule: string;
  type: string;
  resources?: string;
  nodes?: string;
  strict?: number;
  affinity?: string;
  disable?: number;
}

export const haRules = async (call: PveCall): Promise<HaRuleEntry[]> =>
  (await call('GET', '/cluster/ha/rules')) as HaRuleEntry[];

export interface HaGroupEntry {
  group: string;
  nodes: string;
  restricted?: number;
  nofailback?: number;
}

export const haGroups = async (call: PveCall): Promise<HaGroupEntry[]> =>
  (await call('GET', '/cluster/ha/groups')) as HaGroupEntry[];

export const guestConfig = async (
  call: PveCall,
  p: { node: string; vmid: number },
): Promise<Record<string, PveValue>> =>
  (await call('GET', `/nodes/${seg(p.node)}/qemu/${seg(p.vmid)}/config`, undefined, p.node)) as Record<
    string,
    PveValue
  >;

export const nextVmid = async (call: PveCall): Promise<number> =>
  Number(await call('GET', '/cluster/nextid'));

// ---------------------------------------------------------------- cluster

/** Datacenter → Cluster → Create Cluster (on the node that will hold it). */
export async function createCluster(
  call: PveCall,
  p: { node: string; clusterName: string; link0?: string },
): Promise<ActionOutcome> {
  const params: Record<string, PveValue> = { clustername: p.clusterName };
  if (p.link0) params['link0'] = p.link0;
  return outcome(await call('POST', '/cluster/config', params, p.node));
}

/** What "Join Information" shows and "Copy Information" copies (pve-manager dc/ClusterEdit.js). */
export interface JoinInformation {
  ipAddress: string;
  fingerprint: string;
  peerLinks: Record<string, string>;
  ring_addr: string[];
  totem: Record<string, unknown>;
}

interface JoinApiAnswer {
  preferred_node?: string;
  nodelist: { name: string; pve_addr?: string; pve_fp?: string; ring0_addr?: string; [k: string]: unknown }[];
  totem?: Record<string, unknown>;
}

function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function unbase64(text: string): string {
  const binary = atob(text.replace(/\s+/g, ''));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

/** Datacenter → Cluster → Join Information on a cluster member: the copyable text and its parts. */
export async function joinInformation(
  call: PveCall,
  p: { node: string },
): Promise<{ information: string; details: JoinInformation }> {
  const answer = (await call('GET', '/cluster/config/join', { node: p.node }, p.node)) as JoinApiAnswer;
  const preferred =
    answer.nodelist.find((n) => n.name === (answer.preferred_node ?? p.node)) ?? answer.nodelist[0];
  if (!preferred) throw new Error('The cluster has no node to join through.');
  const links: Record<string, string> = {};
  for (const [key, value] of Object.entries(preferred)) {
    const match = /^ring(\d+)_addr$/.exec(key);
    if (match && typeof value === 'string') links[match[1]!] = value;
  }
  const details: JoinInformation = {
    ipAddress: preferred.pve_addr ?? preferred.ring0_addr ?? '',
    fingerprint: preferred.pve_fp ?? '',
    peerLinks: links,
    ring_addr: Object.values(links),
    totem: answer.totem ?? {},
  };
  return { information: base64(JSON.stringify(details)), details };
}

/** Reads pasted join information; says plainly what is wrong with it. */
export function decodeJoinInformation(text: string): JoinInformation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(unbase64(text.trim()));
  } catch {
    throw new Error('This is not join information: copy it with "Copy Information" on a cluster member.');
  }
  const info = parsed as Partial<JoinInformation>;
  if (typeof info.ipAddress !== 'string' || typeof info.fingerprint !== 'string' || !info.ipAddress) {
    throw new Error('The join information has no address or fingerprint: copy it again from the cluster.');
  }
  return {
    ipAddress: info.ipAddress,
    fingerprint: info.fingerprint,
    peerLinks: info.peerLinks ?? {},
    ring_addr: info.ring_addr ?? [],
    totem: info.totem ?? {},
  };
}

/** Datacenter → Cluster → Join Cluster, on the joining node, with the cluster node's root password. */
export async function joinCluster(
  call: PveCall,
  p: { node: string; information: string; password: string; link0?: string },
): Promise<ActionOutcome> {
  const info = decodeJoinInformation(p.information);
  const params: Record<string, PveValue> = {
    hostname: info.ipAddress,
    fingerprint: info.fingerprint,
    password: p.password,
  };
  if (p.link0) params['link0'] = p.link0;
  return outcome(await call('POST', '/cluster/config/join', params, p.node));
}

// ---------------------------------------------------------------- storage

export const STORAGE_CONTENT_TYPES = [
  'images',
  'iso',
  'vztmpl',
  'backup',
  'rootdir',
  'snippets',
  'import',
] as const;

/** Datacenter → Storage → Add → NFS. */
export async function addNfsStorage(
  call: PveCall,
  p: { storage: string; server: string; export: string; content: string[]; nodes?: string[] },
): Promise<ActionOutcome> {
  if (p.content.length === 0) throw new Error('Choose at least one content type.');
  const params: Record<string, PveValue> = {
    storage: p.storage,
    type: 'nfs',
    server: p.server,
    export: p.export,
    content: p.content.join(','),
  };
  if (p.nodes && p.nodes.length > 0) params['nodes'] = p.nodes.join(',');
  return outcome(await call('POST', '/storage', params));
}

/** Storage → ISO Images → Download from URL. */
export async function downloadFromUrl(
  call: PveCall,
  p: { node: string; storage: string; url: string; filename: string; content?: 'iso' | 'vztmpl' | 'import' },
): Promise<ActionOutcome> {
  return outcome(
    await call(
      'POST',
      `/nodes/${seg(p.node)}/storage/${seg(p.storage)}/download-url`,
      { url: p.url, filename: p.filename, content: p.content ?? 'iso' },
      p.node,
    ),
  );
}

/** The file name a URL suggests, as the dialog's "Query URL" fills it in. */
export function filenameFromUrl(url: string): string {
  try {
    const last = new URL(url).pathname.split('/').filter(Boolean).at(-1);
    return last ? decodeURIComponent(last) : '';
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------- HA

/** Datacenter → HA → Resources → Add (and a guest's More → Manage HA). */
export async function haAddResource(
  call: PveCall,
  p: {
    sid: string;
    state?: 'started' | 'stopped' | 'ignored' | 'disabled';
    group?: string;
    maxRestart?: number;
    maxRelocate?: number;
    comment?: string;
  },
): Promise<ActionOutcome> {
  const params: Record<string, PveValue> = { sid: p.sid, state: p.state ?? 'started' };
  if (p.group) params['group'] = p.group;
  if (p.maxRestart !== undefined) params['max_restart'] = p.maxRestart;
  if (p.maxRelocate !== undefined) params['max_relocate'] = p.maxRelocate;
  if (p.comment) params['comment'] = p.comment;
  return outcome(await call('POST', '/cluster/ha/resources', params));
}

/** HA → Resources → Edit: request state, failback (PVE 9), group (PVE 8), restart/relocate limits. */
export async function haEditResource(
  call: PveCall,
  p: {
    sid: string;
    state?: string;
    failback?: boolean;
    group?: string;
    maxRestart?: number;
    maxRelocate?: number;
  },
): Promise<ActionOutcome> {
  const params: Record<string, PveValue> = {};
  if (p.state) params['state'] = p.state;
  if (p.failback !== undefined) params['failback'] = p.failback ? 1 : 0;
  if (p.group !== undefined) params['group'] = p.group;
  if (p.maxRestart !== undefined) params['max_restart'] = p.maxRestart;
  if (p.maxRelocate !== undefined) params['max_relocate'] = p.maxRelocate;
  return outcome(await call('PUT', `/cluster/ha/resources/${seg(p.sid)}`, params));
}

/** HA → Resources → Remove. */
export async function haRemoveResource(call: PveCall, p: { sid: string }): Promise<ActionOutcome> {
  return outcome(await call('DELETE', `/cluster/ha/resources/${seg(p.sid)}`));
}

/** HA → Affinity Rules → Remove (PVE 9). */
export async function haRemoveRule(call: PveCall, p: { rule: string }): Promise<ActionOutcome> {
  return outcome(await call('DELETE', `/cluster/ha/rules/${seg(p.rule)}`));
}

/** HA → Groups → Edit (PVE 8): nodes with priorities, restricted, nofailback. */
export async function haEditGroup(
  call: PveCall,
  p: { group: string; nodes?: string[]; restricted?: boolean; nofailback?: boolean },
): Promise<ActionOutcome> {
  const params: Record<string, PveValue> = {};
  if (p.nodes) params['nodes'] = p.nodes.join(',');
  if (p.restricted !== undefined) params['restricted'] = p.restricted ? 1 : 0;
  if (p.nofailback !== undefined) params['nofailback'] = p.nofailback ? 1 : 0;
  return outcome(await call('PUT', `/cluster/ha/groups/${seg(p.group)}`, params));
}

/**
 * PVE 9: Datacenter → HA → Affinity Rules → Add → HA Node Affinity Rule. Nodes may carry a
 * priority (`pve2:2`), the higher the better.
 */
export async function haAddNodeAffinityRule(
  call: PveCall,
  p: { rule: string; resources: string[]; nodes: string[]; strict?: boolean },
): Promise<ActionOutcome> {
  const params: Record<string, PveValue> = {
    rule: p.rule,
    type: 'node-affinity',
    resources: p.resources.join(','),
    nodes: p.nodes.join(','),
  };
  if (p.strict) params['strict'] = 1;
  return outcome(await call('POST', '/cluster/ha/rules', params));
}

/** PVE 8: Datacenter → HA → Groups → Create. */
export async function haAddGroup(
  call: PveCall,
  p: { group: string; nodes: string[]; restricted?: boolean; nofailback?: boolean },
): Promise<ActionOutcome> {
  const params: Record<string, PveValue> = { group: p.group, nodes: p.nodes.join(',') };
  if (p.restricted) params['restricted'] = 1;
  if (p.nofailback) params['nofailback'] = 1;
  return outcome(await call('POST', '/cluster/ha/groups', params));
}

// ---------------------------------------------------------------- guests

export interface CreateVmParams {
  node: string;
  vmid: number;
  name?: string;
  /** OS tab: the ISO volume (`nfs-lab:iso/Core-17.1.iso`), or none. */
  iso?: string | null;
  ostype?: string;
  /** System tab. */
  agent?: boolean;
  scsihw?: string;
  /** Disks tab. */
  diskStorage: string;
  diskSizeGiB: number;
  /** CPU tab. */
  sockets?: number;
  cores?: number;
  /** Memory tab (MiB). */
  memory?: number;
  /** Network tab. */
  bridge?: string;
  model?: string;
  /** Confirm tab: "Start after created". */
  start?: boolean;
}

/** The Create VM wizard's POST, tab by tab, as qemu/CreateWizard.js assembles it. */
export function createVmParams(p: CreateVmParams): Record<string, PveValue> {
  const params: Record<string, PveValue> = {
    vmid: p.vmid,
    ostype: p.ostype ?? 'l26',
    scsihw: p.scsihw ?? 'virtio-scsi-single',
    scsi0: `${p.diskStorage}:${p.diskSizeGiB}`,
    sockets: p.sockets ?? 1,
    cores: p.cores ?? 1,
    memory: p.memory ?? 2048,
    net0: `${p.model ?? 'virtio'},bridge=${p.bridge ?? 'vmbr0'}`,
  };
  if (p.name) params['name'] = p.name;
  if (p.agent) params['agent'] = '1';
  if (p.iso) {
    params['ide2'] = `${p.iso},media=cdrom`;
    params['boot'] = 'order=scsi0;ide2';
  } else {
    params['boot'] = 'order=scsi0';
  }
  if (p.start) params['start'] = 1;
  return params;
}

export async function createVm(call: PveCall, p: CreateVmParams): Promise<ActionOutcome> {
  return outcome(await call('POST', `/nodes/${seg(p.node)}/qemu`, createVmParams(p), p.node));
}

export type GuestPowerCommand = 'start' | 'shutdown' | 'stop';

/** A guest's Start / Shutdown / Stop buttons. */
export async function guestPower(
  call: PveCall,
  p: { node: string; vmid: number; command: GuestPowerCommand },
): Promise<ActionOutcome> {
  return outcome(
    await call('POST', `/nodes/${seg(p.node)}/qemu/${seg(p.vmid)}/status/${p.command}`, {}, p.node),
  );
}

/** A guest's Migrate button (online for a running guest). */
export async function migrateGuest(
  call: PveCall,
  p: { node: string; vmid: number; target: string; online?: boolean },
): Promise<ActionOutcome> {
  const params: Record<string, PveValue> = { target: p.target };
  if (p.online) params['online'] = 1;
  return outcome(await call('POST', `/nodes/${seg(p.node)}/qemu/${seg(p.vmid)}/migrate`, params, p.node));
}

// ---------------------------------------------------------------- registry (lab files' GUI paths)

type Params = Record<string, unknown>;

function need<T>(p: Params, key: string, kind: 'string' | 'number' | 'boolean' | 'list', action: string): T {
  const value = p[key];
  if (value === undefined) throw new Error(`datacenter action "${action}" needs "${key}"`);
  return coerce<T>(value, key, kind, action);
}
function may<T>(
  p: Params,
  key: string,
  kind: 'string' | 'number' | 'boolean' | 'list',
  action: string,
): T | undefined {
  return p[key] === undefined ? undefined : coerce<T>(p[key], key, kind, action);
}
function coerce<T>(value: unknown, key: string, kind: string, action: string): T {
  if (kind === 'number') {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n)) throw new Error(`datacenter action "${action}": "${key}" must be a number`);
    return n as T;
  }
  if (kind === 'boolean') return (value === true || value === 1 || value === '1' || value === 'true') as T;
  if (kind === 'list') {
    if (Array.isArray(value)) return value.map(String) as T;
    return String(value)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean) as T;
  }
  return String(value) as T;
}

export interface DatacenterActionSpec {
  /** Where the learner finds it in the view (English; the view translates its own labels). */
  where: string;
  params: readonly string[];
  run(call: PveCall, params: Params): Promise<ActionOutcome>;
}

/** Every action a lab file's `gui` path may name, with the view's function behind it. */
export const DATACENTER_ACTIONS = {
  'create-cluster': {
    where: 'Datacenter → Cluster → Create Cluster',
    params: ['node', 'clusterName', 'link0'],
    run: async (call, p) =>
      createCluster(call, {
        node: need(p, 'node', 'string', 'create-cluster'),
        clusterName: need(p, 'clusterName', 'string', 'create-cluster'),
        ...(p['link0'] !== undefined ? { link0: need<string>(p, 'link0', 'string', 'create-cluster') } : {}),
      }),
  },
  'join-information': {
    where: 'Datacenter → Cluster → Join Information',
    params: ['node'],
    run: async (call, p) => ({
      upid: null,
      value: await joinInformation(call, { node: need(p, 'node', 'string', 'join-information') }),
    }),
  },
  'join-cluster': {
    where: 'Datacenter → Cluster → Join Cluster',
    params: ['node', 'information', 'password', 'link0'],
    run: async (call, p) =>
      joinCluster(call, {
        node: need(p, 'node', 'string', 'join-cluster'),
        information: need(p, 'information', 'string', 'join-cluster'),
        password: need(p, 'password', 'string', 'join-cluster'),
        ...(p['link0'] !== undefined ? { link0: need<string>(p, 'link0', 'string', 'join-cluster') } : {}),
      }),
  },
  'scan-nfs': {
    where: 'Datacenter → Storage → Add → NFS (Export list)',
    params: ['node', 'server'],
    run: async (call, p) => ({
      upid: null,
      value: await scanNfs(call, {
        node: need(p, 'node', 'string', 'scan-nfs'),
        server: need(p, 'server', 'string', 'scan-nfs'),
      }),
    }),
  },
  'add-nfs-storage': {
    where: 'Datacenter → Storage → Add → NFS',
    params: ['storage', 'server', 'export', 'content', 'nodes'],
    run: async (call, p) => {
      const nodes = may<string[]>(p, 'nodes', 'list', 'add-nfs-storage');
      return addNfsStorage(call, {
        storage: need(p, 'storage', 'string', 'add-nfs-storage'),
        server: need(p, 'server', 'string', 'add-nfs-storage'),
        export: need(p, 'export', 'string', 'add-nfs-storage'),
        content: need(p, 'content', 'list', 'add-nfs-storage'),
        ...(nodes ? { nodes } : {}),
      });
    },
  },
  'download-from-url': {
    where: '<node> → <storage> → ISO Images → Download from URL',
    params: ['node', 'storage', 'url', 'filename'],
    run: async (call, p) =>
      downloadFromUrl(call, {
        node: need(p, 'node', 'string', 'download-from-url'),
        storage: need(p, 'storage', 'string', 'download-from-url'),
        url: need(p, 'url', 'string', 'download-from-url'),
        filename: need(p, 'filename', 'string', 'download-from-url'),
      }),
  },
  'create-vm': {
    where: '<node> → Create VM',
    params: [
      'node',
      'vmid',
      'name',
      'iso',
      'ostype',
      'agent',
      'scsihw',
      'diskStorage',
      'diskSizeGiB',
      'sockets',
      'cores',
      'memory',
      'bridge',
      'model',
      'start',
    ],
    run: async (call, p) => {
      const a = 'create-vm';
      const optional: Partial<CreateVmParams> = {};
      const name = may<string>(p, 'name', 'string', a);
      if (name !== undefined) optional.name = name;
      const iso = may<string>(p, 'iso', 'string', a);
      if (iso !== undefined) optional.iso = iso;
      const ostype = may<string>(p, 'ostype', 'string', a);
      if (ostype !== undefined) optional.ostype = ostype;
      const agent = may<boolean>(p, 'agent', 'boolean', a);
      if (agent !== undefined) optional.agent = agent;
      const scsihw = may<string>(p, 'scsihw', 'string', a);
      if (scsihw !== undefined) optional.scsihw = scsihw;
      const sockets = may<number>(p, 'sockets', 'number', a);
      if (sockets !== undefined) optional.sockets = sockets;
      const cores = may<number>(p, 'cores', 'number', a);
      if (cores !== undefined) optional.cores = cores;
      const memory = may<number>(p, 'memory', 'number', a);
      if (memory !== undefined) optional.memory = memory;
      const bridge = may<string>(p, 'bridge', 'string', a);
      if (bridge !== undefined) optional.bridge = bridge;
      const model = may<string>(p, 'model', 'string', a);
      if (model !== undefined) optional.model = model;
      const start = may<boolean>(p, 'start', 'boolean', a);
      if (start !== undefined) optional.start = start;
      return createVm(call, {
        ...optional,
        node: need(p, 'node', 'string', a),
        vmid: need(p, 'vmid', 'number', a),
        diskStorage: need(p, 'diskStorage', 'string', a),
        diskSizeGiB: need(p, 'diskSizeGiB', 'number', a),
      });
    },
  },
  'ha-add': {
    where: 'Datacenter → HA → Resources → Add',
    params: ['sid', 'state', 'group', 'maxRestart', 'maxRelocate', 'comment'],
    run: async (call, p) => {
      const a = 'ha-add';
      const state = may<string>(p, 'state', 'string', a);
      const group = may<string>(p, 'group', 'string', a);
      const maxRestart = may<number>(p, 'maxRestart', 'number', a);
      const maxRelocate = may<number>(p, 'maxRelocate', 'number', a);
      const comment = may<string>(p, 'comment', 'string', a);
      return haAddResource(call, {
        sid: need(p, 'sid', 'string', a),
        ...(state ? { state: state as 'started' } : {}),
        ...(group ? { group } : {}),
        ...(maxRestart !== undefined ? { maxRestart } : {}),
        ...(maxRelocate !== undefined ? { maxRelocate } : {}),
        ...(comment ? { comment } : {}),
      });
    },
  },
  'ha-add-node-affinity-rule': {
    where: 'Datacenter → HA → Affinity Rules → Add',
    params: ['rule', 'resources', 'nodes', 'strict'],
    run: async (call, p) => {
      const a = 'ha-add-node-affinity-rule';
      return haAddNodeAffinityRule(call, {
        rule: need(p, 'rule', 'string', a),
        resources: need(p, 'resources', 'list', a),
        nodes: need(p, 'nodes', 'list', a),
        strict: may<boolean>(p, 'strict', 'boolean', a) ?? false,
      });
    },
  },
  'ha-add-group': {
    where: 'Datacenter → HA → Groups → Create',
    params: ['group', 'nodes', 'restricted', 'nofailback'],
    run: async (call, p) => {
      const a = 'ha-add-group';
      return haAddGroup(call, {
        group: need(p, 'group', 'string', a),
        nodes: need(p, 'nodes', 'list', a),
        restricted: may<boolean>(p, 'restricted', 'boolean', a) ?? false,
        nofailback: may<boolean>(p, 'nofailback', 'boolean', a) ?? false,
      });
    },
  },
  'ha-edit': {
    where: 'Datacenter → HA → Resources → Edit',
    params: ['sid', 'state', 'failback', 'group', 'maxRestart', 'maxRelocate'],
    run: async (call, p) => {
      const a = 'ha-edit';
      const state = may<string>(p, 'state', 'string', a);
      const failback = may<boolean>(p, 'failback', 'boolean', a);
      const group = may<string>(p, 'group', 'string', a);
      const maxRestart = may<number>(p, 'maxRestart', 'number', a);
      const maxRelocate = may<number>(p, 'maxRelocate', 'number', a);
      return haEditResource(call, {
        sid: need(p, 'sid', 'string', a),
        ...(state ? { state } : {}),
        ...(failback !== undefined ? { failback } : {}),
        ...(group !== undefined ? { group } : {}),
        ...(maxRestart !== undefined ? { maxRestart } : {}),
        ...(maxRelocate !== undefined ? { maxRelocate } : {}),
      });
    },
  },
  'ha-remove': {
    where: 'Datacenter → HA → Resources → Remove',
    params: ['sid'],
    run: async (call, p) => haRemoveResource(call, { sid: need(p, 'sid', 'string', 'ha-remove') }),
  },
  'ha-remove-rule': {
    where: 'Datacenter → HA → Affinity Rules → Remove',
    params: ['rule'],
    run: async (call, p) => haRemoveRule(call, { rule: need(p, 'rule', 'string', 'ha-remove-rule') }),
  },
  'ha-edit-group': {
    where: 'Datacenter → HA → Groups → Edit',
    params: ['group', 'nodes', 'restricted', 'nofailback'],
    run: async (call, p) => {
      const a = 'ha-edit-group';
      const nodes = may<string[]>(p, 'nodes', 'list', a);
      const restricted = may<boolean>(p, 'restricted', 'boolean', a);
      const nofailback = may<boolean>(p, 'nofailback', 'boolean', a);
      return haEditGroup(call, {
        group: need(p, 'group', 'string', a),
        ...(nodes ? { nodes } : {}),
        ...(restricted !== undefined ? { restricted } : {}),
        ...(nofailback !== undefined ? { nofailback } : {}),
      });
    },
  },
  'guest-start': {
    where: '<guest> → Start',
    params: ['node', 'vmid'],
    run: async (call, p) =>
      guestPower(call, {
        node: need(p, 'node', 'string', 'guest-start'),
        vmid: need(p, 'vmid', 'number', 'guest-start'),
        command: 'start',
      }),
  },
  'guest-shutdown': {
    where: '<guest> → Shutdown',
    params: ['node', 'vmid'],
    run: async (call, p) =>
      guestPower(call, {
        node: need(p, 'node', 'string', 'guest-shutdown'),
        vmid: need(p, 'vmid', 'number', 'guest-shutdown'),
        command: 'shutdown',
      }),
  },
  'guest-stop': {
    where: '<guest> → Stop',
    params: ['node', 'vmid'],
    run: async (call, p) =>
      guestPower(call, {
        node: need(p, 'node', 'string', 'guest-stop'),
        vmid: need(p, 'vmid', 'number', 'guest-stop'),
        command: 'stop',
      }),
  },
  migrate: {
    where: '<guest> → Migrate',
    params: ['node', 'vmid', 'target', 'online'],
    run: async (call, p) =>
      migrateGuest(call, {
        node: need(p, 'node', 'string', 'migrate'),
        vmid: need(p, 'vmid', 'number', 'migrate'),
        target: need(p, 'target', 'string', 'migrate'),
        online: may<boolean>(p, 'online', 'boolean', 'migrate') ?? false,
      }),
  },
} as const satisfies Record<string, DatacenterActionSpec>;

export type DatacenterActionName = keyof typeof DATACENTER_ACTIONS;
export const DATACENTER_ACTION_NAMES = Object.keys(DATACENTER_ACTIONS) as [
  DatacenterActionName,
  ...DatacenterActionName[],
];
