/**
 * Operating the machine: `reboot`, `shutdown`, `poweroff` (clean, through the HA shutdown
 * policy — the login closes as sshd is stopped), `systemctl status|restart|is-active`,
 * `journalctl` (the daemons' lines as the node's journal holds them), `corosync-cfgtool -s`,
 * `corosync-quorumtool -s|-l`, `pveversion`.
 */
import { PveError } from '../../../pve/api.ts';
import type { CommandContext, ShellCommand } from '../command.ts';
import type { JournalLine } from '../local-node.ts';
import { formatMembership, formatQuorum } from './pvecm.ts';

/** The kernel each release ships, as `uname` and the login banner show it. */
export function kernelOf(major: 8 | 9): string {
  return major === 8 ? '6.8.12-9-pve' : '6.14.8-2-pve';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** journalctl's short format: `Jan 01 00:00:40 pve1 pve-ha-crm[1234]: message`. */
function journalLine(node: string, line: JournalLine): string {
  const d = new Date(line.epochMs);
  const stamp = `${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const ident = line.tag === 'kernel' ? 'kernel' : `${line.tag}[${line.tag === 'systemd' ? 1 : line.pid}]`;
  return `${stamp} ${node} ${ident}: ${line.msg}`;
}

/** Which syslog identifiers a unit's journal holds (pve-cluster logs as pmxcfs). */
function unitTags(unit: string): (line: JournalLine) => boolean {
  const name = unit.replace(/\.service$/, '');
  const tags: Record<string, string[]> = {
    corosync: ['corosync'],
    'pve-cluster': ['pmxcfs'],
    'pve-ha-crm': ['pve-ha-crm'],
    'pve-ha-lrm': ['pve-ha-lrm'],
    pveproxy: ['pveproxy'],
    pvedaemon: ['pvedaemon'],
    'watchdog-mux': ['watchdog-mux'],
    'corosync-qdevice': ['corosync-qdevice'],
  };
  const own = tags[name] ?? [name];
  return (line) => own.includes(line.tag) || (line.tag === 'systemd' && line.msg.includes(`${name}.service`));
}

function since(epochMs: number, now: number): string {
  const d = new Date(epochMs);
  const stamp = `${DAYS[d.getUTCDay()]} ${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
  const s = Math.max(0, Math.floor((now - epochMs) / 1000));
  const ago =
    s < 60
      ? `${s}s`
      : s < 3600
        ? `${Math.floor(s / 60)}min ${s % 60}s`
        : `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}min`;
  return `${stamp}; ${ago} ago`;
}

function unitStatus(ctx: CommandContext, unit: string): number {
  const status = ctx.local.unit(ctx.node, unit);
  if (!status) {
    ctx.io.write(`Unit ${unit.replace(/\.service$/, '')}.service could not be found.\n`);
    return 4;
  }
  const lines = [
    `${status.active ? '●' : '○'} ${status.unit} - ${status.description}`,
    `     Loaded: loaded (/usr/lib/systemd/system/${status.unit}; enabled; preset: enabled)`,
    status.active
      ? `     Active: active (running) since ${since(status.since, ctx.local.epochMs())}`
      : '     Active: inactive (dead)',
  ];
  if (status.active) {
    lines.push(
      `   Main PID: ${status.mainPid} (${status.command.split(' ')[0]!.split('/').at(-1)})`,
      `     CGroup: /system.slice/${status.unit}`,
      `             └─${status.mainPid} ${status.command}`,
    );
  }
  const journal = ctx.local.journal(ctx.node).filter(unitTags(unit)).slice(-10);
  if (journal.length > 0) lines.push('', ...journal.map((l) => journalLine(ctx.node, l)));
  ctx.io.write(`${lines.join('\n')}\n`);
  return status.active ? 0 : 3;
}

const systemctl: ShellCommand = async (ctx, args) => {
  const words = args.filter((a) => !a.startsWith('-'));
  const [verb = 'list-units', ...units] = words;
  if (verb === 'status') {
    let code = 0;
    for (const unit of units) code = Math.max(code, unitStatus(ctx, unit));
    if (units.length === 0) {
      ctx.io.write(
        `● ${ctx.node}\n    State: running\n    Units: 412 loaded (incl. loaded aliases)\n     Jobs: 0 queued\n   Failed: 0 units\n`,
      );
    }
    return code;
  }
  if (verb === 'is-active') {
    let code = 0;
    for (const unit of units) {
      const status = ctx.local.unit(ctx.node, unit);
      ctx.io.write(`${status?.active ? 'active' : 'inactive'}\n`);
      if (!status?.active) code = 3;
    }
    return code;
  }
  if (verb === 'restart' || verb === 'reload-or-restart' || verb === 'try-restart') {
    if (units.length === 0) {
      ctx.io.write(`Too few arguments.\n`);
      return 1;
    }
    for (const unit of units) {
      try {
        ctx.local.restartUnit(ctx.node, unit);
      } catch (error) {
        ctx.io.write(`${(error as Error).message}\n`);
        return 5;
      }
    }
    return 0;
  }
  ctx.io.write(
    `systemctl ${verb}: the simulated node offers status, is-active and restart of its Proxmox units (corosync, pve-cluster, pve-ha-crm, pve-ha-lrm, pveproxy, pvedaemon, watchdog-mux).\n`,
  );
  return 1;
};

const journalctl: ShellCommand = async (ctx, args) => {
  const units: string[] = [];
  let lines: number | undefined;
  let follow = false;
  let reverse = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-u' || arg === '--unit') units.push(args[++i] ?? '');
    else if (arg.startsWith('--unit=')) units.push(arg.slice(7));
    else if (/^-u.+/.test(arg)) units.push(arg.slice(2));
    else if (arg === '-n' || arg === '--lines') lines = Number(args[++i]);
    else if (/^-n\d+$/.test(arg)) lines = Number(arg.slice(2));
    else if (arg.startsWith('--lines=')) lines = Number(arg.slice(8));
    else if (arg === '-f' || arg === '--follow') follow = true;
    else if (arg === '-r' || arg === '--reverse') reverse = true;
    else if (/^-[a-z]*f[a-z]*$/.test(arg)) follow = true;
  }
  const filters = units.map(unitTags);
  const matches = (l: JournalLine): boolean => filters.length === 0 || filters.some((f) => f(l));
  const all = ctx.local.journal(ctx.node).filter(matches);
  let shown = lines !== undefined ? all.slice(-lines) : follow ? all.slice(-10) : all;
  if (reverse) shown = [...shown].reverse();
  if (shown.length === 0 && !follow) ctx.io.write('-- No entries --\n');
  for (const line of shown) ctx.io.write(`${journalLine(ctx.node, line)}\n`);
  if (!follow || !ctx.io.interactive) return 0;
  let seen = ctx.local.journal(ctx.node).length;
  for (;;) {
    try {
      await ctx.local.sleep(1000, ctx.io.signal);
    } catch {
      return 0;
    }
    const journal = ctx.local.journal(ctx.node);
    for (const line of journal.slice(Math.min(seen, journal.length))) {
      if (matches(line)) ctx.io.write(`${journalLine(ctx.node, line)}\n`);
    }
    seen = journal.length;
  }
};

function power(action: 'reboot' | 'poweroff'): ShellCommand {
  return async (ctx) => {
    ctx.local.power(ctx.node, action);
    return 0;
  };
}

const shutdown: ShellCommand = async (ctx, args) => {
  const reboot = args.some((a) => a === '-r' || a === '--reboot');
  const when = args.find((a) => !a.startsWith('-')) ?? '+1';
  if (args.includes('-c')) {
    ctx.io.write('No scheduled shutdown to cancel.\n');
    return 0;
  }
  const minutes = when === 'now' ? 0 : /^\+\d+$/.test(when) ? Number(when.slice(1)) : undefined;
  if (minutes === undefined) {
    ctx.io.write(`Failed to parse time specification: ${when}\n`);
    return 1;
  }
  const action = reboot ? 'reboot' : 'poweroff';
  if (minutes === 0) {
    ctx.local.power(ctx.node, action);
    return 0;
  }
  const at = new Date(ctx.local.epochMs() + minutes * 60_000);
  ctx.io.write(
    `${reboot ? 'Reboot' : 'Shutdown'} scheduled for ${DAYS[at.getUTCDay()]} ${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} UTC, use 'shutdown -c' to cancel.\n`,
  );
  const token = ctx.local.bootToken(ctx.node);
  void ctx.local.sleep(minutes * 60_000).then(() => {
    if (ctx.local.bootToken(ctx.node) === token) ctx.local.power(ctx.node, action);
  });
  return 0;
};

const corosyncCfgtool: ShellCommand = async (ctx, args) => {
  if (!args.includes('-s') && !args.includes('-n')) {
    ctx.io.write(
      'corosync-cfgtool [[-i <interface ip>] [-b] -s] [-R] [-L] [-k nodeid] [-a nodeid] [-h] [-H]\n',
    );
    return 1;
  }
  const links = ctx.local.links(ctx.node);
  const self = links.find((l) => l.local);
  if (!self) {
    ctx.io.write('Could not initialize corosync configuration API error 2\n');
    return 1;
  }
  const lines = [
    `Local node ID ${self.nodeid}, transport knet`,
    'LINK ID 0 udp',
    `\taddr\t= ${self.ip}`,
    '\tstatus:',
  ];
  for (const link of links) {
    const state = link.local ? 'localhost' : link.connected ? 'connected' : 'disconnected';
    lines.push(`\t\tnodeid: ${String(link.nodeid).padStart(10)}:\t${state}`);
  }
  ctx.io.write(`${lines.join('\n')}\n`);
  return 0;
};

const corosyncQuorumtool: ShellCommand = async (ctx, args) => {
  const quorum = ctx.local.votequorum(ctx.node);
  if (!quorum) {
    ctx.io.write('Cannot initialize QUORUM service\n');
    return 1;
  }
  const letters = args.filter((a) => /^-[A-Za-z]+$/.test(a)).join('');
  const style = { ips: letters.includes('i'), hex: letters.includes('H') };
  if (letters.includes('l')) {
    ctx.io.write(`\n${formatMembership(quorum, style.ips, style.hex)}`);
    return 0;
  }
  if (!letters.includes('s')) {
    ctx.io.write(
      'usage: corosync-quorumtool <options>\n  -s             show quorum status\n  -l             list nodes\n  -e <expected>  change expected votes for the cluster\n',
    );
    return 1;
  }
  ctx.io.write(formatQuorum(quorum, ctx.local.epochMs(), style));
  return quorum.quorate ? 0 : 2;
};

const pveversion: ShellCommand = async (ctx) => {
  try {
    const version = await ctx.api.request<{ version: string; repoid: string; release: string }>({
      method: 'GET',
      path: '/version',
      node: ctx.node,
      signal: ctx.io.signal,
    });
    ctx.io.write(
      `pve-manager/${version.version}/${version.repoid} (running kernel: ${kernelOf(ctx.schema.major)})\n`,
    );
    return 0;
  } catch (error) {
    ctx.io.write(`${error instanceof PveError ? (error.reason ?? error.message) : String(error)}\n`);
    return 255;
  }
};

export const system: Record<string, ShellCommand> = {
  reboot: power('reboot'),
  poweroff: power('poweroff'),
  halt: power('poweroff'),
  shutdown,
  systemctl,
  journalctl,
  'corosync-cfgtool': corosyncCfgtool,
  'corosync-quorumtool': corosyncQuorumtool,
  pveversion,
};
