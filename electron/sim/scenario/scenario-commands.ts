/**
 * Scenario event commands, in the words of Proxmox's HA simulator (`power node1 off`,
 * `service vm:100 migrate node2`, …), parsed up front so a typo is reported with its line.
 */
import type { World } from '../world.ts';
import { applyCrmCommand, setServiceRequestState } from '../ha/ha-requests.ts';

export type ScenarioCommand =
  | { kind: 'power'; node: string; on: boolean }
  | { kind: 'network'; node: string; on: boolean }
  | { kind: 'reboot' | 'shutdown' | 'restart-lrm'; node: string }
  | { kind: 'service-state'; sid: string; state: 'started' | 'stopped' | 'disabled' | 'ignored' }
  | { kind: 'service-move'; sid: string; cmd: 'migrate' | 'relocate'; node: string }
  | { kind: 'service-stop'; sid: string; timeout: number }
  | { kind: 'crm'; node: string; cmd: 'enable-node-maintenance' | 'disable-node-maintenance' }
  | { kind: 'expected'; votes: number; node?: string };

export const COMMAND_HELP =
  'power <node> on|off, network <node> on|off, reboot <node>, shutdown <node>, restart-lrm <node>, ' +
  'service <sid> started|stopped|disabled|ignored, service <sid> migrate|relocate <node>, service <sid> stop <timeout>, ' +
  'crm <node> enable-node-maintenance|disable-node-maintenance, expected <votes> [<node>]';

/** Parses one command; `machines` are the names power/network may target (nodes + the NAS). */
export function parseCommand(
  text: string,
  nodes: string[],
  machines: string[],
  sids: string[],
): ScenarioCommand {
  const words = text.trim().split(/\s+/);
  const [verb, a, b, c] = words;
  const fail = (why: string): never => {
    throw new Error(`${why} in '${text}' (commands: ${COMMAND_HELP})`);
  };
  const node = (n: string | undefined, allowed = nodes): string => {
    if (!n) fail('missing node');
    if (!allowed.includes(n!)) fail(`unknown node '${n}'`);
    return n!;
  };
  const onOff = (v: string | undefined): boolean => {
    if (v !== 'on' && v !== 'off') fail(`expected 'on' or 'off', got '${v ?? ''}'`);
    return v === 'on';
  };
  const sid = (s: string | undefined): string => {
    if (!s || !sids.includes(s)) fail(`unknown service '${s ?? ''}'`);
    return s!;
  };
  const arity = (n: number): void => {
    if (words.length !== n) fail(`expected ${n - 1} argument(s)`);
  };
  switch (verb) {
    case 'power':
      arity(3);
      return { kind: 'power', node: node(a, machines), on: onOff(b) };
    case 'network':
      arity(3);
      return { kind: 'network', node: node(a, machines), on: onOff(b) };
    case 'reboot':
    case 'shutdown':
    case 'restart-lrm':
      arity(2);
      return { kind: verb, node: node(a) };
    case 'service': {
      const s = sid(a);
      if (b === 'started' || b === 'stopped' || b === 'disabled' || b === 'ignored') {
        arity(3);
        return { kind: 'service-state', sid: s, state: b };
      }
      if (b === 'enabled') {
        arity(3);
        return { kind: 'service-state', sid: s, state: 'started' };
      }
      if (b === 'migrate' || b === 'relocate') {
        arity(4);
        return { kind: 'service-move', sid: s, cmd: b, node: node(c) };
      }
      if (b === 'stop') {
        arity(4);
        const timeout = Number(c);
        if (!Number.isInteger(timeout) || timeout < 0)
          fail(`timeout must be a whole number of seconds, got '${c}'`);
        return { kind: 'service-stop', sid: s, timeout };
      }
      return fail(`unknown service command '${b ?? ''}'`);
    }
    case 'crm': {
      arity(3);
      const n = node(a);
      if (b !== 'enable-node-maintenance' && b !== 'disable-node-maintenance')
        return fail(`unknown crm command '${b ?? ''}'`);
      return { kind: 'crm', node: n, cmd: b };
    }
    case 'expected': {
      if (words.length !== 2 && words.length !== 3) fail('expected 1 or 2 argument(s)');
      const votes = Number(a);
      if (!Number.isInteger(votes) || votes < 1) fail(`votes must be a positive whole number, got '${a}'`);
      return c === undefined && b === undefined
        ? { kind: 'expected', votes }
        : { kind: 'expected', votes, node: node(b) };
    }
    default:
      return fail(`unknown command '${verb ?? ''}'`);
  }
}

/** Applies a command now. Returns a note for the log when the cluster refused it. */
export function applyCommand(world: World, cmd: ScenarioCommand): string | undefined {
  const core = world.core;
  try {
    switch (cmd.kind) {
      case 'power':
        if (cmd.on) world.powerOn(cmd.node);
        else world.powerOff(cmd.node);
        return undefined;
      case 'network':
        world.setCable(cmd.node, cmd.on);
        return undefined;
      case 'reboot':
        world.reboot(cmd.node);
        return undefined;
      case 'shutdown':
        world.shutdown(cmd.node);
        return undefined;
      case 'restart-lrm':
        world.restartLrm(cmd.node);
        return undefined;
      case 'service-state':
        setServiceRequestState(core, anyWritableNode(world), cmd.sid, cmd.state);
        return undefined;
      case 'service-move':
        applyCrmCommand(core, anyWritableNode(world), `${cmd.cmd} ${cmd.sid} ${cmd.node}`);
        return undefined;
      case 'service-stop':
        applyCrmCommand(core, anyWritableNode(world), `stop ${cmd.sid} ${cmd.timeout}`);
        return undefined;
      case 'crm':
        applyCrmCommand(core, anyWritableNode(world), `${cmd.cmd} ${cmd.node}`);
        return undefined;
      case 'expected': {
        const node =
          cmd.node ??
          world
            .nodeNames()
            .sort()
            .find((n) => world.quorum(n) !== undefined);
        if (!node) return 'no running cluster node to run pvecm expected on';
        world.setExpectedVotes(node, cmd.votes);
        return undefined;
      }
    }
  } catch (e) {
    return (e as Error).message;
  }
}

/** Config commands are issued on a node whose /etc/pve is writable, like an admin would. */
function anyWritableNode(world: World): string {
  const names = world.nodeNames().sort();
  return names.find((n) => world.pmxcfsWritable(n)) ?? names[0]!;
}
