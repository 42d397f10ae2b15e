import { fireEvent, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';

import Settings from '../../../renderer/views/Settings.svelte';
import { settings } from '../support/fixtures.ts';
import { setup } from '../support/render-with.ts';

describe('Settings: data folder', () => {
  it('shows the folder in use and saves another one for the next start', async () => {
    const { engine, model, render } = setup({
      'settings.set': (patch) => ({ ...settings, nextDataDir: patch.dataDir ?? null }),
    });
    await model.shell.load();
    render(Settings);
    expect(screen.getByTestId('data-dir').textContent).toBe('/tmp/nestlab');
    const input = screen.getByTestId('data-dir-input') as HTMLInputElement;
    expect(input.value).toBe('/tmp/nestlab');
    await fireEvent.input(input, { target: { value: '/home/ana/nestlab' } });
    await fireEvent.click(screen.getByTestId('data-dir-save'));
    await new Promise((r) => setTimeout(r, 0));
    expect(engine.callsOf('settings.set')).toEqual([{ dataDir: '/home/ana/nestlab' }]);
    expect(screen.getByRole('status').textContent).toContain('/home/ana/nestlab');
  });
});
