import { screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';

import CheckResults from '../../../../renderer/lib/ui/CheckResults.svelte';
import { setup } from '../../support/render-with.ts';

describe('CheckResults', () => {
  it('shows what each check observed with a written verdict', () => {
    setup().render(CheckResults, {
      checks: [
        { id: 'quorate', ok: true, message: 'Cluster "lab" is quorate' },
        { id: 'nodes', ok: false, message: '2 of 3 nodes online; expected 3' },
        { id: 'nfs', ok: false, message: 'Storage "shared" not found', error: 'GET /storage on pve1: 500' },
      ],
    });
    const quorate = screen.getByTestId('check-quorate');
    const nodes = screen.getByTestId('check-nodes');
    expect(quorate.textContent).toContain('✓ OK');
    expect(quorate.textContent).toContain('Cluster "lab" is quorate');
    expect(nodes.textContent).toContain('✗ Not yet');
    expect(nodes.textContent).toContain('2 of 3 nodes online; expected 3');
    expect(nodes.dataset.ok).toBe('false');
    expect(screen.getByTestId('check-nfs').textContent).toContain('GET /storage on pve1: 500');
  });

  it('says so when nothing was checked yet', () => {
    setup().render(CheckResults, { checks: [] });
    expect(screen.getByText('Not checked yet.')).toBeTruthy();
  });
});
