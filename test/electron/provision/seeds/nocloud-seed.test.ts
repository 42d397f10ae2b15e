import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { labNicMac } from '../../../../electron/provision/seeds/lab-mac.ts';
import { buildNoCloudSeed } from '../../../../electron/provision/seeds/nocloud-seed.ts';
import {
  cloudInitNetworkState,
  cloudInitSchemaProblem,
  opensslSha512Crypt,
} from '../../../support/seed-tools.ts';
import { profileOf, shippedLab } from './lab-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'nestlab-nocloud-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function saved(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function lightNas() {
  const lab = await shippedLab('proxmox-ha-basics');
  const profile = profileOf(lab, 'virtualbox-light');
  const nas = profile.machines.find((m) => m.kind === 'nfs')!;
  return { lab, profile, nas };
}

describe('the NoCloud seed of the light NAS', () => {
  it('has user-data that cloud-init schema accepts', async () => {
    const { lab, profile, nas } = await lightNas();
    const seed = buildNoCloudSeed(lab, profile, nas);
    expect(seed['user-data'].startsWith('#cloud-config\n')).toBe(true);
    expect(cloudInitSchemaProblem(saved('user-data', seed['user-data']))).toBeNull();
  });

  it('installs nfs-kernel-server and exports the share to the lab network with no_root_squash', async () => {
    const { lab, profile, nas } = await lightNas();
    const userData = parse(buildNoCloudSeed(lab, profile, nas)['user-data']) as Record<string, unknown>;
    expect(userData.packages).toEqual(['nfs-kernel-server']);
    expect(userData.write_files).toEqual([
      {
        path: '/etc/exports.d/nestlab.exports',
        permissions: '0644',
        content: '/mnt/tank/pve 192.168.56.0/24(rw,sync,no_subtree_check,no_root_squash)\n',
      },
    ]);
    expect(userData.runcmd).toEqual([
      ['mkdir', '-p', '/mnt/tank/pve'],
      ['systemctl', 'enable', '--now', 'nfs-server'],
      ['exportfs', '-ra'],
    ]);
    // The 32 GiB data disk (second SATA disk) holds the share.
    expect(userData.fs_setup).toEqual([
      { label: 'nestlab-data', filesystem: 'ext4', device: '/dev/sdb', partition: 'auto' },
    ]);
    expect(userData.mounts).toEqual([
      ['LABEL=nestlab-data', '/mnt/tank', 'ext4', 'defaults,nofail', '0', '2'],
    ]);
    const [root] = (userData.chpasswd as { users: { name: string; type: string; password: string }[] }).users;
    expect(root).toMatchObject({ name: 'root', type: 'hash' });
    expect(root!.password).toBe(
      opensslSha512Crypt(String(lab.vars.rootPassword), root!.password.split('$')[2]!),
    );
  });

  it('gives the lab NIC its static address and the NAT NIC DHCP, both matched by MAC (cloud-init parser)', async () => {
    const { lab, profile, nas } = await lightNas();
    const seed = buildNoCloudSeed(lab, profile, nas);
    const interfaces = cloudInitNetworkState(saved('network-config', seed['network-config']));
    expect(interfaces).toEqual([
      {
        name: 'lab0',
        mac_address: labNicMac(lab.id, 'nas', 0),
        subnets: [expect.objectContaining({ type: 'static', address: '192.168.56.20', prefix: 24 })],
      },
      {
        name: 'nat0',
        mac_address: labNicMac(lab.id, 'nas', 'nat'),
        subnets: [expect.objectContaining({ type: 'dhcp4' })],
      },
    ]);
    expect(parse(seed['meta-data'])).toEqual({
      'instance-id': 'nestlab-proxmox-ha-basics-nas',
      'local-hostname': 'nas',
    });
  });

  it('quotes a MAC made only of digits, which YAML 1.1 would read as a number', async () => {
    const { lab, profile, nas } = await lightNas();
    let name = '';
    for (let i = 0; !name; i++) {
      if (/^[0-9:]+$/.test(labNicMac(lab.id, `nas${i}`, 0))) name = `nas${i}`;
    }
    const seed = buildNoCloudSeed(lab, profile, { ...nas, name });
    const [lab0] = cloudInitNetworkState(saved(`${name}-network-config`, seed['network-config']));
    expect(lab0?.mac_address).toBe(labNicMac(lab.id, name, 0));
  });

  it('refuses a machine that is not a light NAS', async () => {
    const { lab, profile } = await lightNas();
    expect(() => buildNoCloudSeed(lab, profile, profile.machines[0]!)).toThrow(
      'machine pve1 is not a light NFS server (kind nfs)',
    );
  });
});
