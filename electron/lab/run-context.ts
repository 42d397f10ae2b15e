/**
 * What expressions and templates of a run can see: the lab's vars, the profile's machines and
 * (for solves) the results saved by earlier actions. Plain data only.
 */
import type { LabFile, LabProfile } from './script/schema.ts';

export interface MachineView {
  name: string;
  kind: string;
  /** First static address without prefix, e.g. 192.168.56.11, or null. */
  address: string | null;
  addresses: string[];
}

export interface RunContext {
  vars: LabFile['vars'];
  machines: MachineView[];
  profile: string;
  results: Record<string, unknown>;
}

export function machinesOf(profile: LabProfile): MachineView[] {
  return profile.machines.map((m) => {
    const addresses = m.nics.flatMap((n) => (n.address ? [n.address.split('/')[0] ?? n.address] : []));
    return { name: m.name, kind: m.kind, address: addresses[0] ?? null, addresses };
  });
}

export function createRunContext(lab: LabFile, profile: LabProfile): RunContext {
  return { vars: lab.vars, machines: machinesOf(profile), profile: profile.id, results: {} };
}
