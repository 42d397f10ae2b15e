import { fireEvent, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';

import StepList from '../../../../renderer/lib/ui/StepList.svelte';
import { step } from '../../support/fixtures.ts';
import { setup } from '../../support/render-with.ts';

describe('StepList', () => {
  const steps = [
    step('a', { title: 'Create the cluster', status: 'passed', solvedBy: 'learner' }),
    step('b', { title: 'Join the nodes', status: 'passed', solvedBy: 'nestlab' }),
    step('c', { title: 'Add NFS', status: 'failed' }),
    step('d', { title: 'Make it HA', status: 'locked' }),
  ];

  it('writes every state out, and marks a step solved by NestLab differently from one the learner passed', () => {
    setup().render(StepList, { steps, viewedStepId: 'c', onselect: () => {} });
    const a = screen.getByTestId('step-a');
    const b = screen.getByTestId('step-b');
    expect(within(a).getByText('Passed')).toBeTruthy();
    expect(within(b).getByText('Solved by NestLab')).toBeTruthy();
    expect(within(b).queryByText('Passed')).toBeNull();
    expect(a.dataset.solvedBy).toBe('learner');
    expect(b.dataset.solvedBy).toBe('nestlab');
    expect(b.classList.contains('by-nestlab')).toBe(true);
    expect(a.classList.contains('by-nestlab')).toBe(false);
    expect(within(screen.getByTestId('step-c')).getByText('Not yet')).toBeTruthy();
    expect(within(screen.getByTestId('step-d')).getByText('Locked')).toBeTruthy();
  });

  it('marks the viewed step as current and reports clicks', async () => {
    const onselect = vi.fn();
    setup().render(StepList, { steps, viewedStepId: 'c', onselect });
    const current = screen.getByRole('button', { current: 'step' });
    expect(current.textContent).toContain('Add NFS');
    await fireEvent.click(within(screen.getByTestId('step-d')).getByRole('button'));
    expect(onselect).toHaveBeenCalledWith('d');
  });

  it('follows the interface language', () => {
    const { i18n, render } = setup();
    i18n.setLang('es');
    render(StepList, { steps, viewedStepId: null, onselect: () => {} });
    expect(within(screen.getByTestId('step-b')).getByText('Resuelto por NestLab')).toBeTruthy();
    expect(within(screen.getByTestId('step-d')).getByText('Bloqueado')).toBeTruthy();
  });
});
