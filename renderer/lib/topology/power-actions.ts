/** Which power actions a machine card offers, and what the confirm says will happen. */
import type { MachineAction, TopologyNodeInfo } from '@contract/dto.ts';

import type { MessageKey } from '../i18n/messages/en.ts';

export function actionsFor(power: TopologyNodeInfo['power'], cable: boolean): MachineAction[] {
  if (power === 'off') return ['power-on'];
  if (power === 'on') return ['power-off', 'acpi-shutdown', cable ? 'cable-out' : 'cable-in'];
  return ['power-off'];
}

/** HA guests that a hard loss of this node would fence and restart elsewhere. */
export function haGuestsAtRisk(node: TopologyNodeInfo, action: MachineAction): string[] {
  if (action !== 'power-off' && action !== 'cable-out') return [];
  return node.guests
    .filter((g) => g.haState !== null && g.haState !== 'disabled' && g.haState !== 'ignored')
    .map((g) => g.sid);
}

export function confirmMessage(
  t: (key: MessageKey, params?: Record<string, string | number>) => string,
  node: TopologyNodeInfo,
  action: MachineAction,
): string {
  const first = t(`confirm.${action}`, { node: node.name });
  const guests = haGuestsAtRisk(node, action);
  return guests.length === 0 ? first : `${first} ${t('confirm.haGuests', { guests: guests.join(', ') })}`;
}
