import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';

import type { Language } from '@contract/dto.ts';

import App from '../../../../renderer/App.svelte';
import { FakeEngine } from '../../support/fake-client.ts';
import { appInfo, labRun, library, settings, step } from '../../support/fixtures.ts';

const instructions: Record<string, string> = {
  en: 'Create the cluster with pvecm.',
  es: 'Crea el clúster con pvecm.',
};

function engine(withLab: boolean) {
  let lang: Language = 'en';
  const runIn = (l: Language) =>
    labRun({
      lang: l,
      steps: [
        step('create-cluster', {
          status: 'active',
          title: l === 'es' ? 'Crear el clúster' : 'Create the cluster',
          instructions: instructions[l] ?? '',
        }),
      ],
    });
  return new FakeEngine({
    'app.info': () => appInfo,
    'settings.get': () => ({ ...settings, lang }),
    'settings.set': (patch) => {
      lang = patch.lang ?? lang;
      return { ...settings, lang };
    },
    'lab.list': () => library,
    'lab.getState': () => (withLab ? runIn(lang) : null),
    'lab.setLanguage': ({ lang: l }) => (withLab ? runIn(l) : null),
    'topology.getState': () => null,
    'sim.getClock': () => null,
    'drill.getState': () => ({ running: false, phase: null, elapsedMs: 0, milestones: [], report: null }),
    'drill.history': () => [],
    'trust.pending': () => [],
  });
}

describe('language switch', () => {
  afterEach(() => {
    cleanup();
    localStorage.clear();
    history.replaceState(null, '', '/');
  });

  it('translates the interface, saves the choice and asks for the library in that language', async () => {
    const fake = engine(false);
    render(App, { props: { client: fake.client } });
    await screen.findByRole('heading', { name: 'Lab library' });
    await fireEvent.change(screen.getByTestId('language-picker'), { target: { value: 'es' } });
    await screen.findByRole('heading', { name: 'Biblioteca de laboratorios' });
    expect(fake.callsOf('settings.set')).toEqual([{ lang: 'es' }]);
    await waitFor(() => expect(fake.callsOf('lab.list')).toContainEqual({ lang: 'es' }));
    expect(document.documentElement.lang).toBe('es');
    expect(screen.getByRole('button', { name: 'Abrir laboratorio' })).toBeTruthy();
  });

  it('switches the open lab’s content too (lab.setLanguage)', { timeout: 30_000 }, async () => {
    const fake = engine(true);
    render(App, { props: { client: fake.client } });
    // A reload with a lab open lands in the lab (its view loads lazily: allow for the first transform).
    await screen.findByText('Create the cluster with pvecm.', {}, { timeout: 20_000 });
    await fireEvent.change(screen.getByTestId('language-picker'), { target: { value: 'es' } });
    // The interface switches only once the lab's content has: Spanish buttons never sit over
    // English instructions (and whoever sees them can rely on the engine being in Spanish).
    await screen.findByRole('button', { name: 'Resolver este paso' });
    expect(screen.getByText('Crea el clúster con pvecm.')).toBeTruthy();
    expect(fake.callsOf('lab.setLanguage')).toEqual([{ lang: 'es' }]);
    expect(fake.callsOf('settings.set')).toEqual([{ lang: 'es' }]);
  });

  it('paints in the last language before the settings answer', async () => {
    localStorage.setItem('nestlab.lang', 'ca');
    const fake = engine(false);
    let answer: (value: typeof settings) => void = () => {};
    fake.handlers['settings.get'] = () => new Promise((resolve) => (answer = resolve));
    render(App, { props: { client: fake.client } });
    await screen.findByRole('heading', { name: 'Biblioteca de laboratoris' });
    answer({ ...settings, lang: 'pl' });
    await screen.findByRole('heading', { name: 'Biblioteka laboratoriów' });
    expect(localStorage.getItem('nestlab.lang')).toBe('pl');
  });

  it('starts in the saved language', async () => {
    const fake = engine(false);
    fake.handlers['settings.get'] = () => ({ ...settings, lang: 'fr' });
    render(App, { props: { client: fake.client } });
    await screen.findByRole('heading', { name: 'Bibliothèque de labos' });
  });
});
