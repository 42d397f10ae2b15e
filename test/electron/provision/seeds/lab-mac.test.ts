import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';

import { topologySpecFor } from '../../../../electron/backends/lab-topology.ts';
import { bareMac, labNicMac } from '../../../../electron/provision/seeds/lab-mac.ts';
import { renderPveAnswer } from '../../../../electron/provision/seeds/proxmox-answer.ts';
import { profileOf, shippedLab } from './lab-fixture.ts';

describe('lab NIC MAC addresses', () => {
  it('are VirtualBox MACs, stable, and differ per machine and NIC', () => {
    const mac = labNicMac('lab', 'pve1', 0);
    expect(mac).toMatch(/^08:00:27(:[0-9a-f]{2}){3}$/);
    expect(labNicMac('lab', 'pve1', 0)).toBe(mac);
    expect(
      new Set([
        mac,
        labNicMac('lab', 'pve2', 0),
        labNicMac('lab', 'pve1', 'nat'),
        labNicMac('other', 'pve1', 0),
      ]).size,
    ).toBe(4);
  });

  it('are what the VirtualBox topology sets and what the answer file filters on', async () => {
    const lab = await shippedLab('proxmox-ha-basics');
    const profile = profileOf(lab, 'virtualbox-light');
    const topology = topologySpecFor(lab, profile);
    for (const machine of profile.machines.filter((m) => m.kind === 'pve')) {
      const nic = topology.machines.find((m) => m.name === machine.name)!.nics[0]!;
      const answer = parse(renderPveAnswer(lab, profile, machine)) as {
        network: { filter: { ID_NET_NAME_MAC: string } };
      };
      expect(answer.network.filter.ID_NET_NAME_MAC).toBe(`*${bareMac(nic.mac!)}`);
    }
  });
});
