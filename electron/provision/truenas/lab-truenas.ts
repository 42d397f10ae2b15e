/**
 * The TrueNAS machine of a lab profile, provisioned from what the lab file says: the admin password
 * is `vars.rootPassword`, the system goes on the first disk, the pool `tank` on the second, the
 * dataset and export follow `vars.nasExport` (default /mnt/tank/pve), the share is restricted to the
 * lab network. This is the TrueNasProvisioner the install orchestration calls with the machine's
 * current address (the live ISO's DHCP lease, then the installed system's static address).
 */
import type { LabFile, LabProfile } from '../../lab/script/schema.ts';
import { labNic, seedSettingsFor, SeedError } from '../seeds/seed-settings.ts';
import { createTrueNasAppliance, type TrueNasAppliance } from './truenas-appliance.ts';

export interface TrueNasProvisioner {
  install(request: { machine: string; address: string; signal?: AbortSignal }): Promise<void>;
  configure(request: { machine: string; address: string; signal?: AbortSignal }): Promise<void>;
}

/** Linux names the SATA disks in port order, and TrueNAS uses the kernel's names. */
const sataDisk = (index: number): string => `sd${String.fromCharCode(97 + index)}`;

export function createLabTrueNasProvisioner(
  lab: LabFile,
  profile: LabProfile,
  options: { appliance?: TrueNasAppliance; readiness?: { attempts?: number; delayMs?: number } } = {},
): TrueNasProvisioner {
  const appliance = options.appliance ?? createTrueNasAppliance();
  const machineOf = (name: string) => {
    const machine = profile.machines.find((m) => m.name === name && m.kind === 'truenas');
    if (!machine)
      throw new SeedError(`lab "${lab.id}" profile "${profile.id}" has no TrueNAS machine "${name}"`);
    if (machine.disks.length < 2) {
      throw new SeedError(
        `lab "${lab.id}": TrueNAS machine ${name} needs two disks (system and pool), it has ${machine.disks.length}`,
      );
    }
    return machine;
  };
  const exportOf = (): { pool: string; dataset: string } => {
    const exportPath = String(lab.vars.nasExport ?? '/mnt/tank/pve');
    const match = /^\/mnt\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(exportPath);
    if (!match)
      throw new SeedError(
        `lab "${lab.id}": vars.nasExport "${exportPath}" must look like /mnt/<pool>/<dataset> for TrueNAS`,
      );
    return { pool: match[1]!, dataset: match[2]! };
  };
  return {
    async install({ machine: name, address, signal }) {
      const machine = machineOf(name);
      const nic = labNic(lab, profile, machine);
      await appliance.installSystem({
        installerUrl: `ws://${address}/ws`,
        bootDiskGiB: machine.disks[0]!.sizeGiB,
        adminPassword: seedSettingsFor(lab).rootPassword,
        network: { address: nic.address, prefix: nic.prefix },
        ...(options.readiness ? { readiness: options.readiness } : {}),
        ...(signal ? { signal } : {}),
      });
    },
    async configure({ machine: name, address, signal }) {
      const machine = machineOf(name);
      const nic = labNic(lab, profile, machine);
      await appliance.configureNfs({
        apiUrl: `ws://${address}/api/current`,
        adminPassword: seedSettingsFor(lab).rootPassword,
        ...exportOf(),
        poolDisk: sataDisk(1),
        networks: [nic.networkCidr],
        ...(signal ? { signal } : {}),
      });
    },
  };
}
