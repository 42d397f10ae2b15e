/**
 * The files a node's shell shows read-only, rendered from the model the way the real services
 * write them: pmxcfs's /etc/pve (corosync.conf, .members, storage.cfg, guest configs, ha/*.cfg,
 * datacenter.cfg; a node without quorum still reads them) and the installer's /etc/hosts,
 * /etc/hostname and /etc/network/interfaces.
 */
import { canWrite } from './pmxcfs.ts';
import type { SimCore } from './sim-core.ts';
import type { HaRule, StorageConfig } from './state.ts';
import { formatNodeList } from './ha/resources-config.ts';
import { storageConfigs } from './storage.ts';

/** The lab's DNS domain, as the installer's FQDN (`pve1.lab.local`). */
export const LAB_DOMAIN = 'lab.local';

export function nodeFiles(core: SimCore, node: string): Record<string, string> {
  const state = core.state;
  const self = state.nodes[node];
  if (!self) return {};
  const files: Record<string, string> = {
    '/etc/hostname': `${node}\n`,
    '/etc/hosts': hostsFile(node, self.ip),
    '/etc/network/interfaces': interfacesFile(self.ip),
    '/etc/pve/storage.cfg': storageCfg(storageConfigs(core, node)),
    '/etc/pve/datacenter.cfg': datacenterCfg(core),
    '/etc/pve/.members': membersFile(core, node),
    '/etc/pve/.version': `${Math.floor(core.now() / 1000)}\n`,
  };
  const cluster = state.cluster;
  const member = cluster?.nodes[node] !== undefined;
  if (member) files['/etc/pve/corosync.conf'] = corosyncConf(core);
  // pmxcfs shows the cluster's nodes/ (every member) or only the node itself when standalone.
  const nodes = member ? Object.keys(cluster!.nodes) : [node];
  for (const name of nodes) {
    files[`/etc/pve/nodes/${name}/qemu-server/`] = '';
    files[`/etc/pve/nodes/${name}/lxc/`] = '';
  }
  for (const guest of Object.values(state.guests)) {
    if (!nodes.includes(guest.node)) continue;
    const dir = guest.type === 'qemu' ? 'qemu-server' : 'lxc';
    files[`/etc/pve/nodes/${guest.node}/${dir}/${guest.vmid}.conf`] = guestConf(guest.config);
  }
  if (member) {
    const ha = state.ha;
    if (Object.keys(ha.resources).length > 0) files['/etc/pve/ha/resources.cfg'] = resourcesCfg(core);
    if (Object.keys(ha.rules).length > 0) files['/etc/pve/ha/rules.cfg'] = rulesCfg(ha.rules);
    if (Object.keys(ha.groups).length > 0) files['/etc/pve/ha/groups.cfg'] = groupsCfg(core);
    files['/etc/pve/ha/'] = '';
  }
  files['/root/'] = '';
  files['/etc/pve/priv/'] = '';
  return files;
}

function hostsFile(node: string, ip: string): string {
  return [
    '127.0.0.1 localhost.localdomain localhost',
    `${ip} ${node}.${LAB_DOMAIN} ${node}`,
    '',
    '# The following lines are desirable for IPv6 capable hosts',
    '',
    '::1     ip6-localhost ip6-loopback',
    'fe00::0 ip6-localnet',
    'ff00::0 ip6-mcastprefix',
    'ff02::1 ip6-allnodes',
    'ff02::2 ip6-allrouters',
    'ff02::3 ip6-allhosts',
    '',
  ].join('\n');
}

function interfacesFile(ip: string): string {
  const gateway = `${ip.split('.').slice(0, 3).join('.')}.1`;
  return [
    'auto lo',
    'iface lo inet loopback',
    '',
    'iface nic0 inet manual',
    '',
    'auto vmbr0',
    'iface vmbr0 inet static',
    `\taddress ${ip}/24`,
    `\tgateway ${gateway}`,
    '\tbridge-ports nic0',
    '\tbridge-stp off',
    '\tbridge-fd 0',
    '',
    '',
    'source /etc/network/interfaces.d/*',
    '',
  ].join('\n');
}

/** pve-storage's section config: `<type>: <id>`, then tab-indented properties, blank line. */
function storageCfg(storage: Record<string, StorageConfig>): string {
  const sections = Object.entries(storage).map(([id, s]) => {
    const lines = [`${s.type}: ${id}`];
    const props: [string, string | undefined][] = [
      ['path', s.type === 'nfs' ? undefined : s.path],
      ['thinpool', s.thinpool],
      ['vgname', s.vgname],
      ['export', s.export],
      ['path', s.type === 'nfs' ? s.path : undefined],
      ['server', s.server],
      ['content', s.content.join(',')],
      ['nodes', s.nodes?.join(',')],
      ['options', s.options],
      ['disable', s.disable ? '' : undefined],
    ];
    for (const [key, value] of props) {
      if (value === undefined) continue;
      lines.push(value === '' ? `\t${key}` : `\t${key} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  });
  return `${sections.join('\n')}\n`;
}

function datacenterCfg(core: SimCore): string {
  const lines = ['keyboard: en-us'];
  const policy = core.state.ha.shutdownPolicy;
  if (policy !== 'conditional') lines.push(`ha: shutdown_policy=${policy}`);
  return `${lines.join('\n')}\n`;
}

/** pmxcfs's `.members` (JSON, as `cat /etc/pve/.members` prints it). */
function membersFile(core: SimCore, node: string): string {
  const cluster = core.state.cluster;
  if (!cluster?.nodes[node]) return `{\n"nodename": "${node}",\n"version": 0\n}\n`;
  const members = core.state.membership[node] ?? [];
  const quorate = members.length > 0 && canWrite(core, node) ? 1 : 0;
  const entries = Object.entries(cluster.nodes)
    .sort((a, b) => a[1].nodeid - b[1].nodeid)
    .map(
      ([name, c]) =>
        `  "${name}": { "id": ${c.nodeid}, "online": ${members.includes(name) ? 1 : 0}, "ip": "${c.ip}"}`,
    );
  return [
    '{',
    `"nodename": "${node}",`,
    `"version": ${cluster.configVersion + 2},`,
    `"cluster": { "name": "${cluster.name}", "version": ${cluster.configVersion}, "nodes": ${entries.length}, "quorate": ${quorate} },`,
    '"nodelist": {',
    entries.join(',\n'),
    '  }',
    '}',
    '',
  ].join('\n');
}

/** corosync.conf as pvecm create/add write it (sorted sections, two-space indent). */
export function corosyncConf(core: SimCore): string {
  const cluster = core.state.cluster!;
  const nodes = Object.entries(cluster.nodes).sort((a, b) => a[0].localeCompare(b[0]));
  const lines = ['logging {', '  debug: off', '  to_syslog: yes', '}', '', 'nodelist {'];
  for (const [name, c] of nodes) {
    lines.push('  node {', `    name: ${name}`, `    nodeid: ${c.nodeid}`, `    quorum_votes: ${c.votes}`);
    lines.push(`    ring0_addr: ${c.ip}`, '  }');
  }
  lines.push('}', '', 'quorum {', '  provider: corosync_votequorum');
  const qdevice = cluster.qdevice;
  if (qdevice) {
    lines.push('  device {', '    model: net', '    net {', '      algorithm: ffsplit');
    lines.push(`      host: ${qdevice.ip}`, '      tls: on', '    }', '    votes: 1', '  }');
  }
  lines.push(
    '}',
    '',
    'totem {',
    `  cluster_name: ${cluster.name}`,
    `  config_version: ${cluster.configVersion}`,
  );
  lines.push('  interface {', '    linknumber: 0', '  }', '  ip_version: ipv4-6', '  link_mode: passive');
  lines.push('  secauth: on', '  version: 2', '}', '');
  return lines.join('\n');
}

/** A guest's config file: `key: value` lines, as qemu-server/pve-container write them. */
function guestConf(config: Record<string, string>): string {
  const keys = Object.keys(config)
    .filter((k) => k !== 'digest')
    .sort();
  return keys.map((k) => `${k}: ${config[k]}\n`).join('');
}

function resourcesCfg(core: SimCore): string {
  return Object.values(core.state.ha.resources)
    .map((r) => {
      const lines = [`${r.type}: ${r.sid.split(':')[1]}`];
      if (r.comment) lines.push(`\tcomment ${r.comment}`);
      if (r.failback === false && core.state.pveMajor >= 9) lines.push('\tfailback 0');
      if (r.group) lines.push(`\tgroup ${r.group}`);
      if (r.max_relocate !== 1) lines.push(`\tmax_relocate ${r.max_relocate}`);
      if (r.max_restart !== 1) lines.push(`\tmax_restart ${r.max_restart}`);
      lines.push(`\tstate ${r.state}`);
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}

function rulesCfg(rules: Record<string, HaRule>): string {
  return Object.values(rules)
    .map((r) => {
      const lines = [`${r.type}: ${r.rule}`];
      if (r.type === 'resource-affinity') lines.push(`\taffinity ${r.affinity}`);
      if (r.comment) lines.push(`\tcomment ${r.comment}`);
      if (r.disable) lines.push('\tdisable 1');
      if (r.type === 'node-affinity') lines.push(`\tnodes ${formatNodeList(r.nodes)}`);
      lines.push(`\tresources ${r.resources.join(',')}`);
      if (r.type === 'node-affinity' && r.strict) lines.push('\tstrict 1');
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}

function groupsCfg(core: SimCore): string {
  return Object.values(core.state.ha.groups)
    .map((g) => {
      const lines = [`group: ${g.group}`];
      if (g.comment) lines.push(`\tcomment ${g.comment}`);
      lines.push(`\tnodes ${formatNodeList(g.nodes)}`);
      if (g.nofailback) lines.push('\tnofailback 1');
      if (g.restricted) lines.push('\trestricted 1');
      return `${lines.join('\n')}\n`;
    })
    .join('\n');
}
