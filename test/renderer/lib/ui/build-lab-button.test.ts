import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';

import { LANGUAGES } from '../../../../electron/contract/dto.ts';
import { I18n } from '../../../../renderer/lib/i18n/i18n.svelte.ts';
import BuildLabButton from '../../../../renderer/lib/ui/BuildLabButton.svelte';
import LabRun from '../../../../renderer/views/LabRun.svelte';
import { labRun } from '../../support/fixtures.ts';
import { setup } from '../../support/render-with.ts';

describe('BuildLabButton (issue #11)', () => {
  it('is not shown when the lab state does not say the backend can build (the simulator)', async () => {
    const ctx = setup({ 'lab.getState': () => labRun() });
    await ctx.model.refresh();
    ctx.render(LabRun);
    expect(screen.getByTestId('lab-title')).toBeTruthy();
    expect(screen.queryByTestId('build-lab')).toBeNull();
  });

  it('asks the engine to build, is disabled while it works, and takes the state afterwards', async () => {
    const virtualbox = labRun({ backend: 'virtualbox', profile: 'virtualbox-light', canBuild: true });
    let finish!: () => void;
    const ctx = setup({
      'lab.getState': () => virtualbox,
      'lab.build': () =>
        new Promise(
          (resolve) => (finish = () => resolve({ installed: ['pve1', 'pve2', 'pve3', 'nas'], skipped: [] })),
        ),
    });
    await ctx.model.refresh();
    ctx.render(LabRun);
    const button = screen.getByRole('button', { name: 'Build the lab' });
    expect(button.getAttribute('title')).toContain('VirtualBox');
    await fireEvent.click(button);
    await waitFor(() => expect((screen.getByTestId('build-lab') as HTMLButtonElement).disabled).toBe(true));
    expect(screen.getByText('Working: building the lab')).toBeTruthy();
    finish();
    await waitFor(() => expect((screen.getByTestId('build-lab') as HTMLButtonElement).disabled).toBe(false));
    expect(ctx.engine.callsOf('lab.build')).toHaveLength(1);
    // The state after the build is fetched again (the steps were checked against the new nodes).
    expect(ctx.engine.callsOf('lab.getState').length).toBeGreaterThanOrEqual(2);
  });

  it('shows the engine error when the build fails', async () => {
    const ctx = setup({
      'lab.getState': () => labRun({ canBuild: true }),
      'lab.build': () => Promise.reject(new Error('VirtualBox stopped answering')),
    });
    await ctx.model.refresh();
    ctx.render(LabRun);
    await fireEvent.click(screen.getByRole('button', { name: 'Build the lab' }));
    await waitFor(() =>
      expect(screen.getByTestId('run-error').textContent).toContain('VirtualBox stopped answering'),
    );
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('is translated in %s', (lang) => {
    const english = new I18n('en');
    const translated = new I18n(lang);
    for (const key of ['run.build', 'run.buildHint', 'busy.lab.build'] as const)
      expect(translated.t(key), `${lang} ${key}`).not.toBe(english.t(key));
  });

  it('renders on its own without a lab open', () => {
    setup().render(BuildLabButton);
    expect(screen.queryByTestId('build-lab')).toBeNull();
  });
});
