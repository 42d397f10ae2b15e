/** VirtualBox MachineState → the lab's PowerState. Pure. */
import type { PowerState } from '../driver.ts';

const STATES: Record<string, PowerState> = {
  PoweredOff: 'off',
  Aborted: 'off',
  Teleported: 'off',
  Saved: 'saved',
  AbortedSaved: 'saved',
  Running: 'running',
  Teleporting: 'running',
  LiveSnapshotting: 'running',
  OnlineSnapshotting: 'running',
  DeletingSnapshotOnline: 'running',
  Paused: 'paused',
  TeleportingPausedVM: 'paused',
  DeletingSnapshotPaused: 'paused',
  Starting: 'starting',
  Restoring: 'starting',
  TeleportingIn: 'starting',
  Stopping: 'stopping',
  Saving: 'stopping',
  Stuck: 'error',
  // Offline settings work: the machine is still off while it happens.
  RestoringSnapshot: 'off',
  DeletingSnapshot: 'off',
  Snapshotting: 'off',
  SettingUp: 'off',
};

export function mapMachineState(state: string): PowerState {
  return STATES[state] ?? 'error';
}

/** Aborted means the VM process died (or was killed): the plug was pulled without powerDown. */
export function isUncleanStop(state: string): boolean {
  return state === 'Aborted' || state === 'AbortedSaved';
}
