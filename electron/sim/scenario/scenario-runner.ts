/**
 * Runs a validated scenario on a fresh formed cluster in virtual time and reports the final
 * state and every HA transition (the `--json` shape of `nestlab sim run`), plus a readable log.
 */
import { VirtualClock } from '../clock/virtual-clock.ts';
import type { WorldTransition } from '../world-types.ts';
import { applyCommand, parseCommand, type ScenarioCommand } from './scenario-commands.ts';
import type { Scenario } from './scenario-schema.ts';
import { buildScenarioWorld, SCENARIO_NAS } from './scenario-world.ts';

export interface ScenarioTransition {
  /** Seconds of cluster time. */
  t: number;
  subject: string;
  from: string;
  to: string;
}

export interface ScenarioResult {
  final: {
    services: Record<string, { node: string; state: string }>;
    nodes: Record<string, { state: string }>;
    master: string | null;
  };
  transitions: ScenarioTransition[];
}

export interface ScenarioRunOutput {
  result: ScenarioResult;
  /** Readable log lines: events, transitions and HA daemon messages. */
  log: string[];
}

const REPORTED = /^(vm:|ct:|node:|crm:|lrm:)/;
const LOGGED_TAGS = new Set(['pve-ha-crm', 'pve-ha-lrm', 'watchdog-mux', 'corosync']);

/** Parses every event command; throws `{index, message}` for the first bad one. */
export function parseEvents(s: Scenario): { at: number; text: string; cmd: ScenarioCommand }[] {
  const machines = [...s.nodes, SCENARIO_NAS.name];
  const sids = s.services.map((x) => x.sid);
  return s.events.map((e, index) => {
    try {
      return { at: e.at, text: e.do, cmd: parseCommand(e.do, s.nodes, machines, sids) };
    } catch (err) {
      throw new ScenarioEventError(index, (err as Error).message);
    }
  });
}

export class ScenarioEventError extends Error {
  constructor(
    readonly index: number,
    message: string,
  ) {
    super(message);
    this.name = 'ScenarioEventError';
  }
}

function stamp(tMs: number): string {
  return `[${(tMs / 1000).toFixed(1).padStart(7)}s]`;
}

export function runScenario(s: Scenario): ScenarioRunOutput {
  const events = parseEvents(s).sort((a, b) => a.at - b.at);
  const clock = new VirtualClock();
  const world = buildScenarioWorld(s, clock);
  const transitions: ScenarioTransition[] = [];
  const log: string[] = [];
  world.onTransition((t: WorldTransition) => {
    if (!REPORTED.test(t.subject)) return;
    transitions.push({ t: Math.round(t.t) / 1000, subject: t.subject, from: t.from, to: t.to });
  });
  world.onLog((e) => {
    if (LOGGED_TAGS.has(e.tag)) log.push(`${stamp(e.t)} ${e.node}/${e.tag}: ${e.msg}`);
  });
  const lastEvent = events.length > 0 ? events[events.length - 1]!.at : 0;
  const until = s.until ?? lastEvent + 300;
  for (const e of events) {
    if (e.at > until) break;
    world.runUntil(e.at * 1000);
    log.push(`${stamp(world.now())} >>> ${e.text}`);
    const refused = applyCommand(world, e.cmd);
    if (refused) log.push(`${stamp(world.now())} !!! '${e.text}' refused: ${refused}`);
  }
  world.runUntil(until * 1000);

  const ms = world.core.state.ha.manager;
  const services: Record<string, { node: string; state: string }> = {};
  for (const svc of s.services) {
    const sd = ms.service_status[svc.sid];
    const g = world.guestLocation(Number(svc.sid.split(':')[1]));
    services[svc.sid] = {
      node: sd?.node ?? g?.node ?? svc.node,
      state: sd?.state ?? (svc.state === 'ignored' ? 'ignored' : 'queued'),
    };
  }
  const nodes: Record<string, { state: string }> = {};
  for (const n of s.nodes) nodes[n] = { state: ms.node_status[n] ?? 'unknown' };
  const masterNode = Object.values(world.core.state.nodes).find((n) => n.crm.state === 'master');
  return {
    result: { final: { services, nodes, master: masterNode?.name ?? null }, transitions },
    log,
  };
}
