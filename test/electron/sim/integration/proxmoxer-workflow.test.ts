/**
 * Debian's python3-proxmoxer (a client nobody here wrote) drives a whole course workflow against
 * the simulator's HTTPS nodes: cluster create/join, NFS, VM, snapshot, HA, migrate, failover.
 * CI installs the package (.ci/run); without it this test fails and says how to install it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpPveClients } from '../../../../electron/pve/http-client.ts';
import { startSimDatacenter, type SimDatacenter } from '../../../../electron/sim/datacenter.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./proxmoxer-workflow.py', import.meta.url));

let dc: SimDatacenter;
let dir: string;

beforeAll(async () => {
  dc = await startSimDatacenter({
    pveClients: httpPveClients,
    clockMode: { kind: 'fast', maxRatio: 200 },
    rootPassword: 'course-password',
  });
  dir = await mkdtemp(join(tmpdir(), 'nestlab-proxmoxer-'));
});
afterAll(async () => {
  await dc.close();
  await rm(dir, { recursive: true, force: true });
});

describe('python3-proxmoxer against sim nodes', () => {
  it('runs create-cluster / join / NFS / VM / snapshot / HA / migrate / failover', async () => {
    const probe = spawn(PYTHON, ['-c', 'import proxmoxer'], { stdio: 'ignore' });
    const importable =
      existsSync(PYTHON) &&
      (await new Promise<number | null>((resolve) => probe.on('close', resolve)).catch(() => 1)) === 0;
    if (!importable)
      throw new Error(
        'python3-proxmoxer is missing: install it with `apt-get install -y python3-proxmoxer` (.ci/run does)',
      );

    const nodes = [];
    for (const endpoint of dc.endpoints) {
      const ca = join(dir, `${endpoint.name}-pve-root-ca.pem`);
      await writeFile(ca, dc.caPem(endpoint.name), { mode: 0o600 });
      nodes.push({ name: endpoint.name, port: Number(new URL(endpoint.url).port), ca });
    }
    const child = spawn(PYTHON, [SCRIPT], {
      env: {
        ...process.env,
        SIM_PASSWORD: 'course-password',
        SIM_NODES: JSON.stringify(nodes),
        PYTHONUNBUFFERED: '1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line === 'FAULT poweroff node2') {
        dc.world.powerOff('node2');
        child.stdin.write('done\n');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr: code === 0 ? '' : stderr.slice(-2000), last: lines.slice(-3) }).toMatchObject({
      code: 0,
      stderr: '',
    });
    expect(lines).toContain('WORKFLOW OK');
    expect(lines.some((l) => /^RECOVERED on node[13]$/.test(l))).toBe(true);
  }, 300_000);
});
