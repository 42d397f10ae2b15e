/** Renders a component with the app's contexts (translator, model, confirm) around a fake engine. */
import { cleanup, render } from '@testing-library/svelte';
import type { Component } from 'svelte';
import { afterEach } from 'vitest';

import { CONFIRM_KEY, I18N_KEY, MODEL_KEY } from '../../../renderer/lib/context.ts';
import { I18n } from '../../../renderer/lib/i18n/i18n.svelte.ts';
import { AppModel } from '../../../renderer/lib/state/app-model.ts';
import { ConfirmState } from '../../../renderer/lib/state/confirm.svelte.ts';
import { FakeEngine, type FakeHandlers } from './fake-client.ts';
import { appInfo, settings } from './fixtures.ts';

// Vitest globals are off, so testing-library cannot register its own cleanup.
afterEach(() => cleanup());

export function setup(handlers: FakeHandlers = {}) {
  const engine = new FakeEngine({
    'app.info': () => appInfo,
    'settings.get': () => settings,
    'settings.set': (patch) => ({ ...settings, ...patch }),
    'lab.getState': () => null,
    'topology.getState': () => null,
    'sim.getClock': () => null,
    'lab.list': () => ({ labs: [], problems: [] }),
    'trust.pending': () => [],
    ...handlers,
  });
  const i18n = new I18n('en');
  const model = new AppModel(engine.client, i18n);
  const confirm = new ConfirmState();
  const context = new Map<symbol, unknown>([
    [I18N_KEY, i18n],
    [MODEL_KEY, model],
    [CONFIRM_KEY, confirm],
  ]);
  return {
    engine,
    i18n,
    model,
    confirm,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    render: <P extends Record<string, any>>(component: Component<P>, props?: P) =>
      render(component, { props: props ?? ({} as P), context } as Parameters<typeof render<Component<P>>>[1]),
  };
}
