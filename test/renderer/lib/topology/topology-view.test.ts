import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import TopologyView from '../../../../renderer/lib/topology/TopologyView.svelte';
import ConfirmDialog from '../../../../renderer/lib/ui/ConfirmDialog.svelte';
import { afterFailover, healthyTopology } from '../../support/fixtures.ts';
import { setup } from '../../support/render-with.ts';

describe('TopologyView', () => {
  // With reduced motion the guest chips move at once (no cross-fade to wait for).
  beforeEach(() => {
    vi.stubGlobal('matchMedia', (query: string) => ({
      matches: query.includes('reduce'),
      media: query,
      addEventListener() {},
      removeEventListener() {},
    }));
    return () => vi.unstubAllGlobals();
  });

  it('draws the cluster from topology.getState and follows topology.state events', async () => {
    const ctx = setup({ 'topology.getState': () => healthyTopology });
    await ctx.model.topology.load();
    ctx.render(TopologyView);

    const badge = await screen.findByTestId('quorum-badge');
    expect(badge.textContent).toContain('Quorate — 3 of 3 votes, 2 needed');
    const pve1 = screen.getByTestId('node-card-pve1');
    expect(within(pve1).getByTestId('crm-master').textContent).toContain('CRM master');
    // Proxmox terms carry their explanation, reachable by keyboard and read as a description.
    const term = within(pve1).getByTestId('crm-master').querySelector('[tabindex="0"]')!;
    const tip = document.getElementById(term.getAttribute('aria-describedby')!);
    expect(tip?.getAttribute('role')).toBe('tooltip');
    expect(tip?.textContent).toBe('The Cluster Resource Manager master decides where HA resources run.');
    expect(within(pve1).getByTestId('guest-vm:100').textContent).toContain('vm:100 tiny: running');
    expect(screen.getByTestId('nas-export').textContent).toContain('NFS export answering');

    ctx.engine.emit('topology.state', afterFailover);
    await waitFor(() =>
      expect(screen.getByTestId('quorum-badge').textContent).toContain('Quorate — 2 of 3 votes, 2 needed'),
    );
    const dead = screen.getByTestId('node-card-pve1');
    expect(within(dead).getByTestId('power').textContent).toContain('Powered off');
    expect(within(dead).getByTestId('online').textContent).toContain('Offline');
    expect(within(dead).getByTestId('ha-state').textContent).toContain('HA: fence');
    expect(within(dead).queryByTestId('guest-vm:100')).toBeNull();
    expect(within(screen.getByTestId('node-card-pve2')).getByTestId('guest-vm:100')).toBeTruthy();
    expect(within(screen.getByTestId('node-card-pve2')).getByTestId('crm-master')).toBeTruthy();
    expect(screen.getByTestId('nas-export').textContent).toContain('NFS export not answering');
  });

  it('says there is no quorum when votes fall below the threshold', async () => {
    const ctx = setup({ 'topology.getState': () => healthyTopology });
    await ctx.model.topology.load();
    ctx.render(TopologyView);
    await screen.findByTestId('quorum-badge');
    ctx.engine.emit('topology.state', {
      ...healthyTopology,
      quorum: { quorate: false, votes: 1, expected: 3, needed: 2 },
    });
    await waitFor(() =>
      expect(screen.getByTestId('quorum-badge').textContent).toContain('No quorum — 1 of 3 votes, 2 needed'),
    );
  });

  it('confirms a power action saying what will happen, then asks the engine', async () => {
    const ctx = setup({ 'topology.getState': () => healthyTopology, 'machine.act': () => ({ at: 5 }) });
    await ctx.model.topology.load();
    ctx.render(ConfirmDialog);
    ctx.render(TopologyView);
    const pve1 = await screen.findByTestId('node-card-pve1');
    await fireEvent.click(within(pve1).getByRole('button', { name: 'Pull the plug' }));
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('pve1 loses power at once');
    expect(dialog.textContent).toContain(
      'vm:100 will be fenced and restarted on another node in about 2 minutes',
    );
    await fireEvent.click(screen.getByTestId('confirm-yes'));
    await waitFor(() =>
      expect(ctx.engine.callsOf('machine.act')).toEqual([{ machine: 'pve1', action: 'power-off' }]),
    );
  });

  it('offers power on for a machine that is off', async () => {
    const ctx = setup({ 'topology.getState': () => afterFailover });
    await ctx.model.topology.load();
    ctx.render(TopologyView);
    const pve1 = await screen.findByTestId('node-card-pve1');
    const actions = [...pve1.querySelectorAll('button[data-action]')];
    expect(actions.map((b) => b.getAttribute('data-action'))).toEqual(['power-on']);
    expect(actions[0]?.textContent).toContain('Power on');
  });
});
