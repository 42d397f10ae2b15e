import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createLabTrueNasProvisioner } from '../../../../electron/provision/truenas/lab-truenas.ts';
import { FakeTrueNas } from '../../../support/fake-truenas.ts';
import { profileOf, shippedLab } from '../seeds/lab-fixture.ts';

let nas: FakeTrueNas;
beforeEach(async () => {
  nas = await new FakeTrueNas().start();
});
afterEach(async () => {
  await nas.stop();
});

describe('the TrueNAS machine of the basics lab', () => {
  it('installs with the lab password and address, then shares /mnt/tank/pve with the lab network', async () => {
    const lab = await shippedLab('proxmox-ha-basics');
    const provisioner = createLabTrueNasProvisioner(lab, profileOf(lab, 'virtualbox-truenas'));
    const address = new URL(nas.installerUrl).host;

    await provisioner.install({ machine: 'nas', address });
    expect(nas.installed).toMatchObject({
      disks: ['sda'],
      username: 'truenas_admin',
      password: String(lab.vars.rootPassword),
      post_install: {
        network_interfaces: [
          {
            name: 'enp0s3',
            ipv4_dhcp: false,
            aliases: [{ type: 'INET', address: '192.168.56.20', netmask: 24 }],
          },
        ],
      },
    });

    await provisioner.configure({ machine: 'nas', address });
    expect(nas.pools.map((p) => [p.name, p.disks])).toEqual([['tank', ['sdb']]]);
    expect(nas.exportsLines()).toEqual([
      '"/mnt/tank/pve" 192.168.56.0/24(sec=sys,rw,no_subtree_check,no_root_squash)',
    ]);
    expect(nas.services.find((s) => s.service === 'nfs')).toMatchObject({ enable: true, state: 'RUNNING' });
  });

  it("names a machine that is not the profile's TrueNAS", async () => {
    const lab = await shippedLab('proxmox-ha-basics');
    const provisioner = createLabTrueNasProvisioner(lab, profileOf(lab, 'virtualbox-truenas'));
    await expect(provisioner.install({ machine: 'pve1', address: '127.0.0.1:1' })).rejects.toThrow(
      'lab "proxmox-ha-basics" profile "virtualbox-truenas" has no TrueNAS machine "pve1"',
    );
  });
});
