/**
 * `pvecm` — cluster create/join and the corosync quorum views. `create` and `add` go through the
 * REST API (`POST /cluster/config`, `POST /cluster/config/join` on this node); `status`, `nodes`
 * and `expected` read corosync's votequorum, which has no API, through the local node.
 */
import { PveError } from '../../../pve/api.ts';
import { normalizeFingerprint } from '../../../pve/tls-pinning.ts';
import { ParameterError } from '../command-line.ts';
import { callLocal, endpointOptions, followTask, type CliProgram, type CommandContext } from '../command.ts';
import type { VotequorumStatus } from '../local-node.ts';

export const NOT_IN_CLUSTER =
  "Error: Corosync config '/etc/pve/corosync.conf' does not exist - is this node part of a cluster?\n";

export const pvecm: CliProgram = {
  name: 'pvecm',
  subcommands: [
    {
      name: 'create',
      usage: 'create <clustername> [OPTIONS]',
      args: ['clustername'],
      options: (schema) => endpointOptions(schema, 'POST', '/cluster/config', ['clustername']),
      async run(ctx, { positional, options }) {
        const upid = await callLocal<string>(ctx, 'POST', '/cluster/config', {
          clustername: positional['clustername'],
          ...options,
        });
        if (!(await followTask(ctx, upid))) return 255;
        await waitForQuorum(ctx);
        return 0;
      },
    },
    {
      name: 'add',
      usage: 'add <hostname> [OPTIONS]',
      args: ['hostname'],
      options: (schema) => [
        ...endpointOptions(schema, 'POST', '/cluster/config/join', ['hostname', 'password']),
        { name: 'use_ssh', boolean: true },
      ],
      run: (ctx, parsed) => join(ctx, parsed.positional['hostname']!, parsed.options),
    },
    {
      name: 'status',
      usage: 'status',
      args: [],
      options: () => [],
      async run(ctx) {
        const quorum = ctx.local.votequorum(ctx.node);
        if (!quorum) {
          ctx.io.write(NOT_IN_CLUSTER);
          return 2;
        }
        ctx.io.write(formatStatus(quorum, ctx.local.epochMs()));
        // pvecm execs `corosync-quorumtool -siH`, which exits 2 (EXIT_NOT_QUORATE) without quorum.
        return quorum.quorate ? 0 : 2;
      },
    },
    {
      name: 'nodes',
      usage: 'nodes',
      args: [],
      options: () => [],
      async run(ctx) {
        const quorum = ctx.local.votequorum(ctx.node);
        if (!quorum) {
          ctx.io.write(NOT_IN_CLUSTER);
          return 2;
        }
        ctx.io.write(`\n${formatMembership(quorum, false)}`);
        return 0;
      },
    },
    {
      name: 'expected',
      usage: 'expected <expected>',
      args: ['expected'],
      options: () => [],
      async run(ctx, { positional }) {
        const text = positional['expected']!;
        if (!/^\d+$/.test(text))
          throw new ParameterError({ expected: `type check ('integer') failed - got '${text}'` });
        const votes = Number(text);
        if (votes < 1) throw new ParameterError({ expected: 'value must have a minimum value of 1' });
        if (!ctx.local.votequorum(ctx.node)) {
          ctx.io.write(NOT_IN_CLUSTER);
          return 2;
        }
        try {
          ctx.local.setExpectedVotes(ctx.node, votes);
        } catch (error) {
          ctx.io.write(`${error instanceof Error ? error.message : String(error)}\n`);
          return 1;
        }
        return 0;
      },
    },
    {
      name: 'delnode',
      usage: 'delnode <node>',
      args: ['node'],
      options: () => [],
      async run(ctx, { positional }) {
        const target = positional['node']!;
        const nodeid = ctx.local.links(ctx.node).find((l) => l.name === target || l.ip === target)?.nodeid;
        await callLocal(ctx, 'DELETE', `/cluster/config/nodes/${encodeURIComponent(target)}`);
        // The API runs `corosync-cfgtool -k <nodeid>`, whose line the CLI shows.
        if (nodeid !== undefined) ctx.io.write(`Killing node ${nodeid}\n`);
        return 0;
      },
    },
    {
      name: 'qdevice setup',
      usage: 'qdevice setup <address> [OPTIONS]',
      args: ['address'],
      options: () => [
        { name: 'force', boolean: true },
        { name: 'network', boolean: false },
      ],
      async run(ctx, { positional, options }) {
        return qdeviceSetup(ctx, positional['address']!, options['force'] === '1');
      },
    },
    {
      name: 'qdevice remove',
      usage: 'qdevice remove',
      args: [],
      options: () => [],
      async run(ctx) {
        if (!ctx.local.votequorum(ctx.node)) {
          ctx.io.write(NOT_IN_CLUSTER);
          return 2;
        }
        ctx.local.qdevice(ctx.node, 'remove');
        ctx.io.write('\nRemoved Qdevice.\n');
        return 0;
      },
    },
    {
      name: 'apiver',
      usage: 'apiver',
      args: [],
      options: () => [],
      async run(ctx) {
        ctx.io.write(`${ctx.schema.major >= 8 ? 2 : 1}\n`);
        return 0;
      },
    },
  ],
};

/**
 * `pvecm qdevice setup <address>` (pve-cluster PVE/CLI/pvecm.pm): every node online, no QDevice
 * yet, the qnetd host reachable by ssh with root's password; then the INFO steps it prints.
 */
async function qdeviceSetup(ctx: CommandContext, address: string, force: boolean): Promise<number> {
  const quorum = ctx.local.votequorum(ctx.node);
  if (!quorum) {
    ctx.io.write(NOT_IN_CLUSTER);
    return 2;
  }
  const links = ctx.local.links(ctx.node);
  const offline = links.find((l) => !l.connected && !l.local);
  if (offline) {
    ctx.io.write(`All nodes must be online! Node ${offline.name} is offline, aborting.\n`);
    return 255;
  }
  if (quorum.qdevice) {
    ctx.io.write('QDevice already configured!\n');
    return 255;
  }
  if (links.length % 2 === 1 && !force) {
    ctx.io.write('Clusters with an odd node count are not officially supported!\n');
    return 255;
  }
  const host = ctx.local.reach(ctx.node, address);
  if (!host?.reachable) {
    ctx.io.write(`ssh: connect to host ${address} port 22: No route to host\n`);
    ctx.io.write(`command 'ssh-copy-id -i /root/.ssh/id_rsa root@${address}' failed: exit code 1\n`);
    return 255;
  }
  const password = await ctx.io.readLine(`root@${address}'s password: `, { echo: false });
  if (!ctx.local.checkRootPassword(password)) {
    ctx.io.write(`Permission denied, please try again.\n`);
    ctx.io.write(`command 'ssh-copy-id -i /root/.ssh/id_rsa root@${address}' failed: exit code 1\n`);
    return 255;
  }
  ctx.io.write('\nINFO: initializing qnetd server\n');
  ctx.io.write('\nINFO: copying CA cert and initializing on all nodes\n');
  ctx.io.write('\nINFO: generating cert request\n');
  ctx.io.write('\nINFO: copying exported cert request to qnetd server\n');
  ctx.io.write('\nINFO: sign and export cluster cert\n');
  ctx.io.write('\nINFO: copy exported CRT\n');
  ctx.io.write('\nINFO: import certificate\n');
  ctx.io.write('\nINFO: copy and import pk12 cert to all nodes\n');
  ctx.io.write('\nINFO: add QDevice to cluster configuration\n');
  try {
    ctx.local.qdevice(ctx.node, 'setup', host.ip);
  } catch (error) {
    ctx.io.write(`${(error as Error).message}\n`);
    return 255;
  }
  for (const link of links) {
    ctx.io.write(`\nINFO: start and enable corosync qdevice daemon on node '${link.name}'...\n`);
  }
  return 0;
}

/**
 * `pvecm add`: ask the peer's root password, show the peer's certificate fingerprint for
 * confirmation (unless `--fingerprint` was given), then join through this node's API and print
 * the join task's log.
 */
async function join(ctx: CommandContext, hostname: string, options: Record<string, string>): Promise<number> {
  const { use_ssh: _ssh, fingerprint: givenFingerprint, ...joinOptions } = options;
  // pvecm.pm reads the password first; Setup::join then checks whether this node may join.
  const password = await ctx.io.readLine(`Please enter superuser (root) password for '${hostname}': `, {
    echo: false,
  });
  if (!isTrue(joinOptions['force'])) {
    const problems = await joinProblems(ctx);
    if (problems.length > 0) {
      ctx.io.write(
        `detected the following error(s):\n${problems.map((p) => `* ${p}\n`).join('')}Check if node may join a cluster failed!\n`,
      );
      return 255;
    }
  }
  const printed = new Set<string>();
  const say = (line: string): void => {
    printed.add(line);
    ctx.io.write(`${line}\n`);
  };
  say(`Establishing API connection with host '${hostname}'`);
  let fingerprint = givenFingerprint;
  if (fingerprint === undefined) {
    const peer = ctx.local.resolveHost(hostname);
    let probed;
    try {
      if (!peer || !ctx.local.reach(ctx.node, hostname)?.reachable) throw new Error('unreachable');
      probed = await ctx.local.probeCertificate(peer.url, 3_000, ctx.io.signal);
    } catch {
      ctx.io.write(`500 Can't connect to ${hostname}:8006 (No route to host)\n`);
      return 255;
    }
    // PVE::APIClient::LWP's manual verification.
    ctx.io.write(`The authenticity of host '${hostname}' can't be established.\n`);
    ctx.io.write(`X509 SHA256 key fingerprint is ${probed.fingerprint}.\n`);
    const answer = await ctx.io.readLine('Are you sure you want to continue connecting (yes/no)? ');
    if (answer.trim().toLowerCase() !== 'yes') {
      ctx.io.write('Fingerprint not verified, abort!\n');
      return 255;
    }
    fingerprint = probed.fingerprint;
  }
  const upid = await callLocal<string>(ctx, 'POST', '/cluster/config/join', {
    hostname,
    fingerprint: normalizeFingerprint(fingerprint),
    password,
    ...joinOptions,
  });
  try {
    if (!(await followTask(ctx, upid, printed))) return 255;
    await waitForQuorum(ctx);
    return 0;
  } catch (error) {
    // The joining node restarts pve-cluster and pveproxy; its task log may be briefly unreachable.
    if (error instanceof PveError && (error.kind === 'unreachable' || error.kind === 'auth')) {
      ctx.io.write(`successfully added node '${ctx.node}' to cluster.\n`);
      return 0;
    }
    throw error;
  }
}

/** pve-cluster's assert_joinable, checked before asking for a password (as `pvecm add` does). */
async function joinProblems(ctx: CommandContext): Promise<string[]> {
  const inCluster = ctx.local.votequorum(ctx.node) !== undefined;
  const [vms, cts] = await Promise.all([
    callLocal<unknown[]>(ctx, 'GET', `/nodes/${ctx.node}/qemu`),
    callLocal<unknown[]>(ctx, 'GET', `/nodes/${ctx.node}/lxc`),
  ]);
  const problems: string[] = [];
  if (inCluster) {
    problems.push("authentication key '/etc/corosync/authkey' already exists");
    problems.push("cluster config '/etc/pve/corosync.conf' already exists");
  }
  if (vms.length + cts.length > 0) problems.push('this host already contains virtual guests');
  if (inCluster) problems.push('corosync is already running, is this node already in a cluster?!');
  return problems;
}

function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value);
}

/**
 * Like the real join, return once corosync on this node has quorum with the cluster, so the
 * next command (`pvecm status`, `pvesm add`) sees the joined cluster. Gives up quietly after 60 s.
 */
async function waitForQuorum(ctx: CommandContext): Promise<void> {
  for (let waited = 0; waited < 60_000; waited += 1_000) {
    if (ctx.local.votequorum(ctx.node)?.quorate) return;
    await ctx.local.sleep(1_000, ctx.io.signal);
  }
}

function hexId(id: number): string {
  return `0x${id.toString(16).padStart(8, '0')}`;
}

/** Dates as corosync-quorumtool prints them (`Mon Nov 23 05:30:00 2026`, UTC in the lab). */
export function ctimeDate(epochMs: number): string {
  const d = new Date(epochMs);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][
    d.getUTCMonth()
  ];
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${day} ${month} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

export function formatStatus(q: VotequorumStatus, epochMs: number): string {
  return [
    'Cluster information',
    '-------------------',
    `Name:             ${q.clusterName}`,
    `Config Version:   ${q.configVersion}`,
    'Transport:        knet',
    'Secure auth:      on',
    '',
    formatQuorum(q, epochMs, { ips: true, hex: true }),
  ].join('\n');
}

/** `corosync-quorumtool -s` (pvecm status adds `-iH`: addresses and hex node ids). */
export function formatQuorum(
  q: VotequorumStatus,
  epochMs: number,
  style: { ips: boolean; hex: boolean } = { ips: false, hex: false },
): string {
  const flags = [q.quorate ? 'Quorate' : '', q.qdevice ? 'Qdevice' : ''].filter((f) => f !== '');
  return [
    'Quorum information',
    '------------------',
    `Date:             ${ctimeDate(epochMs)}`,
    'Quorum provider:  corosync_votequorum',
    `Nodes:            ${q.members.length}`,
    `Node ID:          ${hexId(q.nodeId)}`,
    `Ring ID:          ${q.ringId}`,
    `Quorate:          ${q.quorate ? 'Yes' : 'No'}`,
    '',
    'Votequorum information',
    '----------------------',
    `Expected votes:   ${q.expectedVotes}`,
    `Highest expected: ${q.highestExpected}`,
    `Total votes:      ${q.totalVotes}`,
    // corosync-quorumtool.c: "%d %s" with " " or "Activity blocked".
    `Quorum:           ${q.quorum} ${q.quorate ? ' ' : 'Activity blocked'}`,
    `Flags:            ${flags.map((f) => `${f} `).join('')}`,
    '',
    formatMembership(q, style.ips, style.hex),
  ].join('\n');
}

/**
 * The membership table of corosync-quorumtool: `status` names members by address with hex
 * ids, `nodes` (`-l`) by name with decimal ids; a registered QDevice adds its column and row.
 */
export function formatMembership(q: VotequorumStatus, byAddress: boolean, hex = byAddress): string {
  const qdevice = q.qdevice;
  const header = ['Nodeid', 'Votes', ...(qdevice ? ['Qdevice'] : [])]
    .map((h) => `${h.padStart(10)} `)
    .join('');
  const lines = ['Membership information', '----------------------', `${header}Name`];
  const id = (n: number): string => (hex ? `${hexId(n)} ` : `${String(n).padStart(10)} `);
  for (const member of [...q.members].sort((a, b) => a.nodeid - b.nodeid)) {
    const name = `${byAddress ? member.ip : member.name}${member.local ? ' (local)' : ''}`;
    const flags = qdevice
      ? `${`${qdevice.alive ? 'A' : 'NA'},${qdevice.castVote ? 'V' : 'NV'},NMW`.padStart(10)} `
      : '';
    lines.push(`${id(member.nodeid)}${String(member.votes).padStart(10)} ${flags}${name}`);
  }
  if (qdevice) {
    const votes = qdevice.castVote ? 1 : 0;
    lines.push(
      `${id(0)}${String(votes).padStart(10)}            Qdevice${qdevice.castVote ? '' : ' (votes 1)'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
