import { httpPveClients } from '../../../electron/pve/http-client.ts';
import { afterEach, describe, expect, it } from 'vitest';

import { PveError } from '../../../electron/pve/api.ts';
import { startSimDatacenter, type SimDatacenter } from '../../../electron/sim/datacenter.ts';

let dc: SimDatacenter | undefined;
afterEach(async () => {
  await dc?.close();
  dc = undefined;
});

describe('a cluster created on the wrong node', () => {
  it('explains where the cluster is and the way out, and joining pve1 to it works', async () => {
    dc = await startSimDatacenter({
      nodes: [
        { name: 'pve1', ip: '192.168.56.11' },
        { name: 'pve2', ip: '192.168.56.12' },
      ],
      clockMode: { kind: 'fast' },
      pveClients: httpPveClients,
      rootPassword: 'Secret123',
    });
    const api = dc.createClient();
    const upid = await api.request<string>({
      method: 'POST',
      path: '/cluster/config',
      node: 'pve2',
      params: { clustername: 'lab' },
    });
    expect((await api.waitForTask(upid)).ok).toBe(true);
    const error = await api
      .request({ method: 'POST', path: '/cluster/config', node: 'pve1', params: { clustername: 'lab' } })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(PveError);
    const message = (error as PveError).message;
    expect(message).toContain('created on pve2 (192.168.56.12)');
    expect(message).toContain('pvecm add 192.168.56.12');
    expect(message).toContain("'Reset lab'");
    // The way out it names does work: pve1 joins the cluster that lives on pve2.
    const shell = dc.openShell('pve1');
    const joined = await shell.run('pvecm add 192.168.56.12', ['Secret123', 'yes']);
    expect(joined.exitCode, joined.output).toBe(0);
  });
});
