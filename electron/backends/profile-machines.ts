/** The machines of a lab profile as every backend sees them: a name, a kind, a first address. */
import type { LabProfile } from '../lab/script/schema.ts';
import type { TopologyMachine } from '../app/topology-observer.ts';

export function firstAddress(machine: LabProfile['machines'][number]): string {
  const cidr = machine.nics.find((n) => n.address)?.address;
  return cidr ? (cidr.split('/')[0] ?? cidr) : '';
}

export function topologyMachines(profile: LabProfile): TopologyMachine[] {
  return profile.machines.map((m) => ({ name: m.name, kind: m.kind, address: firstAddress(m) }));
}

/** The profile's Proxmox VE nodes: the machines a lab talks to over the API and ssh. */
export function pveMachines(profile: LabProfile): { name: string; address: string }[] {
  return profile.machines
    .filter((m) => m.kind === 'pve')
    .map((m) => ({ name: m.name, address: firstAddress(m) }));
}
