import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { TrustKind } from '../../../../electron/backends/lab-environment.ts';
import {
  createVirtualBoxLabEnvironment,
  type VirtualBoxEnvironmentOptions,
} from '../../../../electron/backends/virtualbox/virtualbox-environment.ts';
import { ExpressionCache } from '../../../../electron/lab/expression-cache.ts';
import { createRunContext } from '../../../../electron/lab/run-context.ts';
import { runChecks } from '../../../../electron/lab/run-checks.ts';
import { loadLabFile } from '../../../../electron/lab/script/load.ts';
import type { LabFile, LabProfile } from '../../../../electron/lab/script/schema.ts';
import { runSolve } from '../../../../electron/lab/solve/run-solve.ts';
import { startInstalledNodes, type InstalledNodes } from '../../../support/installed-nodes.ts';

let lab: LabFile;
let profile: LabProfile;
let nodes: InstalledNodes;
let fake: InstalledNodes['fake'];
let ssh: InstalledNodes['ssh'];

interface Asked {
  node: string;
  fingerprint: string;
  kind: TrustKind;
}

function optionsFor(
  answer: (asked: Asked) => boolean,
  asked: Asked[],
  overrides: Partial<VirtualBoxEnvironmentOptions> = {},
): VirtualBoxEnvironmentOptions {
  return {
    lab,
    profile,
    trust: async (node, fingerprint, kind) => {
      asked.push({ node, fingerprint, kind });
      return answer({ node, fingerprint, kind });
    },
    ...nodes.reach,
    ...overrides,
  };
}

const endpoint = (node: string) => ({ url: nodes.url(node), fingerprint: nodes.fingerprint(node) });

beforeAll(async () => {
  const loaded = await loadLabFile('labs/proxmox-ha-basics/lab.yaml');
  if (!loaded.ok) throw new Error('the seed lab does not load');
  lab = loaded.lab;
  profile = lab.profiles.find((p) => p.id === 'virtualbox-light')!;
  nodes = await startInstalledNodes(lab, profile);
  fake = nodes.fake;
  ssh = nodes.ssh;
});

afterAll(async () => {
  await nodes?.close();
});

describe('VirtualBox lab environment', () => {
  it('stops when a node certificate is not confirmed, naming the node', async () => {
    const asked: Asked[] = [];
    const refused = createVirtualBoxLabEnvironment(optionsFor((a) => a.node !== 'pve2', asked));
    await expect(refused).rejects.toThrow(/node pve2: TLS certificate .* was not confirmed/);
    expect(asked.find((a) => a.node === 'pve2')).toEqual({
      node: 'pve2',
      fingerprint: endpoint('pve2').fingerprint,
      kind: 'tls-certificate',
    });
  });

  it('pins a confirmed certificate; a node presenting another one later is refused without asking', async () => {
    const asked: Asked[] = [];
    const pins = new Map<string, string>();
    let open = 0;
    let mostOpen = 0;
    const env = await createVirtualBoxLabEnvironment(
      optionsFor(() => true, asked, {
        pins,
        // A slow user: questions must still come one at a time.
        trust: async (node, fingerprint, kind) => {
          mostOpen = Math.max(mostOpen, ++open);
          await new Promise((r) => setTimeout(r, 20));
          open--;
          asked.push({ node, fingerprint, kind });
          return true;
        },
      }),
    );
    try {
      expect(mostOpen).toBe(1);
      expect(asked.map((a) => a.node).sort()).toEqual(['pve1', 'pve2', 'pve3']);
      expect(env.backend).toBe('virtualbox');
      expect(
        env.pve
          .endpoints()
          .map((e) => [e.name, e.fingerprint])
          .sort(),
      ).toEqual(['pve1', 'pve2', 'pve3'].map((n) => [n, endpoint(n).fingerprint]));
      expect(pins.get('tls:pve1')).toBe(endpoint('pve1').fingerprint);
      // The driver addressed the lab's machines in VirtualBox.
      expect(fake.calls).toContain('IVirtualBox_findMachine');
      const version = await env.pve.request<{ release: string }>({
        method: 'GET',
        path: '/version',
        node: 'pve1',
      });
      expect(version.release).toMatch(/^\d/);
    } finally {
      await env.close();
    }

    // pve1's address now answers with pve2's certificate (a reinstalled node, or someone else).
    const again: Asked[] = [];
    const swapped = createVirtualBoxLabEnvironment(
      optionsFor(() => true, again, {
        pins,
        apiUrl: (node) => endpoint(node === 'pve1' ? 'pve2' : node).url,
      }),
    );
    await expect(swapped).rejects.toThrow(/node pve1: its TLS certificate changed/);
    expect(again).toEqual([]);
  });

  it('adds a node that did not answer at start before the first call to it', async () => {
    const asked: Asked[] = [];
    let pve3Up = false;
    const env = await createVirtualBoxLabEnvironment(
      optionsFor(() => true, asked, {
        apiUrl: (node) => (node === 'pve3' && !pve3Up ? 'https://127.0.0.1:1' : endpoint(node).url),
      }),
    );
    try {
      expect(
        env.pve
          .endpoints()
          .map((e) => e.name)
          .sort(),
      ).toEqual(['pve1', 'pve2']);
      await expect(env.pve.request({ method: 'GET', path: '/version', node: 'pve3' })).rejects.toMatchObject({
        kind: 'unreachable',
        node: 'pve3',
        message: expect.stringMatching(
          /^GET \/version: pve3 \(https:\/\/127\.0\.0\.1:1\) does not answer yet/,
        ),
      });
      pve3Up = true;
      await env.pve.request({ method: 'GET', path: '/version', node: 'pve3' });
      expect(
        env.pve
          .endpoints()
          .map((e) => e.name)
          .sort(),
      ).toEqual(['pve1', 'pve2', 'pve3']);
      expect(asked.filter((a) => a.node === 'pve3').map((a) => a.fingerprint)).toEqual([
        endpoint('pve3').fingerprint,
      ]);
    } finally {
      await env.close();
    }
  });

  it('asks once about a node that comes up later; a "no" is remembered, not asked again at every check', async () => {
    const asked: Asked[] = [];
    let pve3Up = false;
    const env = await createVirtualBoxLabEnvironment(
      optionsFor((a) => a.node !== 'pve3', asked, {
        apiUrl: (node) => (node === 'pve3' && !pve3Up ? 'https://127.0.0.1:1' : endpoint(node).url),
      }),
    );
    try {
      pve3Up = true;
      const call = { method: 'GET' as const, path: '/version', node: 'pve3' };
      await expect(env.pve.request(call)).rejects.toThrow(/node pve3: TLS certificate .* was not confirmed/);
      await expect(env.pve.request(call)).rejects.toThrow(/node pve3: TLS certificate .* was not confirmed/);
      expect(asked.filter((a) => a.node === 'pve3')).toHaveLength(1);
      // The confirmed nodes keep working.
      await env.pve.request({ method: 'GET', path: '/version', node: 'pve1' });
    } finally {
      await env.close();
    }
  });

  it("runs the lab's first steps over ssh and the pinned API: create the cluster, join pve2 and pve3", async () => {
    const asked: Asked[] = [];
    const pins = new Map<string, string>();
    const env = await createVirtualBoxLabEnvironment(optionsFor(() => true, asked, { pins }));
    try {
      const created = await env.shell.run('pve1', 'pvecm create lab');
      expect(created.exitCode).toBe(0);
      expect(ssh.get('pve1')!.commands).toContain('pvecm create lab');
      // The ssh host key was confirmed once and pinned, apart from the certificate.
      expect(asked.filter((a) => a.kind === 'ssh-host-key')).toEqual([
        { node: 'pve1', fingerprint: ssh.get('pve1')!.fingerprint, kind: 'ssh-host-key' },
      ]);
      expect(pins.get('ssh:pve1')).toBe(ssh.get('pve1')!.fingerprint);

      // The learner's way for pve2: `pvecm add` answers its password and fingerprint prompts.
      const joined = await env.shell.run('pve2', 'pvecm add 192.168.56.11', {
        input: [String(lab.vars.rootPassword), 'yes'],
      });
      expect(joined.output).toContain('Please enter superuser (root) password');
      expect(joined.exitCode).toBe(0);

      // pve3 the lab's way: its own solve actions for the join (API calls, task, waits), minus pve2's.
      const joinStep = lab.steps.find((s) => s.id === 'join-nodes')!;
      const pve3Actions = joinStep.solve!.filter((a) => !/pve2|Pve2/.test(JSON.stringify(a)));
      expect(pve3Actions.length).toBeGreaterThanOrEqual(4);
      const cache = new ExpressionCache();
      const context = createRunContext(lab, profile);
      await runSolve(joinStep.id, pve3Actions, {
        pve: env.pve,
        hypervisor: env.driver,
        shell: env.shell,
        clock: env.clock,
        cache,
        context,
        signal: new AbortController().signal,
      });
      const createStep = lab.steps.find((s) => s.id === 'create-cluster')!;
      expect((await runChecks(createStep, { pve: env.pve, cache, context })).map((o) => o.ok)).toEqual([
        true,
      ]);
      const outcomes = await runChecks(joinStep, { pve: env.pve, cache, context });
      expect(outcomes.map((o) => [o.id, o.ok])).toEqual([
        ['pve2-member', true],
        ['pve3-member', true],
        ['quorate', true],
      ]);
    } finally {
      await env.close();
    }
  }, 60_000);

  it('opens an interactive ssh shell as a terminal', async () => {
    const env = await createVirtualBoxLabEnvironment(optionsFor(() => true, []));
    try {
      const pty = await env.ptys.open('pve2', { cols: 80, rows: 24 });
      let seen = '';
      const listed = new Promise<void>((resolve) =>
        pty.onData((data) => {
          seen += data;
          const after = seen.indexOf('pvecm nodes');
          if (after >= 0 && seen.indexOf('root@pve2:~# ', after) > 0) resolve();
        }),
      );
      const exited = new Promise<number>((resolve) => pty.onExit(resolve));
      pty.write('pvecm nodes\r');
      await listed;
      expect(seen.slice(seen.indexOf('pvecm nodes'))).toMatch(/pve3/);
      pty.write('\x04');
      expect(await exited).toBe(0);
    } finally {
      await env.close();
    }
  });

  it('opens a new ssh connection after the node dropped the old one (a reboot), without asking again', async () => {
    const asked: Asked[] = [];
    const env = await createVirtualBoxLabEnvironment(optionsFor(() => true, asked));
    try {
      expect((await env.shell.run('pve1', 'hostname')).output).toContain('pve1');
      ssh.get('pve1')!.dropConnections();
      const again = await env.shell.run('pve1', 'hostname');
      expect(again).toEqual({ output: expect.stringContaining('pve1'), exitCode: 0 });
      expect(asked.filter((a) => a.kind === 'ssh-host-key')).toHaveLength(1);
    } finally {
      await env.close();
    }
  });

  it('refuses an ssh host key that differs from the pinned one, naming the node', async () => {
    const asked: Asked[] = [];
    const pins = new Map([['ssh:pve3', 'SHA256:someone-else']]);
    const env = await createVirtualBoxLabEnvironment(optionsFor(() => true, asked, { pins }));
    try {
      await expect(env.shell.run('pve3', 'hostname')).rejects.toThrow(/node pve3: its ssh host key changed/);
      expect(asked.filter((a) => a.kind === 'ssh-host-key')).toEqual([]);
      expect(ssh.get('pve3')!.commands).not.toContain('hostname');
    } finally {
      await env.close();
    }
  });
});
