import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';

import ConfirmDialog from '../../../../renderer/lib/ui/ConfirmDialog.svelte';
import { setup } from '../../support/render-with.ts';

const request = {
  title: 'Pull the plug — pve1',
  message: 'pve1 loses power at once.',
  confirmLabel: 'Yes, do it',
  cancelLabel: 'Cancel',
};

describe('ConfirmDialog', () => {
  it('opens with focus on Cancel, keeps Tab inside, and Escape answers no', async () => {
    const ctx = setup();
    ctx.render(ConfirmDialog);
    const answer = ctx.confirm.ask(request);
    const dialog = await screen.findByRole('alertdialog', { name: 'Pull the plug — pve1' });
    const cancel = screen.getByRole('button', { name: 'Cancel' });
    const yes = screen.getByRole('button', { name: 'Yes, do it' });
    await waitFor(() => expect(document.activeElement).toBe(cancel));
    yes.focus();
    await fireEvent.keyDown(dialog, { key: 'Tab' });
    expect(document.activeElement).toBe(cancel);
    await fireEvent.keyDown(dialog, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(yes);
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(await answer).toBe(false);
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('answers yes from the confirm button', async () => {
    const ctx = setup();
    ctx.render(ConfirmDialog);
    const answer = ctx.confirm.ask(request);
    await fireEvent.click(await screen.findByRole('button', { name: 'Yes, do it' }));
    expect(await answer).toBe(true);
  });
});

describe('ConfirmDialog colours', () => {
  it('is red only for destructive actions ("Power on" is not)', async () => {
    const ctx = setup();
    ctx.render(ConfirmDialog);
    void ctx.confirm.ask({ ...request, destructive: true });
    expect((await screen.findByTestId('confirm-yes')).className).toContain('danger');
    ctx.confirm.answer(false);
    void ctx.confirm.ask({ ...request, title: 'Power on — pve2' });
    await screen.findByRole('alertdialog', { name: 'Power on — pve2' });
    const yes = screen.getByTestId('confirm-yes');
    expect(yes.className).not.toContain('danger');
    expect(yes.className).toContain('primary');
  });
});
