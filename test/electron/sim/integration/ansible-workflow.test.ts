/**
 * Debian's Ansible (community.general's proxmox modules, a client nobody here wrote) creates,
 * starts, snapshots and changes a VM on a simulated cluster and reads storage, users and tasks.
 * TLS is verified against the cluster's CA file (REQUESTS_CA_BUNDLE), never turned off.
 * CI installs ansible (.ci/run); without it this test fails and says how to install it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpPveClients } from '../../../../electron/pve/http-client.ts';
import { httpClientOf } from '../../../support/sim-http-client.ts';
import { startSimDatacenter, type SimDatacenter } from '../../../../electron/sim/datacenter.ts';

const PLAYBOOK = fileURLToPath(new URL('./ansible-workflow.yml', import.meta.url));
const ANSIBLE = '/usr/bin/ansible-playbook';

let dc: SimDatacenter;
let dir: string;

beforeAll(async () => {
  dc = await startSimDatacenter({
    pveClients: httpPveClients,
    initial: { kind: 'cluster' },
    clockMode: { kind: 'fast', maxRatio: 200 },
    rootPassword: 'course-password',
  });
  dir = await mkdtemp(join(tmpdir(), 'nestlab-ansible-'));
});
afterAll(async () => {
  await dc.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Ansible proxmox modules against sim nodes', () => {
  it('creates, starts, snapshots and changes a VM, and reads storage, users and tasks', async () => {
    if (!existsSync(ANSIBLE))
      throw new Error(
        'ansible is missing: install it with `apt-get install -y ansible python3-proxmoxer` (.ci/run does)',
      );
    const ca = join(dir, 'pve-root-ca.pem');
    await writeFile(ca, dc.caPem('node1'), { mode: 0o600 });
    const child = spawn(ANSIBLE, [PLAYBOOK], {
      env: {
        ...process.env,
        PATH: `/usr/bin:${process.env['PATH'] ?? ''}`,
        SIM_PORT: new URL(dc.endpoints[0]!.url).port,
        SIM_PASSWORD: 'course-password',
        REQUESTS_CA_BUNDLE: ca,
        ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
        ANSIBLE_LOCALHOST_WARNING: 'false',
        ANSIBLE_INVENTORY_UNPARSED_WARNING: 'false',
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_HOME: dir,
        ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, out: code === 0 ? '' : out.slice(-3000) }).toEqual({ code: 0, out: '' });
    const result = JSON.parse(/ANSIBLE-RESULT (\{.*\})/.exec(out)![1]!.replace(/\\"/g, '"')) as {
      status: string;
      storages: string[];
      users: string[];
      tasks: number;
    };
    expect(result.status).toBe('running');
    expect(result.storages).toContain('nas');
    expect(result.users).toContain('root@pam');
    expect(result.tasks).toBeGreaterThan(0);
    const config = await httpClientOf(dc).request<Record<string, string>>({
      method: 'GET',
      path: '/nodes/node1/qemu/700/config',
    });
    expect(config.net0).toMatch(/^virtio=BC:24:11:/);
    expect(config.net1).toMatch(/^virtio=BC:24:11:.*bridge=vmbr0/);
    expect(config.scsi0).toContain('size=2G');
  }, 300_000);
});
