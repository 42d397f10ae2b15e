/**
 * Host-side fault commands against a running `nestlab sim serve`: `nestlab sim power off pve2`,
 * `sim reset pve2`, `sim cable out pve1`, `sim nas down`, `sim partition pve1,pve2 pve3`,
 * `sim heal`, `sim machines`. They read the control API's address and token from the state file
 * `sim serve` writes into the data folder (`sim-serve.json`, readable by this user only).
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { defaultDataDir } from '../../app/data-dir.ts';

export interface ServeState {
  url: string;
  token: string;
  pid: number;
}

export function serveStatePath(dataDir = defaultDataDir()): string {
  return join(dataDir, 'sim-serve.json');
}

export async function writeServeState(state: ServeState, dataDir = defaultDataDir()): Promise<string> {
  const path = serveStatePath(dataDir);
  await writeFile(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return path;
}

export async function removeServeState(dataDir = defaultDataDir()): Promise<void> {
  await rm(serveStatePath(dataDir), { force: true });
}

async function readServeState(): Promise<ServeState> {
  const path = serveStatePath();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new Error(`no running 'nestlab sim serve' found (${path} does not exist)`);
  }
  try {
    const state = JSON.parse(text) as Partial<ServeState>;
    if (typeof state.url !== 'string' || typeof state.token !== 'string')
      throw new Error('url or token missing');
    return state as ServeState;
  } catch (error) {
    throw new Error(`${path}: not a sim serve state file (${(error as Error).message})`);
  }
}

async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
  const state = await readServeState();
  let response: Response;
  try {
    response = await fetch(`${state.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${state.token}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new Error(
      `the sim serve at ${state.url} does not answer (stopped? its state file is ${serveStatePath()})`,
    );
  }
  const data = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(String(data['error'] ?? `HTTP ${response.status}`));
  return data;
}

function printMachines(data: Record<string, unknown>): void {
  const machines = (data['machines'] ?? {}) as Record<
    string,
    { power: string; cable: boolean; phase: string }
  >;
  for (const [name, m] of Object.entries(machines))
    process.stdout.write(
      `${name.padEnd(10)} power ${m.power.padEnd(4)} cable ${m.cable ? 'in ' : 'out'}  ${m.phase}\n`,
    );
}

export function registerSimControl(sim: Command): void {
  const fault = (words: string[]) => async (): Promise<void> => {
    try {
      printMachines(await call('POST', '/faults', { command: words.join(' ') }));
    } catch (error) {
      process.stderr.write(`nestlab sim ${words.join(' ')}: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  };
  sim
    .command('power')
    .description('Power a machine of the running sim serve on or off (pull the plug)')
    .argument('<state>', 'on or off')
    .argument('<machine>', 'node or NAS name')
    .action((state: string, machine: string) => fault(['power', state, machine])());
  sim
    .command('reset')
    .description('Press the reset button of a node')
    .argument('<node>')
    .action((node: string) => fault(['reset', node])());
  sim
    .command('cable')
    .description("Plug a machine's network cable in or out")
    .argument('<state>', 'in or out')
    .argument('<machine>')
    .action((state: string, machine: string) => fault(['cable', state, machine])());
  sim
    .command('nas')
    .description('Take the NAS down or bring it up')
    .argument('<state>', 'up or down')
    .action((state: string) => fault(['nas', state])());
  sim
    .command('partition')
    .description('Split the lab network between node sets, e.g. `partition pve1,pve2 pve3`')
    .argument('<sets...>', 'comma-separated node sets')
    .action((sets: string[]) => fault(['partition', ...sets])());
  sim
    .command('heal')
    .description('Join the partitioned network again')
    .action(() => fault(['heal'])());
  sim
    .command('machines')
    .description('Show power, cable and boot state of every machine of the running sim serve')
    .action(async () => {
      try {
        printMachines(await call('GET', '/machines'));
      } catch (error) {
        process.stderr.write(`nestlab sim machines: ${(error as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
