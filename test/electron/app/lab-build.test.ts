/**
 * "Build the lab" through the contract (`lab.build` via the router): on VirtualBox the fake vboxwebsrv
 * with scripted installers on the serial consoles, the real seed writer, the learner's trust answers
 * through `trust.answer`, a task per machine in the tray; on the simulator there is nothing to build.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApp, type App } from '../../../electron/app/create-app.ts';
import { silentLogger } from '../../../electron/app/deps.ts';
import type { TaskInfo, TrustRequestInfo } from '../../../electron/contract/dto.ts';
import { createRouter } from '../../../electron/ipc/router.ts';
import type { ImageResolver } from '../../../electron/images/resolver.ts';
import { loadLabFile } from '../../../electron/lab/script/load.ts';
import { INSTALLED_CHECKPOINT } from '../../../electron/provision/install/build-lab.ts';
import type { FakeGuestScript } from '../../support/fake-vboxwebsrv/fake-world.ts';
import { startInstalledNodes, type InstalledNodes } from '../../support/installed-nodes.ts';

const labsDir = fileURLToPath(new URL('../../../labs', import.meta.url));
const LAB = 'proxmox-ha-basics';

// What the Proxmox installer and cloud-init print on the serial console (as in build-lab.test.ts).
const proxmoxInstaller: FakeGuestScript = {
  banner: 'SeaBIOS (version 1.16)\r\n',
  steps: [
    {
      whenTyped: 'proxmox-start-auto-installer console=ttyS0,115200\ninitrd /boot/initrd.img\nboot\n',
      output: 'Starting debug shell...\r\nroot@proxmox:/# ',
    },
    {
      whenSerial: 'proxmox-fetch-answer partition PROXMOX-AIS >/run/automatic-installer-answers && exit\n',
      output: 'progress 52% - extracting base system\r\nprogress 100% - installation finished\r\n',
      powerOff: true,
    },
  ],
};
const cloudInit: FakeGuestScript = {
  steps: [
    {
      output:
        'Cloud-init v. 24.4-1 finished at Fri, 04 Dec 2026 02:00:00 +0000. Datasource DataSourceNoCloud.\r\n',
    },
  ],
};

describe('lab.build on the VirtualBox backend (fake vboxwebsrv, scripted installers)', () => {
  let nodes: InstalledNodes;
  let dataDir: string;
  let app: App;
  const asked: TrustRequestInfo[] = [];
  const tasks: TaskInfo[] = [];
  const probed: string[] = [];

  beforeAll(async () => {
    const loaded = await loadLabFile(join(labsDir, LAB, 'lab.yaml'));
    if (!loaded.ok) throw new Error('the seed lab does not load');
    const profile = loaded.lab.profiles.find((p) => p.id === 'virtualbox-light')!;
    dataDir = await mkdtemp(join(tmpdir(), 'nestlab-build-app-'));
    const files: Record<string, string> = {
      'proxmox-ve-9-1': join(dataDir, 'proxmox-ve_9.1-1.iso'),
      'debian-13-nfs': join(dataDir, 'debian-13-generic-amd64.raw'),
    };
    await writeFile(files['proxmox-ve-9-1']!, 'PVE ISO stand-in');
    await writeFile(files['debian-13-nfs']!, Buffer.alloc(4 * 1024 * 1024));
    const images: ImageResolver = {
      resolve: async (id) => {
        if (!files[id]) throw new Error(`no image ${id} in the test catalog`);
        return files[id];
      },
    };
    nodes = await startInstalledNodes(loaded.lab, profile, {
      images,
      runDir: dataDir,
      serialScripts: {
        [`${LAB}-pve1`]: proxmoxInstaller,
        [`${LAB}-pve2`]: proxmoxInstaller,
        [`${LAB}-pve3`]: proxmoxInstaller,
        [`${LAB}-nas`]: cloudInit,
      },
    });
    app = await createApp({
      shell: 'browser',
      dataDir,
      labsDir,
      log: silentLogger,
      backend: 'virtualbox',
      virtualBox: {
        ...nodes.reach,
        // The stand-in nodes answer on their own URLs; the trust question stays the app's.
        build: {
          images,
          firstBootProbe: async (node) => {
            probed.push(node);
            return { fingerprint: nodes.fingerprint(node) };
          },
          pollMs: 20,
          bootMenuDelayMs: 0,
        },
      },
    });
    app.hub.subscribe((event, payload) => {
      if (event === 'task.updated') tasks.push(payload as TaskInfo);
      const pending = payload as TrustRequestInfo[];
      if (event !== 'trust.requests' || !pending[0]) return;
      asked.push(pending[0]);
      void app.handlers['trust.answer']({ id: pending[0].id, accept: true });
    });
  });
  afterAll(async () => {
    await app?.close();
    await nodes?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('says in the lab state that the lab can be built', async () => {
    const opened = await app.handlers['lab.open']({ labId: LAB, profile: 'virtualbox-light' });
    expect(opened.canBuild).toBe(true);
  });

  it('builds every machine through the router, a task per machine, each with its installed checkpoint', async () => {
    const router = createRouter(app.handlers);
    const outcome = await router.dispatch('lab.build', {});
    expect(outcome).toEqual({ result: expect.anything() });
    const result = (outcome as { result: { installed: string[]; skipped: string[] } }).result;
    expect([...result.installed].sort()).toEqual(['nas', 'pve1', 'pve2', 'pve3']);
    expect(result.skipped).toEqual([]);

    const last = new Map(tasks.map((t) => [t.title, t]));
    for (const title of [`Build ${LAB}`, 'pve1', 'pve2', 'pve3', 'nas'])
      expect([title, last.get(title)?.state, last.get(title)?.fraction]).toEqual([title, 'done', 1]);
    for (const machine of ['pve1', 'pve2', 'pve3', 'nas']) {
      const vm = nodes.fake.world.machines.find((m) => m.settings.name === `${LAB}-${machine}`)!;
      expect(vm.snapshots.map((s) => s.name)).toEqual([INSTALLED_CHECKPOINT]);
    }
    // The real seed writer wrote into the app's data folder (answer ISOs, the NAS's cidata).
    expect((await readdir(join(dataDir, 'seeds', LAB))).sort()).toEqual(
      expect.arrayContaining(['pve1-answer.iso', 'pve2-answer.iso', 'pve3-answer.iso']),
    );
    // Each new node was probed at first boot; its certificate goes through the app's trust broker, which
    // knows the one the learner confirmed when the lab opened: asked once per node, not again.
    expect([...probed].sort()).toEqual(['pve1', 'pve2', 'pve3']);
    for (const node of ['pve1', 'pve2', 'pve3'])
      expect(asked.filter((q) => q.kind === 'tls' && q.node === node)).toHaveLength(1);
  }, 120_000);

  it('resumes: a second build installs nothing again', async () => {
    const result = await app.handlers['lab.build']({});
    expect(result.installed).toEqual([]);
    expect([...result.skipped].sort()).toEqual(['nas', 'pve1', 'pve2', 'pve3']);
  }, 60_000);

  it('lab.reset puts every machine back to its installed checkpoint (running, cables in) and starts the lab over', async () => {
    const world = nodes.fake.world;
    const pve1 = () => world.machines.find((m) => m.settings.name === `${LAB}-pve1`)!;
    await app.handlers['machine.act']({ machine: 'pve1', action: 'cable-out' });
    expect(pve1().settings.nics.some((n) => n.enabled && n.cableConnected === false)).toBe(true);
    const calls = nodes.fake.calls.length;
    const state = await app.handlers['lab.reset']({});
    expect(state.progress.passed).toBe(0);
    const restores = nodes.fake.calls.slice(calls).filter((c) => /restoreSnapshot/i.test(c));
    expect(restores).toHaveLength(4);
    for (const machine of ['pve1', 'pve2', 'pve3', 'nas']) {
      const vm = world.machines.find((m) => m.settings.name === `${LAB}-${machine}`)!;
      expect([machine, vm.state]).toEqual([machine, 'Running']);
    }
    expect(
      pve1()
        .settings.nics.filter((n) => n.enabled)
        .every((n) => n.cableConnected !== false),
    ).toBe(true);
  }, 60_000);
});

describe('lab.build on the simulator', () => {
  it('is not offered, and a call says there is nothing to build', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'nestlab-build-sim-'));
    const app = await createApp({ shell: 'browser', dataDir, labsDir, log: silentLogger });
    try {
      const opened = await app.handlers['lab.open']({ labId: LAB });
      expect(opened.canBuild).toBeUndefined();
      const outcome = await createRouter(app.handlers).dispatch('lab.build', {});
      expect(outcome).toMatchObject({
        error: { code: 'conflict', message: expect.stringMatching(/nothing to build/) },
      });
    } finally {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
