import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';

import HostCheck from '../../../renderer/views/HostCheck.svelte';
import LabLibrary from '../../../renderer/views/LabLibrary.svelte';
import { labRun, library, settings } from '../support/fixtures.ts';
import { setup } from '../support/render-with.ts';

describe('LabLibrary', () => {
  it('shows a card per lab with level, time, languages and the host RAM of each profile', async () => {
    const ctx = setup({ 'lab.list': () => library });
    await ctx.model.refresh();
    ctx.render(LabLibrary);
    const card = screen.getByTestId('lab-card-proxmox-ha-basics');
    expect(within(card).getByRole('heading', { name: 'Proxmox HA basics' })).toBeTruthy();
    expect(card.textContent).toContain('About 45 min · 3 steps');
    expect(card.textContent).toContain('EN · ES');
    expect(card.textContent).toContain('Simulator: 512 MiB');
    expect(card.textContent).toContain('VirtualBox: 7 GiB');
    expect(screen.getByTestId('backend-in-use').textContent).toBe('Backend in use: Simulator');
  });

  it('opens a lab with the profile of the backend in use, then shows the lab', async () => {
    const ctx = setup({
      'lab.list': () => library,
      'lab.open': () => labRun(),
      'drill.getState': () => ({ running: false, phase: null, elapsedMs: 0, milestones: [], report: null }),
      'drill.history': () => [],
    });
    await ctx.model.refresh();
    ctx.render(LabLibrary);
    await fireEvent.click(screen.getByRole('button', { name: 'Open lab' }));
    await waitFor(() => expect(ctx.model.shell.view).toBe('run'));
    expect(ctx.engine.callsOf('lab.open')).toEqual([
      { labId: 'proxmox-ha-basics', lang: 'en', profile: 'sim' },
    ]);
  });

  it('saves a backend switch and says it applies at the next start', async () => {
    const ctx = setup({ 'lab.list': () => library, 'settings.set': (patch) => ({ ...settings, ...patch }) });
    await ctx.model.refresh();
    ctx.render(LabLibrary);
    await fireEvent.change(screen.getByRole('combobox', { name: 'Switch backend' }), {
      target: { value: 'virtualbox' },
    });
    await screen.findByText('Saved. VirtualBox will be used the next time NestLab starts.');
    expect(ctx.engine.callsOf('settings.set')).toEqual([{ backend: 'virtualbox' }]);
  });
});

describe('HostCheck', () => {
  it('lists each finding with its severity written out and its fix', async () => {
    const ctx = setup({
      'host.check': () => ({
        backend: 'virtualbox',
        ok: false,
        findings: [
          {
            id: 'vt-x',
            severity: 'error',
            title: 'Nested VT-x is off',
            detail: 'VirtualBox cannot nest.',
            fix: 'Turn on VT-x in the firmware.',
          },
          {
            id: 'ram',
            severity: 'warning',
            title: '8 GB of RAM',
            detail: 'Tight for three nodes.',
            fix: null,
          },
        ],
      }),
    });
    ctx.render(HostCheck);
    const verdict = await screen.findByTestId('host-verdict');
    expect(verdict.textContent).toContain('This computer is not ready for the VirtualBox backend yet.');
    expect(screen.getByRole('heading', { name: /Error: Nested VT-x is off/ })).toBeTruthy();
    expect(screen.getByText('Turn on VT-x in the firmware.')).toBeTruthy();
    expect(screen.getByRole('heading', { name: /Warning: 8 GB of RAM/ })).toBeTruthy();
  });
});

describe('LabLibrary after the walk-through', () => {
  it('checks VirtualBox when the learner switches to it and says what it found', async () => {
    const ctx = setup({
      'lab.list': () => library,
      'settings.set': (patch) => ({ ...settings, ...patch }),
      'host.check': () => ({
        backend: 'virtualbox',
        ok: false,
        findings: [
          {
            id: 'vbox-missing',
            severity: 'error',
            title: 'VirtualBox is not installed',
            detail: 'none found',
            fix: 'Install VirtualBox 7.0 or newer',
          },
        ],
      }),
    });
    await ctx.model.refresh();
    ctx.render(LabLibrary);
    await fireEvent.change(screen.getByRole('combobox', { name: 'Switch backend' }), {
      target: { value: 'virtualbox' },
    });
    const found = await screen.findByTestId('backend-check');
    expect(found.textContent).toContain('VirtualBox is not installed — Install VirtualBox 7.0 or newer');
    expect(ctx.engine.callsOf('host.check')).toEqual([{ backend: 'virtualbox' }]);
  });

  it('asks before another lab replaces the one in progress; "Start here" marks the first lab', async () => {
    const ctx = setup({
      'lab.list': () => ({ ...library, labs: library.labs.map((l) => ({ ...l, course: { order: 1 } })) }),
      'lab.getState': () => ({ ...labRun(), labId: 'other-lab', title: 'Other lab' }),
      'lab.open': () => labRun(),
      'drill.getState': () => ({ running: false, phase: null, elapsedMs: 0, milestones: [], report: null }),
      'drill.history': () => [],
    });
    await ctx.model.refresh();
    await ctx.model.labRun.load();
    ctx.render(LabLibrary);
    expect(screen.getByTestId('start-here')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Open lab' }));
    await waitFor(() => expect(ctx.confirm.request?.message).toContain('“Other lab” is open'));
    expect(ctx.confirm.request?.destructive).toBeFalsy();
    ctx.confirm.answer(false);
    await new Promise((r) => setTimeout(r, 0));
    expect(ctx.engine.callsOf('lab.open')).toEqual([]);
  });
});

describe('HostCheck in another language', () => {
  it('shows the engine’s localised finding in the current language and follows a switch', async () => {
    const all = (en: string, es: string) => ({ en, es, ca: en, fr: en, pl: en });
    const ctx = setup({
      'host.check': () => ({
        backend: 'sim',
        ok: true,
        findings: [
          {
            id: 'simulator',
            severity: 'ok',
            title: 'Embedded simulator',
            detail: 'Needs nothing.',
            fix: null,
            localized: {
              title: all('Embedded simulator', 'Simulador integrado'),
              detail: all('Needs nothing.', 'No necesita nada.'),
              fix: null,
            },
          },
        ],
      }),
    });
    ctx.render(HostCheck);
    await screen.findByText(/Embedded simulator/);
    ctx.i18n.setLang('es');
    await screen.findByText(/Simulador integrado/);
    expect(screen.getByText('No necesita nada.')).toBeTruthy();
  });
});
