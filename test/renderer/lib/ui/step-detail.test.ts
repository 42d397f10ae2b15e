import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';

import StepDetail from '../../../../renderer/lib/ui/StepDetail.svelte';
import ConfirmDialog from '../../../../renderer/lib/ui/ConfirmDialog.svelte';
import { labRun, step } from '../../support/fixtures.ts';
import { setup } from '../../support/render-with.ts';

describe('StepDetail', () => {
  // DOMPurify cannot sanitise under happy-dom (its parser drops and keeps the wrong nodes), so
  // only the Markdown rendering is asserted here; sanitising is DOMPurify's own, tested upstream.
  it('renders the instructions as Markdown', () => {
    const s = step('a', { status: 'active', instructions: 'Run `pvecm create lab` on **pve1**' });
    const { container } = setup().render(StepDetail, { step: s, ondrill: () => {} });
    const markdown = container.querySelector('.markdown')!;
    expect(markdown.querySelector('code')?.textContent).toBe('pvecm create lab');
    expect(markdown.querySelector('strong')?.textContent).toBe('pve1');
  });

  it('reveals hints one at a time through the engine', async () => {
    const s = step('a', { status: 'active', hintsTotal: 2 });
    const ctx = setup({ 'lab.showHint': () => labRun({ steps: [{ ...s, hintsShown: ['Use pvecm.'] }] }) });
    ctx.render(StepDetail, { step: s, ondrill: () => {} });
    await fireEvent.click(screen.getByRole('button', { name: 'Show a hint (0 of 2)' }));
    expect(ctx.engine.callsOf('lab.showHint')).toEqual([{ stepId: 'a' }]);
  });

  it('asks before solving, and solves only on yes', async () => {
    const s = step('a', { status: 'active' });
    const ctx = setup({ 'lab.solveStep': () => labRun() });
    ctx.render(ConfirmDialog);
    ctx.render(StepDetail, { step: s, ondrill: () => {} });
    await fireEvent.click(screen.getByRole('button', { name: 'Solve this step' }));
    expect(screen.getByRole('alertdialog').textContent).toContain('Solved by NestLab');
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(ctx.engine.callsOf('lab.solveStep')).toEqual([]);
    await fireEvent.click(screen.getByRole('button', { name: 'Solve this step' }));
    await fireEvent.click(screen.getByTestId('confirm-yes'));
    await waitFor(() => expect(ctx.engine.callsOf('lab.solveStep')).toEqual([{ stepId: 'a' }]));
  });
});
