import { fireEvent, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';

import type { TrustRequestInfo } from '@contract/dto.ts';

import TrustDialog from '../../../../renderer/lib/ui/TrustDialog.svelte';
import { setup } from '../../support/render-with.ts';

const FP = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
const first: TrustRequestInfo = {
  id: 't1',
  lab: 'proxmox-ha-basics',
  node: 'pve1',
  kind: 'tls',
  fingerprint: FP,
  previous: null,
};

describe('TrustDialog', () => {
  it('shows the node and fingerprint and sends the learner’s answer', async () => {
    const { engine, render } = setup({ 'trust.answer': () => null });
    render(TrustDialog);
    expect(screen.queryByTestId('trust-dialog')).toBeNull();
    engine.emit('trust.requests', [first]);
    flushSync();
    expect(screen.getByRole('alertdialog').textContent).toContain("Trust pve1's certificate?");
    expect(screen.getByTestId('trust-fingerprint').textContent).toBe(FP);
    await fireEvent.click(screen.getByTestId('trust-accept'));
    expect(engine.callsOf('trust.answer')).toEqual([{ id: 't1', accept: true }]);
    expect(screen.queryByTestId('trust-dialog')).toBeNull();
  });

  it('warns when a node’s fingerprint changed, and Escape refuses', async () => {
    const { engine, render } = setup({ 'trust.answer': () => null });
    render(TrustDialog);
    engine.emit('trust.requests', [{ ...first, id: 't2', kind: 'ssh', previous: '11:22' }]);
    flushSync();
    const dialog = screen.getByRole('alertdialog');
    expect(dialog.textContent).toContain('SSH host key');
    expect(dialog.textContent).toContain('different fingerprint');
    expect(dialog.textContent).toContain('11:22');
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(engine.callsOf('trust.answer')).toEqual([{ id: 't2', accept: false }]);
  });
});
