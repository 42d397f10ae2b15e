/**
 * The Datacenter view against a fake engine answering `pve.call` as a standalone Proxmox node:
 * the tree shows what the node reports, Create Cluster sends the view's own POST, and a refusal
 * from Proxmox shows in Proxmox's words.
 */
import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';

import type { ParamsOf } from '@contract/api.ts';

import DatacenterView from '../../../../renderer/lib/datacenter/DatacenterView.svelte';
import { ApiCallError } from '../../../../renderer/lib/api/transport.ts';
import { setup } from '../../support/render-with.ts';

const info = {
  backend: 'sim' as const,
  pveMajor: 9,
  nodes: [{ name: 'pve1', address: '192.168.56.11', webUrl: null }],
  credentials: { username: 'root', password: 'nestlab-root' },
  vars: { clusterName: 'lab' },
};

function standaloneNode(refuseCreate = false) {
  return (p: ParamsOf<'pve.call'>): unknown => {
    if (p.method === 'GET' && p.path === '/cluster/resources')
      return [
        { id: 'node/pve1', type: 'node', node: 'pve1', status: 'online' },
        {
          id: 'storage/pve1/local',
          type: 'storage',
          node: 'pve1',
          storage: 'local',
          status: 'available',
          content: 'iso',
        },
      ];
    if (p.path === '/cluster/status')
      return [{ type: 'node', name: 'pve1', online: 1, ip: '192.168.56.11', local: 1 }];
    if (p.path === '/cluster/tasks') return [];
    if (p.method === 'POST' && p.path === '/cluster/config') {
      if (refuseCreate)
        throw new ApiCallError('proxmox', "cluster config '/etc/pve/corosync.conf' already exists");
      return 'UPID:pve1:00001234:00005678:6700AA00:clustercreate:lab:root@pam:';
    }
    if (p.path.includes('/tasks/'))
      return p.path.endsWith('/log') ? [{ n: 1, t: 'TASK OK' }] : { status: 'stopped', exitstatus: 'OK' };
    throw new ApiCallError('not-found', `unexpected ${p.method} ${p.path}`);
  };
}

describe('DatacenterView', () => {
  it('shows the node’s tree and the lab login, and Create Cluster sends POST /cluster/config on that node', async () => {
    const { engine, render } = setup({ 'pve.info': () => info, 'pve.call': standaloneNode() });
    render(DatacenterView);
    await screen.findByTestId('tree-node-pve1');
    expect(screen.getByTestId('tree-storage-pve1-local').textContent).toContain('local (pve1)');
    expect(screen.getByTestId('dc-root-password').textContent).toBe('nestlab-root');

    await fireEvent.click(screen.getByRole('tab', { name: 'Cluster' }));
    await fireEvent.click(await screen.findByTestId('cluster-create'));
    const name = screen.getByTestId('cluster-name') as HTMLInputElement;
    expect(name.value).toBe('lab');
    await fireEvent.click(screen.getByTestId('cluster-create-submit'));
    await waitFor(() =>
      expect(engine.callsOf('pve.call')).toContainEqual({
        method: 'POST',
        path: '/cluster/config',
        params: { clustername: 'lab', link0: '192.168.56.11' },
        node: 'pve1',
      }),
    );
    // The task viewer opens on the task the action started.
    await waitFor(() => expect(screen.getByTestId('task-viewer-log').textContent).toContain('TASK OK'));
  });

  it('shows Proxmox’s refusal in its own words and keeps the dialog open', async () => {
    const { render } = setup({ 'pve.info': () => info, 'pve.call': standaloneNode(true) });
    render(DatacenterView);
    await screen.findByTestId('tree-node-pve1');
    await fireEvent.click(screen.getByRole('tab', { name: 'Cluster' }));
    await fireEvent.click(await screen.findByTestId('cluster-create'));
    await fireEvent.click(screen.getByTestId('cluster-create-submit'));
    const alert = await screen.findByRole('alert');
    expect(alert.querySelector('.text')?.textContent).toBe(
      "cluster config '/etc/pve/corosync.conf' already exists",
    );
    // …with NestLab's hint under it, not in place of it.
    expect(screen.getByTestId('dc-error-hint').textContent).toMatch(/^NestLab: it is there already/);
    expect(screen.getByTestId('dialog-create-cluster')).toBeTruthy();
  });
});
