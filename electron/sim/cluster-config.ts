/**
 * Cluster create, join information and join (pvecm create / pvecm add over the API). Join
 * checks the peer's root password and certificate fingerprint as the real join does.
 */
import { startHaDaemons } from './hardware.ts';
import { membershipChanged, recomputeMembership } from './membership.ts';
import { canWrite, NO_QUORUM_MESSAGE } from './pmxcfs.ts';
import type { SimCore } from './sim-core.ts';
import type { TaskState } from './state.ts';
import { storageConfigs } from './storage.ts';
import { finishTask, startTask, taskLog } from './tasks.ts';

export class ClusterConfigError extends Error {
  constructor(
    message: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'ClusterConfigError';
  }
}

const CLUSTER_NAME = /^[A-Za-z][A-Za-z0-9-]{0,14}$/;

export interface CreateClusterOptions {
  clustername: string;
  link0?: string;
  nodeid?: number;
  votes?: number;
  tokenCoefficient?: number;
  user?: string;
}

export function createCluster(core: SimCore, node: string, opts: CreateClusterOptions): TaskState {
  const n = core.state.nodes[node];
  if (!n) throw new ClusterConfigError(`no such node '${node}'`);
  if (!CLUSTER_NAME.test(opts.clustername))
    throw new ClusterConfigError(`value does not match the regex pattern`, 'clustername');
  if (core.state.cluster?.nodes[node])
    throw new ClusterConfigError("cluster config '/etc/pve/corosync.conf' already exists");
  if (core.state.cluster) {
    // A learner who created the cluster on the wrong node must not be stuck: say where it is and
    // how to go on (real PVE would make a second, separate cluster here, which no lab wants).
    const cluster = core.state.cluster;
    const [first] = Object.entries(cluster.nodes);
    const where = first ? `${first[0]} (${first[1].ip})` : 'another node';
    throw new ClusterConfigError(
      `cluster '${cluster.name}' already exists: it was created on ${where}, and a lab has one cluster. ` +
        `Join ${node} to it instead: on ${node} run 'pvecm add ${first?.[1].ip ?? '<its address>'}' ` +
        `(or Datacenter → Cluster → Join Cluster with ${first?.[0] ?? 'its'}'s join information); ` +
        `or press 'Reset lab' to start over with a fresh cluster`,
    );
  }
  const task = startTask(core, node, 'clustercreate', opts.clustername, opts.user ?? 'root@pam');
  // The creating node's /etc/pve becomes the cluster's.
  core.state.storage = storageConfigs(core, node);
  delete core.state.localStorage[node];
  core.state.cluster = {
    name: opts.clustername,
    founder: node,
    nodes: {
      [node]: { nodeid: opts.nodeid ?? 1, votes: opts.votes ?? 1, ip: addressOf(opts.link0) ?? n.ip },
    },
    configVersion: 1,
    tokenCoefficient: opts.tokenCoefficient ?? (core.state.pveMajor >= 9 ? 125 : 650),
  };
  taskLog(
    task,
    'Corosync Cluster Engine Authentication key generator.',
    'Gathering 2048 bits for key from /dev/urandom.',
    'Writing corosync key to /etc/corosync/authkey.',
    'Writing corosync config to /etc/pve/corosync.conf',
    'Restart corosync and cluster filesystem',
  );
  finishTask(core, task);
  recomputeMembership(core);
  if (n.phase === 'up') startHaDaemons(core, n);
  return task;
}

function addressOf(link?: string): string | undefined {
  if (!link) return undefined;
  const m = /(?:^|,)(?:address=)?([0-9a-fA-F.:]+)(?:,|$)/.exec(link);
  return m?.[1];
}

export interface JoinInfo {
  config_digest: string;
  nodelist: {
    name: string;
    nodeid: string;
    pve_addr: string;
    pve_fp: string;
    quorum_votes: string;
    ring0_addr: string;
  }[];
  preferred_node: string;
  totem: Record<string, unknown>;
}

export function joinInfo(core: SimCore, node: string): JoinInfo {
  const cluster = core.state.cluster;
  if (!cluster?.nodes[node])
    throw new ClusterConfigError('node is not in a cluster, no join info available!');
  return {
    config_digest: digest(`${cluster.name}:${cluster.configVersion}:${Object.keys(cluster.nodes).join(',')}`),
    nodelist: Object.entries(cluster.nodes).map(([name, c]) => ({
      name,
      nodeid: String(c.nodeid),
      pve_addr: core.state.nodes[name]?.ip ?? c.ip,
      pve_fp: core.state.nodes[name]?.fingerprint ?? '',
      quorum_votes: String(c.votes),
      ring0_addr: c.ip,
    })),
    preferred_node: node,
    totem: {
      cluster_name: cluster.name,
      config_version: String(cluster.configVersion),
      interface: { '0': { linknumber: '0' } },
      ip_version: 'ipv4-6',
      link_mode: 'passive',
      secauth: 'on',
      version: '2',
      ...(core.state.pveMajor >= 9 ? { token_coefficient: String(cluster.tokenCoefficient) } : {}),
    },
  };
}

function digest(s: string): string {
  let h1 = 0x811c9dc5;
  let out = '';
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < s.length; i++) h1 = Math.imul(h1 ^ s.charCodeAt(i), 0x01000193) >>> 0;
    h1 = Math.imul(h1 ^ round, 0x01000193) >>> 0;
    out += h1.toString(16).padStart(8, '0');
  }
  return out;
}

export interface JoinOptions {
  hostname: string;
  fingerprint: string;
  password: string;
  link0?: string;
  nodeid?: number;
  votes?: number;
  force?: boolean;
  user?: string;
}

/** Runs on the joining node. Returns the task; it fails (task error) on wrong password/fingerprint. */
export function joinCluster(core: SimCore, node: string, opts: JoinOptions): TaskState {
  const n = core.state.nodes[node];
  if (!n) throw new ClusterConfigError(`no such node '${node}'`);
  const task = startTask(core, node, 'clusterjoin', '', opts.user ?? 'root@pam');
  const fail = (msg: string): TaskState => {
    finishTask(core, task, msg);
    return task;
  };
  const problems: string[] = [];
  if (core.state.cluster?.nodes[node] && !opts.force) {
    problems.push("* authentication key '/etc/corosync/authkey' already exists");
    problems.push("* cluster config '/etc/pve/corosync.conf' already exists");
    problems.push('* corosync is already running, is this node already in a cluster?!');
  }
  if (Object.values(core.state.guests).some((g) => g.node === node) && !opts.force)
    problems.push('* this host already contains virtual guests');
  if (problems.length > 0)
    return fail(
      ['detected the following error(s):', ...problems, 'Check if node may join a cluster failed!'].join(
        '\n',
      ),
    );

  const peer = Object.values(core.state.nodes).find(
    (p) => p.name === opts.hostname || p.ip === opts.hostname,
  );
  const cluster = core.state.cluster;
  taskLog(task, `Establishing API connection with host '${opts.hostname}'`);
  const reachable =
    peer && peer.phase === 'up' && peer.cable && n.cable && peer.segment === n.segment && peer.name !== node;
  if (!peer || !reachable) return fail(`500 Can't connect to ${opts.hostname}:8006 (No route to host)`);
  if (normalizeFp(opts.fingerprint) !== normalizeFp(peer.fingerprint))
    return fail(
      `500 Can't connect to ${opts.hostname}:8006 (fingerprint mismatch: expected ${peer.fingerprint})`,
    );
  if (opts.password !== core.state.rootPassword) return fail('401 authentication failure');
  if (!cluster?.nodes[peer.name]) return fail('500 node is not in a cluster, no join info available!');
  if (cluster.nodes[node]) return fail(`500 cluster node '${node}' already exists`);
  const usedIds = new Set(Object.values(cluster.nodes).map((c) => c.nodeid));
  let nodeid = opts.nodeid ?? 1;
  if (opts.nodeid !== undefined && usedIds.has(opts.nodeid))
    return fail(`500 Node ID '${opts.nodeid}' already used`);
  while (usedIds.has(nodeid)) nodeid++;
  if (!canWrite(core, peer.name)) return fail(`500 ${NO_QUORUM_MESSAGE}`);
  taskLog(task, 'Login succeeded.', 'check cluster join API version');
  if (opts.link0 === undefined)
    taskLog(task, `No cluster network links passed explicitly, fallback to local node IP '${n.ip}'`);
  taskLog(task, 'Request addition of this node');
  cluster.nodes[node] = { nodeid, votes: opts.votes ?? 1, ip: addressOf(opts.link0) ?? n.ip };
  // The joining node's own /etc/pve (its storage.cfg included) is replaced by the cluster's.
  delete core.state.localStorage[node];
  cluster.configVersion++;
  taskLog(task, `Join request OK, finishing setup locally`, `stopping pve-cluster service`);
  taskLog(task, `backup old database to '/var/lib/pve-cluster/backup/config-${core.epochSeconds()}.sql.gz'`);
  core.clusterLog(
    peer.name,
    'pmxcfs',
    `[dcdb] notice: wrote new corosync config '/etc/corosync/corosync.conf' (version = ${cluster.configVersion})`,
  );
  membershipChanged(core, 'join');
  if (n.phase === 'up') startHaDaemons(core, n);
  // The node's new certificate (from the cluster's CA) is made now and presented once the join ends.
  core.transition(`certificate:${node}`, 'own-ca', 'joining');
  // The joining node restarts its cluster stack and waits for quorum before the task ends.
  core.at(core.now() + 3000, 'join-done', { upid: task.upid, node, bootId: n.bootId });
  return task;
}

/** Agenda handler: the join task's "waiting for quorum...OK" and the rest of its log. */
export function finishJoin(core: SimCore, upid: string, node: string, bootId: number): void {
  const task = (core.state.tasks[node] ?? []).find((t) => t.upid === upid);
  const n = core.state.nodes[node];
  if (!task || task.status !== 'running' || !n || n.bootId !== bootId) return;
  if (!canWrite(core, node)) {
    core.at(core.now() + 1000, 'join-done', { upid, node, bootId });
    return;
  }
  taskLog(
    task,
    'waiting for quorum...OK',
    '(re)generate node files',
    'generate new node certificate',
    'merge authorized SSH keys',
    'generated new node certificate, restart pveproxy and pvedaemon services',
    `successfully added node '${node}' to cluster.`,
  );
  // pveproxy restarts with the certificate the cluster's CA signed (pve-cluster Cluster/Setup.pm finish_join).
  core.transition(`certificate:${node}`, 'joining', 'cluster-ca');
  finishTask(core, task);
}

/** `pvecm delnode <node>` (DELETE /cluster/config/nodes/{node}), run on `local`. */
export function deleteNode(core: SimCore, local: string, target: string): void {
  const cluster = core.state.cluster;
  if (!cluster?.nodes[local])
    throw new ClusterConfigError(
      "Corosync config '/etc/pve/corosync.conf' does not exist - is this node part of a cluster?",
    );
  if (target === local) throw new ClusterConfigError('Cannot delete myself from cluster!');
  if (!cluster.nodes[target])
    throw new ClusterConfigError(`Node/IP: ${target} is not a known host of the cluster.`);
  if (!canWrite(core, local)) throw new ClusterConfigError(NO_QUORUM_MESSAGE);
  delete cluster.nodes[target];
  cluster.configVersion++;
  core.clusterLog(
    local,
    'pmxcfs',
    `[dcdb] notice: wrote new corosync config '/etc/corosync/corosync.conf' (version = ${cluster.configVersion})`,
  );
  core.log(local, 'pvecm', `Killing node ${Object.keys(cluster.nodes).length + 1}`);
  // The removed node's corosync no longer belongs to this cluster.
  recomputeMembership(core);
}

export function normalizeFp(fp: string): string {
  return fp.replace(/:/g, '').toUpperCase();
}
