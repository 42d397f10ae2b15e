import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { loadVirtualBoxTopology } from '../../../electron/backends/lab-topology.ts';
import { labNicMac } from '../../../electron/provision/seeds/lab-mac.ts';

const labsDir = fileURLToPath(new URL('../../../labs', import.meta.url));

describe('lab topology for VirtualBox', () => {
  it('maps the first VirtualBox profile of the basics lab to machines with nested VT-x on the PVE nodes', async () => {
    const topology = await loadVirtualBoxTopology(labsDir, 'proxmox-ha-basics');
    expect(topology.lab).toBe('proxmox-ha-basics');
    expect(topology.networks[0]?.cidr).toMatch(/^192\.168\.56\./);
    const pve = topology.machines.filter((m) => m.kind === 'pve');
    expect(pve).toHaveLength(3);
    expect(pve.every((m) => m.nestedVirtualization)).toBe(true);
    const nas = topology.machines.find((m) => m.kind === 'nfs' || m.kind === 'truenas');
    expect(nas?.nestedVirtualization).toBe(false);
    expect(pve[0]?.nics[0]?.address).toBe('192.168.56.11/24');
  });

  it('gives the light NAS a NAT adapter with the MAC its cloud-init network-config names', async () => {
    const topology = await loadVirtualBoxTopology(labsDir, 'proxmox-ha-basics:virtualbox-light');
    const nas = topology.machines.find((m) => m.kind === 'nfs')!;
    expect(nas.internet).toBe(true);
    expect(nas.internetMac).toBe(labNicMac('proxmox-ha-basics', nas.name, 'nat'));
    expect(
      topology.machines.filter((m) => m.kind === 'pve').every((m) => !m.internet && !m.internetMac),
    ).toBe(true);
  });

  it('names the lab and the profile it could not find', async () => {
    await expect(loadVirtualBoxTopology(labsDir, 'no-such-lab')).rejects.toThrow(/no lab "no-such-lab"/);
    await expect(loadVirtualBoxTopology(labsDir, 'proxmox-ha-basics:sim')).rejects.toThrow(
      /no VirtualBox profile "sim"/,
    );
  });
});
