/**
 * The operations on a machine's power and cable, in one vocabulary: a lab file's hypervisor
 * solve actions, a drill's faults and the UI's machine actions all name them so, and all go
 * through `applyPowerOperation`.
 */
import type { HypervisorDriver, OperationOptions } from './driver.ts';

export const POWER_OPERATIONS = [
  'power-on',
  'power-off',
  'acpi-shutdown',
  'reset',
  'cable-out',
  'cable-in',
] as const;

export type PowerOperation = (typeof POWER_OPERATIONS)[number];

/**
 * Does `operation` on `machine` through the driver alone (no guest or Proxmox cooperation).
 * Resolves with the instant it took effect (`now()` for a power-on, which completes when the
 * machine runs).
 */
export async function applyPowerOperation(
  driver: HypervisorDriver,
  machine: string,
  operation: PowerOperation,
  now: () => number,
  options: OperationOptions = {},
): Promise<{ at: number }> {
  switch (operation) {
    case 'power-on':
      await driver.powerOn(machine, options);
      return { at: now() };
    case 'power-off':
      return driver.powerOff(machine);
    case 'acpi-shutdown':
      return driver.acpiShutdown(machine);
    case 'reset':
      return driver.reset(machine);
    case 'cable-out':
      return driver.setCable(machine, false);
    case 'cable-in':
      return driver.setCable(machine, true);
  }
}
