/**
 * "Reset to step N" on VirtualBox without reinstalling: every machine goes back to the lab checkpoint of
 * that step when one was taken, else to its own offline "installed" checkpoint (taken by buildLab), and
 * is started again. A machine with neither cannot be reset and is named in the error.
 */
import { HypervisorError } from '../../hypervisor/driver.ts';
import type { VirtualBoxDriver } from '../../hypervisor/virtualbox/virtualbox-driver.ts';
import { INSTALLED_CHECKPOINT } from './build-lab.ts';

export type ResetDriver = Pick<
  VirtualBoxDriver,
  'listCheckpoints' | 'restoreCheckpoint' | 'hasMachineCheckpoint' | 'restoreMachineCheckpoint' | 'powerOn'
>;

export interface ResetResult {
  /** The lab checkpoint restored, or "installed" when each machine went back to its own. */
  restored: string;
}

export async function resetToStep(
  driver: ResetDriver,
  machines: string[],
  stepCheckpoint: string | undefined,
  options: { signal?: AbortSignal } = {},
): Promise<ResetResult> {
  if (stepCheckpoint && (await driver.listCheckpoints()).some((c) => c.name === stepCheckpoint)) {
    await driver.restoreCheckpoint(stepCheckpoint, options);
    for (const machine of machines) await driver.powerOn(machine, options);
    return { restored: stepCheckpoint };
  }
  const missing: string[] = [];
  for (const machine of machines)
    if (!(await driver.hasMachineCheckpoint(machine, INSTALLED_CHECKPOINT))) missing.push(machine);
  if (missing.length) {
    throw new HypervisorError(
      'not-found',
      `cannot reset: ${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} no "${INSTALLED_CHECKPOINT}" checkpoint; build the lab first`,
    );
  }
  for (const machine of machines) {
    await driver.restoreMachineCheckpoint(machine, INSTALLED_CHECKPOINT, options);
    await driver.powerOn(machine, options);
  }
  return { restored: INSTALLED_CHECKPOINT };
}
