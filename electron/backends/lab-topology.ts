/** A lab profile as the hypervisor sees it: networks and machines to realise. */
import { join } from 'node:path';

import type { MachineSpec, TopologySpec } from '../hypervisor/driver.ts';
import { HypervisorError } from '../hypervisor/driver.ts';
import type { LabFile, LabProfile } from '../lab/script/schema.ts';
import { loadLabForApp } from '../app/load-lab.ts';

export function topologySpecFor(lab: LabFile, profile: LabProfile): TopologySpec {
  return {
    lab: lab.id,
    networks: profile.networks.map((n) => ({ name: n.name, cidr: n.cidr })),
    machines: profile.machines.map(
      (m): MachineSpec => ({
        name: m.name,
        kind: m.kind,
        memoryMiB: m.memoryMiB,
        cpus: m.cpus,
        // Proxmox nodes run guests of their own: they need VT-x/AMD-V passed through.
        nestedVirtualization: m.nestedVirtualization ?? m.kind === 'pve',
        disks: m.disks.map((d) => ({ name: d.name, sizeGiB: d.sizeGiB })),
        nics: m.nics.map((n) => ({ network: n.network, ...(n.address ? { address: n.address } : {}) })),
        ...(m.image ? { iso: m.image } : {}),
      }),
    ),
  };
}

/** `nestlab vbox up <lab>`: the lab's first VirtualBox profile (or the one named `lab:profile`). */
export async function loadVirtualBoxTopology(labsDir: string, labArg: string): Promise<TopologySpec> {
  const [labId = '', profileId] = labArg.split(':');
  const loaded = await loadLabForApp(join(labsDir, labId, 'lab.yaml'));
  if (!loaded.ok) {
    throw new HypervisorError(
      'not-found',
      loaded.missing ? `no lab "${labId}" in ${labsDir}` : `lab "${labId}" does not load:\n${loaded.errors.join('\n')}`,
    );
  }
  const profiles = loaded.lab.profiles.filter((p) => p.backends.includes('virtualbox'));
  const profile = profileId ? profiles.find((p) => p.id === profileId) : profiles[0];
  if (!profile) {
    throw new HypervisorError(
      'not-found',
      profileId
        ? `lab "${labId}" has no VirtualBox profile "${profileId}" (it has: ${profiles.map((p) => p.id).join(', ') || 'none'})`
        : `lab "${labId}" has no VirtualBox profile`,
    );
  }
  return topologySpecFor(loaded.lab, profile);
}
