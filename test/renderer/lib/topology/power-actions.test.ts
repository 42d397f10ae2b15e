import { describe, expect, it } from 'vitest';

import { I18n } from '../../../../renderer/lib/i18n/i18n.svelte.ts';
import {
  actionsFor,
  confirmMessage,
  haGuestsAtRisk,
} from '../../../../renderer/lib/topology/power-actions.ts';
import { healthyTopology } from '../../support/fixtures.ts';

describe('power actions', () => {
  const pve1 = healthyTopology.nodes[0]!;

  it('offers the actions that make sense for the power state', () => {
    expect(actionsFor('on', true)).toEqual(['power-off', 'acpi-shutdown', 'cable-out']);
    expect(actionsFor('on', false)).toEqual(['power-off', 'acpi-shutdown', 'cable-in']);
    expect(actionsFor('off', true)).toEqual(['power-on']);
  });

  it('warns about HA guests only for a hard loss', () => {
    expect(haGuestsAtRisk(pve1, 'power-off')).toEqual(['vm:100']);
    expect(haGuestsAtRisk(pve1, 'cable-out')).toEqual(['vm:100']);
    expect(haGuestsAtRisk(pve1, 'acpi-shutdown')).toEqual([]);
    const t = new I18n('en').t;
    expect(confirmMessage(t, pve1, 'acpi-shutdown')).toBe(
      'pve1 shuts down cleanly; HA resources are stopped or moved first.',
    );
  });
});
