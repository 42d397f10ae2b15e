/**
 * Faults from outside a running `nestlab sim serve`: a small HTTP API on loopback, guarded by a
 * random bearer token, that pulls plugs and cables like a teacher in the lab room would —
 * power off/on, reset, cable out/in, NAS down/up, a partition between node sets, heal.
 * The same words work on the command line (`nestlab sim power off pve2`, sim-control.ts).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { World } from './world.ts';

export type FaultCommand =
  | { action: 'power'; machine: string; on: boolean }
  | { action: 'reset'; machine: string }
  | { action: 'cable'; machine: string; connected: boolean }
  | { action: 'nas'; up: boolean }
  | { action: 'partition'; groups: string[][] }
  | { action: 'heal' };

export const FAULT_USAGE = [
  'power on|off <machine>',
  'reset <node>',
  'cable in|out <machine>',
  'nas up|down',
  'partition <node,node,…> <node,…> [<node,…>…]',
  'heal',
].join(' | ');

export class FaultCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultCommandError';
  }
}

/** Parses `power off pve2`, `cable out pve1`, `partition pve1,pve2 pve3`, …; throws with the usage. */
export function parseFaultCommand(words: string[]): FaultCommand {
  const [verb, a, b, ...rest] = words;
  const fail = (why: string): never => {
    throw new FaultCommandError(`${why} (commands: ${FAULT_USAGE})`);
  };
  const needMachine = (m: string | undefined): string => m ?? fail(`'${verb}' needs a machine`);
  switch (verb) {
    case 'power':
      if (a !== 'on' && a !== 'off') fail(`'power' takes on or off, got '${a ?? ''}'`);
      if (rest.length > 0) fail('too many arguments');
      return { action: 'power', machine: needMachine(b), on: a === 'on' };
    case 'reset':
      if (b !== undefined) fail('too many arguments');
      return { action: 'reset', machine: needMachine(a) };
    case 'cable':
      if (a !== 'in' && a !== 'out') fail(`'cable' takes in or out, got '${a ?? ''}'`);
      if (rest.length > 0) fail('too many arguments');
      return { action: 'cable', machine: needMachine(b), connected: a === 'in' };
    case 'nas':
      if (a !== 'up' && a !== 'down') fail(`'nas' takes up or down, got '${a ?? ''}'`);
      return { action: 'nas', up: a === 'up' };
    case 'partition': {
      const groups = words.slice(1).map((g) => g.split(',').filter((n) => n !== ''));
      if (groups.length < 2 || groups.some((g) => g.length === 0))
        fail("'partition' needs at least two node sets");
      return { action: 'partition', groups };
    }
    case 'heal':
      return { action: 'heal' };
    default:
      return fail(`unknown fault '${verb ?? ''}'`);
  }
}

/** What every machine looks like now (the reply of each call). */
export function machineStates(
  world: World,
): Record<string, { power: string; cable: boolean; phase: string }> {
  const names = [...world.nodeNames(), ...(world.nasName() ? [world.nasName()!] : [])];
  return Object.fromEntries(names.map((n) => [n, world.machineState(n)]));
}

/** Applies a fault to the world; throws `FaultCommandError` naming the bad machine. */
export function applyFault(world: World, command: FaultCommand): void {
  const nodes = world.nodeNames();
  const machines = [...nodes, ...(world.nasName() ? [world.nasName()!] : [])];
  const known = (m: string, list = machines): string => {
    if (!list.includes(m))
      throw new FaultCommandError(`no machine '${m}' in this lab (machines: ${list.join(', ')})`);
    return m;
  };
  switch (command.action) {
    case 'power':
      if (command.on) world.powerOn(known(command.machine));
      else world.powerOff(known(command.machine));
      return;
    case 'reset':
      world.reset(known(command.machine, nodes));
      return;
    case 'cable':
      world.setCable(known(command.machine), command.connected);
      return;
    case 'nas': {
      const nas = world.nasName();
      if (!nas) throw new FaultCommandError('this lab has no NAS');
      if (command.up) world.powerOn(nas);
      else world.powerOff(nas);
      return;
    }
    case 'partition': {
      const seen = new Set<string>();
      for (const group of command.groups)
        for (const n of group) {
          known(n, nodes);
          if (seen.has(n)) throw new FaultCommandError(`node '${n}' is in two sets of the partition`);
          seen.add(n);
        }
      world.partition(command.groups);
      return;
    }
    case 'heal':
      world.healPartitions();
      return;
  }
}

export interface FaultControl {
  /** `http://127.0.0.1:<port>` */
  url: string;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY = 16 * 1024;

/** Starts the control API on loopback: `GET /machines`, `POST /faults` `{ "command": "power off pve2" }`. */
export async function startFaultControl(
  world: World,
  token = randomBytes(24).toString('base64url'),
): Promise<FaultControl> {
  const expected = Buffer.from(`Bearer ${token}`);
  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(`${JSON.stringify(body)}\n`);
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return reply(res, 401, {
        error: 'missing or wrong token (Authorization: Bearer <token> from the sim serve state file)',
      });
    if (req.method === 'GET' && req.url === '/machines')
      return reply(res, 200, { machines: machineStates(world) });
    if (req.method !== 'POST' || req.url !== '/faults')
      return reply(res, 404, {
        error: `no such call: ${req.method ?? ''} ${req.url ?? ''} (use GET /machines or POST /faults)`,
      });
    let body = '';
    let tooLarge = false;
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) tooLarge = true;
    });
    req.on('end', () => {
      if (tooLarge) return reply(res, 413, { error: 'request body too large' });
      let words: string[];
      try {
        const parsed = JSON.parse(body) as { command?: unknown };
        if (typeof parsed.command !== 'string') throw new Error('field "command" must be a string');
        words = parsed.command.trim().split(/\s+/);
      } catch (error) {
        return reply(res, 400, { error: `POST /faults: ${(error as Error).message}` });
      }
      try {
        applyFault(world, parseFaultCommand(words));
      } catch (error) {
        if (error instanceof FaultCommandError || error instanceof Error)
          return reply(res, 400, { error: `POST /faults: ${error.message}` });
        throw error;
      }
      reply(res, 200, { ok: true, machines: machineStates(world) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
