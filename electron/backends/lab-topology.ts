/** A lab profile as the hypervisor sees it: networks and machines to realise. */
import { join } from 'node:path';

import type { MachineSpec, TopologySpec } from '../hypervisor/driver.ts';
import { HypervisorError } from '../hypervisor/driver.ts';
import type { LabFile, LabProfile } from '../lab/script/schema.ts';
import { loadLabForApp } from '../app/load-lab.ts';
import { labNicMac } from '../provision/seeds/lab-mac.ts';

export function topologySpecFor(lab: LabFile, profile: LabProfile): TopologySpec {
  return {
    lab: lab.id,
    networks: profile.networks.map((n) => ({ name: n.name, cidr: n.cidr })),
    machines: profile.machines
      .map((m): MachineSpec => ({
        name: m.name,
        kind: m.kind,
        memoryMiB: m.memoryMiB,
        cpus: m.cpus,
        // Proxmox nodes run guests of their own: they need VT-x/AMD-V passed through.
        nestedVirtualization: m.nestedVirtualization ?? m.kind === 'pve',
        disks: m.disks.map((d) => ({ name: d.name, sizeGiB: d.sizeGiB })),
        nics: m.nics.map((n) => ({ network: n.network, ...(n.address ? { address: n.address } : {}) })),
        // The light NAS boots a ready-made cloud image and installs nfs-kernel-server from the internet
        // (a NAT adapter); installers (Proxmox VE, TrueNAS) boot their ISO and need no internet.
        ...(m.image ? (m.kind === 'nfs' ? { bootDisk: m.image } : { iso: m.image }) : {}),
        ...(m.kind === 'nfs' ? { internet: true } : {}),
      }))
      .map((spec) => withLabNicMacs(lab.id, spec)),
  };
}

/** `nestlab vbox … <lab>`: the lab and its first VirtualBox profile (or the one named `lab:profile`). */
export async function loadVirtualBoxProfile(
  labsDir: string,
  labArg: string,
): Promise<{ lab: LabFile; profile: LabProfile }> {
  const [labId = '', profileId] = labArg.split(':');
  const loaded = await loadLabForApp(join(labsDir, labId, 'lab.yaml'));
  if (!loaded.ok) {
    throw new HypervisorError(
      'not-found',
      loaded.missing
        ? `no lab "${labId}" in ${labsDir}`
        : `lab "${labId}" does not load:\n${loaded.errors.join('\n')}`,
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
  return { lab: loaded.lab, profile };
}

export async function loadVirtualBoxTopology(labsDir: string, labArg: string): Promise<TopologySpec> {
  const { lab, profile } = await loadVirtualBoxProfile(labsDir, labArg);
  return topologySpecFor(lab, profile);
}

/** Every NIC gets the MAC the seeds' NIC filters expect (answer.toml, cloud-init network-config). */
function withLabNicMacs(labId: string, spec: MachineSpec): MachineSpec {
  return {
    ...spec,
    nics: spec.nics.map((nic, i) => ({ ...nic, mac: labNicMac(labId, spec.name, i) })),
    ...(spec.internet ? { internetMac: labNicMac(labId, spec.name, 'nat') } : {}),
  };
}
