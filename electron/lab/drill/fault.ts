import type { HypervisorDriver } from '../../hypervisor/driver.ts';
import { applyPowerOperation, type PowerOperation } from '../../hypervisor/power-operations.ts';

/**
 * What the drill does to the target machine (the same names as a lab file's `drill.fault`).
 * `reset` is the reset button: the node drops out and comes back without telling HA, unlike
 * a clean `POST /nodes/{node}/status command=reboot`.
 */
export const FAULT_KINDS = [
  'power-off',
  'cable-out',
  'acpi-shutdown',
  'reset',
] as const satisfies readonly PowerOperation[];

export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * Injects the fault through the hypervisor and nothing else: no guest or Proxmox cooperation,
 * so the cluster experiences it exactly as it would a real failure.
 */
export async function injectFault(
  driver: HypervisorDriver,
  fault: FaultKind,
  machine: string,
): Promise<void> {
  await applyPowerOperation(driver, machine, fault, () => 0);
}
