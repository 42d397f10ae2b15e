// @vitest-environment jsdom
// (DOMPurify needs a faithful DOM to strip handlers.)
import { screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';

import Hints from '../../../../renderer/lib/ui/Hints.svelte';
import { setup } from '../../support/render-with.ts';

describe('Hints', () => {
  it('renders Markdown like the instructions (code, emphasis), sanitised', () => {
    const ctx = setup();
    ctx.render(Hints, {
      shown: ['Run `pvecm status` on **pve1**. <img src=x onerror=alert(1)>'],
      total: 2,
      onshow: () => undefined,
    });
    const hint = screen.getByTestId('hint');
    expect(hint.querySelector('code')?.textContent).toBe('pvecm status');
    expect(hint.querySelector('strong')?.textContent).toBe('pve1');
    expect(hint.textContent).not.toContain('`');
    expect(hint.querySelector('img')?.getAttribute('onerror')).toBeFalsy();
  });
});
