/** `nestlab sim power off node2` & co. against a running datacenter's loopback fault control. */
import { httpPveClients } from '../../../../electron/pve/http-client.ts';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  registerSimControl,
  serveStatePath,
  writeServeState,
} from '../../../../electron/cli/commands/sim-control.ts';
import { startSimDatacenter, type SimDatacenter } from '../../../../electron/sim/datacenter.ts';
import { startFaultControl, type FaultControl } from '../../../../electron/sim/fault-control.ts';

let dc: SimDatacenter;
let control: FaultControl;
const dataDir = mkdtempSync(join(tmpdir(), 'sim-control-'));
const previous = process.env.NESTLAB_DATA_DIR;

beforeAll(async () => {
  process.env.NESTLAB_DATA_DIR = dataDir;
  dc = await startSimDatacenter({
    pveClients: httpPveClients,
    initial: { kind: 'cluster' },
    clockMode: { kind: 'fast' },
  });
  control = await startFaultControl(dc.world);
  await writeServeState({ url: control.url, token: control.token, pid: process.pid }, dataDir);
});
afterAll(async () => {
  if (previous === undefined) delete process.env.NESTLAB_DATA_DIR;
  else process.env.NESTLAB_DATA_DIR = previous;
  await control.close();
  await dc.close();
});

async function nestlab(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const program = new Command('nestlab').exitOverride();
  registerSimControl(program.command('sim'));
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((err += String(c)), true));
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'nestlab', 'sim', ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { out, err, code };
}

describe('fault control of a running sim serve', () => {
  it('keeps its token in a state file only this user can read', () => {
    expect(statSync(serveStatePath(dataDir)).mode & 0o077).toBe(0);
  });

  it('pulls plugs and cables from the host', async () => {
    const off = await nestlab('power', 'off', 'node2');
    expect(off.code).toBe(0);
    expect(off.out).toContain('node2      power off  cable in   off\n');
    expect(dc.world.machineState('node2').power).toBe('off');
    expect((await nestlab('power', 'on', 'node2')).code).toBe(0);
    expect(dc.world.machineState('node2').phase).toBe('booting');
    expect((await nestlab('cable', 'out', 'node3')).out).toContain('node3      power on   cable out');
    expect((await nestlab('cable', 'in', 'node3')).code).toBe(0);
    expect((await nestlab('nas', 'down')).out).toContain('nas        power off');
    expect((await nestlab('nas', 'up')).code).toBe(0);
    const boot = dc.world.core.state.nodes['node1']!.bootId;
    expect((await nestlab('reset', 'node1')).code).toBe(0);
    expect(dc.world.core.state.nodes['node1']!.bootId).toBeGreaterThan(boot);
    expect((await nestlab('machines')).out).toMatch(/^node1 +power on /);
  });

  it('splits the network, and split brain still cannot happen', async () => {
    await dc.clock.sleep(120_000);
    expect((await nestlab('partition', 'node1', 'node2,node3')).code).toBe(0);
    await dc.clock.sleep(10_000);
    const lone = dc.openShell('node1');
    const pair = dc.openShell('node2');
    expect((await lone.run('pvecm status')).exitCode).toBe(2);
    expect((await pair.run('pvecm status')).exitCode).toBe(0);
    // corosync refuses to lower the majority's expected votes below the votes it has.
    expect((await pair.run('pvecm expected 1')).output).toBe(
      'Unable to set expected votes: CS_ERR_INVALID_PARAM\n',
    );
    expect((await nestlab('heal')).code).toBe(0);
    await dc.clock.sleep(10_000);
    expect((await lone.run('pvecm status')).exitCode).toBe(0);
  });

  it('answers bad commands and wrong tokens with what is wrong', async () => {
    const bad = await nestlab('power', 'off', 'nodeX');
    expect(bad.code).toBe(1);
    expect(bad.err).toBe(
      "nestlab sim power off nodeX: POST /faults: no machine 'nodeX' in this lab (machines: node1, node2, node3, nas)\n",
    );
    expect((await nestlab('partition', 'node1')).err).toMatch(/'partition' needs at least two node sets/);
    const response = await fetch(`${control.url}/faults`, {
      method: 'POST',
      headers: { authorization: 'Bearer wrong' },
      body: JSON.stringify({ command: 'power off node1' }),
    });
    expect(response.status).toBe(401);
    expect(dc.world.machineState('node1').power).toBe('on');
  });
});
