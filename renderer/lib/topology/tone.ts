/**
 * Proxmox's colour habits as tones: green running/online, amber transitional, red error/offline,
 * grey powered off. A tone only ever adds colour to a state that is also written out.
 */
import type { NodePower } from '@contract/dto.ts';

export type Tone = 'ok' | 'warn' | 'bad' | 'off' | 'neutral';

export function powerTone(power: NodePower): Tone {
  if (power === 'on') return 'ok';
  if (power === 'off') return 'off';
  if (power === 'unknown') return 'bad';
  return 'warn';
}

const WARN_STATES = new Set([
  'unknown',
  'fence',
  'recovery',
  'migrate',
  'relocate',
  'starting',
  'stopping',
  'request_stop',
  'freeze',
  'maintenance',
]);
const BAD_STATES = new Set(['error', 'offline', 'gone', 'dead', 'stopped-error']);
const OK_STATES = new Set(['online', 'active', 'started', 'running']);
const OFF_STATES = new Set(['stopped', 'disabled', 'ignored', 'idle']);

/** LRM states that are normal on a node with no HA resource (pve-ha-manager LRM.pm): not a warning. */
const IDLE_LRM_STATES = new Set(['wait_for_agent_lock']);

export function isIdleLrmState(state: string): boolean {
  return IDLE_LRM_STATES.has(state);
}

/** Tone of an HA/LRM/guest state word as Proxmox prints it. */
export function stateTone(state: string | null | undefined): Tone {
  if (!state) return 'neutral';
  const word = state.toLowerCase();
  if (IDLE_LRM_STATES.has(word)) return 'neutral';
  if (OK_STATES.has(word)) return 'ok';
  if (WARN_STATES.has(word)) return 'warn';
  if (BAD_STATES.has(word)) return 'bad';
  if (OFF_STATES.has(word)) return 'off';
  return 'neutral';
}
