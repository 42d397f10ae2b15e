import type { HypervisorDriver } from '../../hypervisor/driver.ts';

/**
 * What the drill does to the target machine. `reboot` is a hard reset (the reset button):
 * the node drops out and comes back without telling HA, unlike `POST /nodes/{node}/status reboot`.
 */
export const FAULT_KINDS = ['power-off', 'cable-pull', 'acpi-shutdown', 'reboot', 'nas-power-off'] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

/** True for faults that hit a PVE node (and so take it out of the cluster); false for the NAS. */
export function faultHitsNode(fault: FaultKind): boolean {
  return fault !== 'nas-power-off';
}

/**
 * Injects the fault through the hypervisor and nothing else: no guest or Proxmox cooperation,
 * so the cluster experiences it exactly as it would a real failure.
 */
export async function injectFault(driver: HypervisorDriver, fault: FaultKind, machine: string): Promise<void> {
  switch (fault) {
    case 'power-off':
    case 'nas-power-off':
      await driver.powerOff(machine);
      return;
    case 'cable-pull':
      await driver.setCable(machine, false);
      return;
    case 'acpi-shutdown':
      await driver.acpiShutdown(machine);
      return;
    case 'reboot':
      await driver.reset(machine);
      return;
  }
}
