/**
 * The node on the lab network: `ip` (addr, route, `-br`), `ping`, `hostnamectl`, and `ssh` to
 * another machine — the first-use host-key question, root's password unless both nodes share
 * a cluster (pvecm merges their keys), then a login on top of this one (`exit` comes back).
 */
import { createHash } from 'node:crypto';
import type { CommandContext, ShellCommand } from '../command.ts';

/** A stable locally administered MAC per node, with Proxmox's BC:24:11 prefix. */
export function nodeMac(node: string): string {
  const hash = [...node].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  return `bc:24:11:${[hash >>> 16, hash >>> 8, hash].map((b) => (b & 0xff).toString(16).padStart(2, '0')).join(':')}`;
}

function linkLocal(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  const first = (b[0]! ^ 0x02).toString(16);
  const hex = (x: number): string => x.toString(16).padStart(2, '0');
  return `fe80::${first}${hex(b[1]!)}:${hex(b[2]!)}ff:fe${hex(b[3]!)}:${hex(b[4]!)}${hex(b[5]!)}`.replace(
    /:0+([0-9a-f])/g,
    ':$1',
  );
}

function ipAddress(node: string, ip: string): string {
  const mac = nodeMac(node);
  return [
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000',
    '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
    '    inet 127.0.0.1/8 scope host lo',
    '       valid_lft forever preferred_lft forever',
    '    inet6 ::1/128 scope host noprefixroute',
    '       valid_lft forever preferred_lft forever',
    '2: nic0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast master vmbr0 state UP group default qlen 1000',
    `    link/ether ${mac} brd ff:ff:ff:ff:ff:ff`,
    '    altname enp0s3',
    '3: vmbr0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000',
    `    link/ether ${mac} brd ff:ff:ff:ff:ff:ff`,
    `    inet ${ip}/24 scope global vmbr0`,
    '       valid_lft forever preferred_lft forever',
    `    inet6 ${linkLocal(mac)}/64 scope link`,
    '       valid_lft forever preferred_lft forever',
    '',
  ].join('\n');
}

/** `ip -br a`: iproute2's brief columns (`%-16s %-14s` then the addresses). */
function briefAddress(node: string, ip: string): string {
  const mac = nodeMac(node);
  return [
    `${'lo'.padEnd(16)} ${'UNKNOWN'.padEnd(14)} 127.0.0.1/8 ::1/128 `,
    `${'nic0'.padEnd(16)} ${'UP'.padEnd(14)} `,
    `${'vmbr0'.padEnd(16)} ${'UP'.padEnd(14)} ${ip}/24 ${linkLocal(mac)}/64 `,
    '',
  ].join('\n');
}

function briefLink(node: string): string {
  const mac = nodeMac(node);
  return [
    `${'lo'.padEnd(16)} ${'UNKNOWN'.padEnd(14)} 00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> `,
    `${'nic0'.padEnd(16)} ${'UP'.padEnd(14)} ${mac} <BROADCAST,MULTICAST,UP,LOWER_UP> `,
    `${'vmbr0'.padEnd(16)} ${'UP'.padEnd(14)} ${mac} <BROADCAST,MULTICAST,UP,LOWER_UP> `,
    '',
  ].join('\n');
}

const ip: ShellCommand = async (ctx, args) => {
  const options = args.filter((a) => a.startsWith('-'));
  const [object = '', verb] = args.filter((a) => !a.startsWith('-'));
  const brief = options.some((o) => o === '-br' || o === '-brief' || o === '--brief');
  const address = ctx.local.nodeIp(ctx.node);
  const show = verb === undefined || verb === 'show' || verb === 'list' || verb === 'ls';
  if (['a', 'addr', 'address'].includes(object) && show) {
    ctx.io.write(brief ? briefAddress(ctx.node, address) : ipAddress(ctx.node, address));
    return 0;
  }
  if (['l', 'link'].includes(object) && show && brief) {
    ctx.io.write(briefLink(ctx.node));
    return 0;
  }
  if (['r', 'ro', 'route'].includes(object) && show) {
    const net = address.split('.').slice(0, 3).join('.');
    ctx.io.write(
      `default via ${net}.1 dev vmbr0 proto kernel onlink \n${net}.0/24 dev vmbr0 proto kernel scope link src ${address} \n`,
    );
    return 0;
  }
  if (object === '') {
    ctx.io.write(
      'Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\nwhere  OBJECT := { address | link | route }\n',
    );
    return 255;
  }
  ctx.io.write(`Object "${object}" is unknown, try "ip help".\n`);
  return 255;
};

const ping: ShellCommand = async (ctx, args) => {
  let count: number | undefined;
  let host: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-c') count = Number(args[++i]);
    else if (/^-c\d+$/.test(arg)) count = Number(arg.slice(2));
    else if (!arg.startsWith('-')) host = arg;
  }
  if (host === undefined) {
    ctx.io.write('ping: usage error: Destination address required\n');
    return 1;
  }
  const target = ctx.local.reach(ctx.node, host);
  if (!target) {
    ctx.io.write(`ping: ${host}: Name or service not known\n`);
    return 2;
  }
  // Without -c ping runs until Ctrl-C; a script without a terminal gets four rounds.
  const rounds = count ?? (ctx.io.interactive ? Infinity : 4);
  const byName = host !== target.ip;
  const peer = byName ? `${target.name}.lab.local (${target.ip})` : target.ip;
  ctx.io.write(`PING ${byName ? host : target.ip} (${target.ip}) 56(84) bytes of data.\n`);
  let sent = 0;
  let received = 0;
  const times: number[] = [];
  while (sent < rounds) {
    sent++;
    const now = ctx.local.reach(ctx.node, host);
    if (now?.reachable) {
      received++;
      const time = 0.2 + ((sent * 37) % 23) / 100;
      times.push(time);
      ctx.io.write(`64 bytes from ${peer}: icmp_seq=${sent} ttl=64 time=${time.toFixed(3)} ms\n`);
    } else {
      ctx.io.write(`From ${ctx.local.nodeIp(ctx.node)} icmp_seq=${sent} Destination Host Unreachable\n`);
    }
    if (sent >= rounds) break;
    try {
      await ctx.local.sleep(1000, ctx.io.signal);
    } catch {
      break;
    }
  }
  const loss = Math.round(((sent - received) * 100) / sent);
  const errors = sent - received > 0 ? `, +${sent - received} errors` : '';
  ctx.io.write(`\n--- ${byName ? host : target.ip} ping statistics ---\n`);
  ctx.io.write(
    `${sent} packets transmitted, ${received} received${errors}, ${loss}% packet loss, time ${Math.max(0, sent - 1) * 1000 + 4}ms\n`,
  );
  if (times.length > 0) {
    const min = Math.min(...times);
    const max = Math.max(...times);
    const avg = times.reduce((a, b) => a + b, 0) / times.length;
    const mdev = Math.sqrt(times.reduce((a, t) => a + (t - avg) ** 2, 0) / times.length);
    ctx.io.write(`rtt min/avg/max/mdev = ${[min, avg, max, mdev].map((x) => x.toFixed(3)).join('/')} ms\n`);
  }
  return received > 0 ? 0 : 1;
};

const hostnamectl: ShellCommand = async (ctx, args) => {
  if (args.length > 0 && args[0] !== 'status') {
    ctx.io.write(
      `Could not set property: Changing the host name of a Proxmox VE node breaks its cluster membership; the simulated node keeps '${ctx.node}'.\n`,
    );
    return 1;
  }
  const kernel = ctx.schema.major === 8 ? '6.8.12-9-pve' : '6.14.8-2-pve';
  const debian = ctx.schema.major === 8 ? 'Debian GNU/Linux 12 (bookworm)' : 'Debian GNU/Linux 13 (trixie)';
  const id = createHash('md5').update(`machine-id:${ctx.node}`).digest('hex');
  ctx.io.write(
    [
      ` Static hostname: ${ctx.node}`,
      '       Icon name: computer-vm',
      '         Chassis: vm 🖴',
      `      Machine ID: ${id}`,
      `         Boot ID: ${createHash('md5')
        .update(`boot:${ctx.node}:${ctx.local.bootToken(ctx.node) ?? 0}`)
        .digest('hex')}`,
      '  Virtualization: oracle',
      `Operating System: ${debian}`,
      `          Kernel: Linux ${kernel}`,
      '    Architecture: x86-64',
      ' Hardware Vendor: innotek GmbH',
      '  Hardware Model: VirtualBox',
      '',
    ].join('\n'),
  );
  return 0;
};

/** Hosts each node has accepted a key for (`~/.ssh/known_hosts`), per datacenter. */
const knownHostsByAccess = new WeakMap<object, Map<string, Set<string>>>();

function knownHosts(ctx: CommandContext): Set<string> {
  let map = knownHostsByAccess.get(ctx.local);
  if (!map) knownHostsByAccess.set(ctx.local, (map = new Map()));
  let set = map.get(ctx.node);
  if (!set) map.set(ctx.node, (set = new Set()));
  return set;
}

function hostKeyFingerprint(name: string): string {
  return createHash('sha256').update(`ssh-ed25519 host key of ${name}`).digest('base64').replace(/=+$/, '');
}

const ssh: ShellCommand = async (ctx, args) => {
  let destination: string | undefined;
  let user = 'root';
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (['-o', '-p', '-i', '-F', '-J'].includes(arg)) i++;
    else if (arg === '-l') user = args[++i] ?? user;
    else if (arg.startsWith('-')) continue;
    else {
      destination = arg;
      break;
    }
  }
  if (destination === undefined) {
    ctx.io.write(
      'usage: ssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface] [-b bind_address]\n           [-c cipher_spec] [-D [bind_address:]port] [-E log_file] [-e escape_char]\n           [-F configfile] [-I pkcs11] [-i identity_file] [-J destination]\n           [-L address] [-l login_name] [-m mac_spec] [-O ctl_cmd] [-o option]\n           [-P tag] [-p port] [-R address] [-S ctl_path] [-W host:port]\n           [-w local_tun[:remote_tun]] destination [command [argument ...]]\n',
    );
    return 255;
  }
  const command = args.slice(i + 1).join(' ');
  const at = destination.lastIndexOf('@');
  if (at !== -1) {
    user = destination.slice(0, at);
    destination = destination.slice(at + 1);
  }
  const target = ctx.local.reach(ctx.node, destination);
  if (!target) {
    ctx.io.write(`ssh: Could not resolve hostname ${destination}: Name or service not known\n`);
    return 255;
  }
  if (!target.reachable) {
    ctx.io.write(`ssh: connect to host ${destination} port 22: No route to host\n`);
    return 255;
  }
  if (target.kind !== 'node') {
    ctx.io.write(`${user}@${destination}: Permission denied (publickey).\n`);
    return 255;
  }
  const clustered = ctx.local.sameCluster(ctx.node, target.name);
  const known = knownHosts(ctx);
  if (!clustered && target.name !== ctx.node && !known.has(destination)) {
    const shown = destination === target.ip ? destination : `${destination} (${target.ip})`;
    ctx.io.write(`The authenticity of host '${shown}' can't be established.\n`);
    ctx.io.write(`ED25519 key fingerprint is SHA256:${hostKeyFingerprint(target.name)}.\n`);
    ctx.io.write('This key is not known by any other names.\n');
    let answer = (
      await ctx.io.readLine('Are you sure you want to continue connecting (yes/no/[fingerprint])? ')
    ).trim();
    while (answer !== 'yes' && answer !== 'no' && answer !== `SHA256:${hostKeyFingerprint(target.name)}`)
      answer = (await ctx.io.readLine("Please type 'yes', 'no' or the fingerprint: ")).trim();
    if (answer === 'no') {
      ctx.io.write('Host key verification failed.\n');
      return 255;
    }
    known.add(destination);
    ctx.io.write(`Warning: Permanently added '${destination}' (ED25519) to the list of known hosts.\n`);
  }
  if (user !== 'root') {
    // Only root exists on a fresh Proxmox VE node; sshd asks anyway and refuses.
    for (let tries = 0; tries < 3; tries++)
      await ctx.io.readLine(`${user}@${destination}'s password: `, { echo: false });
    ctx.io.write(`${user}@${destination}: Permission denied (publickey,password).\n`);
    return 255;
  }
  if (!clustered && target.name !== ctx.node) {
    let ok = false;
    for (let tries = 0; tries < 3 && !ok; tries++) {
      const password = await ctx.io.readLine(`root@${destination}'s password: `, { echo: false });
      ok = ctx.local.checkRootPassword(password);
      if (!ok && tries < 2) ctx.io.write('Permission denied, please try again.\n');
    }
    if (!ok) {
      ctx.io.write(`root@${destination}: Permission denied (publickey,password).\n`);
      return 255;
    }
  }
  const login = ctx.loginOn(target.name);
  if (command !== '') return login.runLine(command, ctx.io);
  ctx.io.session.login(login);
  return 0;
};

export const network: Record<string, ShellCommand> = { ip, ping, hostnamectl, ssh };
