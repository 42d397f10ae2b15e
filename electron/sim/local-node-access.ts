/**
 * The World seen from a node's shell (`LocalNodeAccess`): what the shell reads and does on the
 * machine itself rather than through the REST API — votequorum, pmxcfs CRM commands, files,
 * journal, systemd units, power, and who answers on the lab network.
 */
import type { PveClientFactory, PveNodeEndpoint } from '../pve/api.ts';
import { LAB_DOMAIN, nodeFiles } from './node-files.ts';
import type { JournalLine, LocalNodeAccess, UnitStatus, VotequorumStatus } from './shell/local-node.ts';
import type { World } from './world.ts';

export function localNodeAccess(
  world: World,
  endpoints: PveNodeEndpoint[],
  clients: PveClientFactory,
): LocalNodeAccess {
  const state = (): World['core']['state'] => world.core.state;
  /** When a unit was last restarted (world ms), per `node/unit`; systemctl shows it as `since`. */
  const restarted = new Map<string, number>();
  const epochOf = (t: number): number => state().epochMs + t;
  const machine = (host: string): { name: string; ip: string; kind: 'node' | 'nas' } | undefined => {
    const nodes = Object.values(state().nodes);
    const node = nodes.find((n) => n.name === host || n.ip === host || `${n.name}.${LAB_DOMAIN}` === host);
    if (node) return { name: node.name, ip: node.ip, kind: 'node' };
    const nas = state().nas;
    if (nas && (nas.name === host || nas.ip === host)) return { name: nas.name, ip: nas.ip, kind: 'nas' };
    return undefined;
  };
  return {
    probeCertificate: (url, timeoutMs, signal) => clients.probeCertificate(url, timeoutMs, signal),
    votequorum(node): VotequorumStatus | undefined {
      const cluster = state().cluster;
      const self = cluster?.nodes[node];
      if (!cluster || !self) return undefined;
      // A member whose corosync has not formed a membership yet sees only itself, inquorate.
      const configured =
        Object.values(cluster.nodes).reduce((sum, c) => sum + c.votes, 0) + (cluster.qdevice ? 1 : 0);
      const quorum = world.quorum(node) ?? {
        members: [node],
        totalVotes: self.votes,
        expectedVotes: configured,
        highestExpected: configured,
        quorum: Math.floor(configured / 2) + 1,
        quorate: false,
      };
      const members = quorum.members
        .map((name) => ({ name, config: cluster.nodes[name] }))
        .filter((m): m is { name: string; config: NonNullable<typeof m.config> } => m.config !== undefined)
        .map((m) => ({
          nodeid: m.config.nodeid,
          votes: m.config.votes,
          name: m.name,
          ip: m.config.ip,
          local: m.name === node,
        }));
      const lowest = Math.min(...members.map((m) => m.nodeid));
      return {
        clusterName: cluster.name,
        configVersion: cluster.configVersion,
        nodeId: self.nodeid,
        ringId: `${lowest}.${(cluster.configVersion * 4 + members.length).toString(16)}`,
        quorate: quorum.quorate,
        expectedVotes: quorum.expectedVotes,
        highestExpected: quorum.highestExpected,
        totalVotes: quorum.totalVotes,
        quorum: quorum.quorum,
        members,
        ...(quorum.qdevice ? { qdevice: quorum.qdevice } : {}),
      };
    },
    setExpectedVotes: (node, votes) => world.setExpectedVotes(node, votes),
    crmCommand: (node, command, args) => world.crmCommand(node, `${command} ${args}`),
    nodeIp: (node) => world.nodeIp(node),
    qdevice: (node, action, ip) => world.setQdevice(node, action === 'setup' ? (ip ?? '') : undefined),
    resolveHost: (host) => {
      const target = machine(host);
      return target && endpoints.find((e) => e.name === target.name);
    },
    epochMs: () => epochOf(world.now()),
    sleep: (ms, signal) => world.clock.sleep(ms, signal),
    files: (node) => nodeFiles(world.core, node),
    bootToken(host) {
      const n = state().nodes[host];
      // The power transition fires before the phase changes: power decides first.
      if (n)
        return n.power === 'on' && (n.phase === 'up' || n.phase === 'shutting-down') ? n.bootId : undefined;
      const nas = state().nas;
      return nas?.name === host && nas.power === 'on' ? 1 : undefined;
    },
    onMachinesChange(listener) {
      return world.onTransition((t) => {
        if (/^(power|phase|network):/.test(t.subject)) listener();
      });
    },
    reach(from, to) {
      const target = machine(to);
      if (!target) return undefined;
      const a = state().nodes[from];
      const b = state().nodes[target.name];
      const nas = state().nas;
      let reachable: boolean;
      if (!a) reachable = false;
      else if (target.name === from) reachable = true;
      else if (b) reachable = a.cable && b.cable && a.segment === b.segment && b.phase !== 'off';
      else reachable = a.cable && nas !== undefined && nas.power === 'on' && nas.cable && a.segment === 'lan';
      return { ...target, reachable };
    },
    checkRootPassword: (password) => world.checkPassword('root@pam', password),
    sameCluster(a, b) {
      const cluster = state().cluster;
      return cluster?.nodes[a] !== undefined && cluster.nodes[b] !== undefined;
    },
    journal(node): JournalLine[] {
      return world.journal(node).map((e) => ({
        epochMs: epochOf(e.t),
        tag: e.tag,
        pid: pidOf(node, e.tag, state().nodes[node]?.bootId ?? 1),
        msg: e.msg,
      }));
    },
    power(node, action) {
      if (action === 'reboot') world.reboot(node);
      else world.shutdown(node);
    },
    unit(node, unit) {
      return unitStatus(world, restarted, node, unit);
    },
    restartUnit(node, unit) {
      const status = unitStatus(world, restarted, node, unit);
      if (!status) throw new Error(`Failed to restart ${unit}.service: Unit ${unit}.service not found.`);
      const name = unit.replace(/\.service$/, '');
      if (name === 'pve-ha-lrm') world.restartLrm(node);
      world.core.log(node, 'systemd', `Stopping ${name}.service - ${status.description}...`);
      world.core.log(node, 'systemd', `${name}.service: Deactivated successfully.`);
      world.core.log(node, 'systemd', `Started ${name}.service - ${status.description}.`);
      restarted.set(`${node}/${name}`, world.now());
    },
    links(node) {
      const cluster = state().cluster;
      if (!cluster?.nodes[node]) return [];
      const members = state().membership[node] ?? [];
      return Object.entries(cluster.nodes)
        .sort((x, y) => x[1].nodeid - y[1].nodeid)
        .map(([name, c]) => ({
          nodeid: c.nodeid,
          name,
          ip: c.ip,
          connected: members.includes(name),
          local: name === node,
        }));
    },
  };
}

const UNITS: Record<string, { description: string; command: string }> = {
  corosync: { description: 'Corosync Cluster Engine', command: '/usr/sbin/corosync -f' },
  'pve-cluster': { description: 'The Proxmox VE cluster filesystem', command: '/usr/bin/pmxcfs' },
  'pve-ha-crm': { description: 'PVE Cluster HA Resource Manager Daemon', command: 'pve-ha-crm' },
  'pve-ha-lrm': { description: 'PVE Local HA Resource Manager Daemon', command: 'pve-ha-lrm' },
  pveproxy: { description: 'PVE API Proxy Server', command: 'pveproxy' },
  pvedaemon: { description: 'PVE API Daemon', command: 'pvedaemon' },
  pvestatd: { description: 'PVE Status Daemon', command: 'pvestatd' },
  'watchdog-mux': { description: 'Proxmox VE watchdog multiplexer', command: '/usr/sbin/watchdog-mux' },
  'corosync-qdevice': { description: 'Corosync Qdevice daemon', command: '/usr/sbin/corosync-qdevice -f' },
};

function unitStatus(
  world: World,
  restarted: Map<string, number>,
  node: string,
  unit: string,
): UnitStatus | undefined {
  const name = unit.replace(/\.service$/, '');
  const info = UNITS[name];
  const n = world.core.state.nodes[node];
  if (!info || !n) return undefined;
  const cluster = world.core.state.cluster;
  const up = n.phase === 'up' || n.phase === 'shutting-down';
  let active = up;
  if (name === 'corosync') active = up && cluster?.nodes[node] !== undefined;
  if (name === 'corosync-qdevice')
    active = up && cluster?.nodes[node] !== undefined && cluster.qdevice !== undefined;
  if (name === 'pve-ha-crm') active = up && n.crm.state !== 'off';
  if (name === 'pve-ha-lrm') active = up && n.lrm.state !== 'off';
  const since = world.core.state.epochMs + Math.max(n.upSince, restarted.get(`${node}/${name}`) ?? 0);
  return {
    unit: `${name}.service`,
    description: info.description,
    active,
    since,
    mainPid: pidOf(node, name, n.bootId),
    command: info.command,
  };
}

/** A stable process id per daemon and boot (journal lines and systemctl agree on it). */
function pidOf(node: string, daemon: string, bootId: number): number {
  let h = bootId * 7919;
  for (const c of `${node}/${daemon.replace(/\[.*$/, '')}`) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 600 + (h % 4000);
}
