/** A solve shows in the node's terminal as the commands a learner would have typed, dimmed and marked. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { createApp, type App } from '../../../electron/app/create-app.ts';
import { silentLogger } from '../../../electron/app/deps.ts';
import { echoText, solveEchoes } from '../../../electron/app/solve-echo.ts';
import { loadLabFile } from '../../../electron/lab/script/load.ts';

const labsDir = fileURLToPath(new URL('../../../labs', import.meta.url));

describe('solve echo', () => {
  let app: App | undefined;
  let dataDir: string | undefined;
  afterEach(async () => {
    await app?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('uses the step’s shell path, or its API calls as pvesh commands', async () => {
    const loaded = await loadLabFile(join(labsDir, 'proxmox-ha-basics', 'lab.yaml'));
    if (!loaded.ok) throw new Error('lab did not load');
    const step = (id: string) => loaded.lab.steps.find((s) => s.id === id)!;
    expect(solveEchoes(step('join-nodes'), 'pve1')).toEqual([
      { node: 'pve2', commands: ['pvecm add 192.168.56.11'] },
      { node: 'pve3', commands: ['pvecm add 192.168.56.11'] },
    ]);
    expect(solveEchoes(step('upload-iso'), 'pve1')).toEqual([
      {
        node: 'pve1',
        commands: [
          "pvesh create /nodes/pve1/storage/nfs-lab/download-url --url '{{ vars.isoUrl }}' --content iso --filename '{{ vars.isoFile }}'",
        ],
      },
    ]);
    expect(echoText('T', ['a'])).toBe(
      '\r\n\x1b[2m# NestLab solved "T" — the same as typing:\r\n#   a\x1b[0m\r\n',
    );
  });

  it('writes the commands into the node’s terminal after "Solve this step"', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'nestlab-echo-'));
    app = await createApp({ shell: 'browser', dataDir, labsDir, log: silentLogger });
    await app.handlers['lab.open']({ labId: 'proxmox-ha-basics' });
    await app.handlers['sim.setSpeed']({ speed: 'max' });
    const state = await app.handlers['lab.solveStep']({ stepId: 'create-cluster' });
    expect(state.steps[0]?.solvedBy).toBe('nestlab');
    const terminal = await app.handlers['terminal.open']({ node: 'pve1' });
    expect(terminal.scrollback).toContain(
      '\x1b[2m# NestLab solved "Create the cluster on pve1" — the same as typing:\r\n#   pvecm create lab\x1b[0m',
    );
  });
});
