/**
 * The cloud-init NoCloud seed of the light NAS (Debian 13 generic cloud image): `user-data` installs
 * nfs-kernel-server, formats the data disk and exports the share to the lab network with the options
 * Proxmox VE needs; `network-config` (v2) gives the lab NIC its static address and the NAT NIC DHCP
 * (the default route, for apt); `meta-data` names the instance. Both NICs are matched by MAC.
 */
import { posix } from 'node:path';

import { stringify } from 'yaml';

// cloud-init reads YAML 1.1 (PyYAML): quote what 1.1 would turn into numbers or booleans, e.g. a MAC
// made only of digits (sexagesimal) or "yes".
const yaml11 = (value: unknown): string => stringify(value, { version: '1.1' });

import type { LabFile, LabMachine, LabProfile } from '../../lab/script/schema.ts';
import { labNicMac } from './lab-mac.ts';
import { labNic, seedSettingsFor, SeedError, stableSalt } from './seed-settings.ts';
import { sha512Crypt } from './sha512-crypt.ts';

export const CIDATA_VOLUME_LABEL = 'cidata';
const DEFAULT_EXPORT = '/srv/nfs/pve';
const DATA_FS_LABEL = 'nestlab-data';

export interface NoCloudSeed {
  'user-data': string;
  'meta-data': string;
  'network-config': string;
}

/** Linux names SATA disks in port order: the n-th lab disk is sd<a+n> (the seed ISO is a DVD, sr0). */
const sataDisk = (index: number): string => `/dev/sd${String.fromCharCode(97 + index)}`;

export function buildNoCloudSeed(lab: LabFile, profile: LabProfile, machine: LabMachine): NoCloudSeed {
  if (machine.kind !== 'nfs')
    throw new SeedError(`machine ${machine.name} is not a light NFS server (kind nfs)`);
  const settings = seedSettingsFor(lab);
  const nic = labNic(lab, profile, machine);
  const exportPath = String(lab.vars.nasExport ?? DEFAULT_EXPORT);
  if (!/^\/[A-Za-z0-9._/-]+$/.test(exportPath) || exportPath.split('/').includes('..')) {
    throw new SeedError(`lab "${lab.id}": vars.nasExport "${exportPath}" must be an absolute path`);
  }
  // The share lives on the second disk when there is one (the first holds the system).
  const dataDisk = machine.disks.length > 1 ? sataDisk(1) : undefined;
  const mountPoint = dataDisk ? posix.dirname(exportPath) : undefined;
  const exportLine = `${exportPath} ${nic.networkCidr}(rw,sync,no_subtree_check,no_root_squash)`;

  const userData = {
    hostname: machine.name,
    fqdn: `${machine.name}.${settings.domain}`,
    prefer_fqdn_over_hostname: false,
    manage_etc_hosts: true,
    timezone: settings.timezone,
    disable_root: false,
    ssh_pwauth: true,
    chpasswd: {
      expire: false,
      users: [
        {
          name: 'root',
          type: 'hash',
          password: sha512Crypt(settings.rootPassword, stableSalt(lab.id, machine.name, 'root')),
        },
      ],
    },
    ...(dataDisk && mountPoint
      ? {
          disk_setup: { [dataDisk]: { table_type: 'gpt', layout: true, overwrite: false } },
          fs_setup: [{ label: DATA_FS_LABEL, filesystem: 'ext4', device: dataDisk, partition: 'auto' }],
          mounts: [[`LABEL=${DATA_FS_LABEL}`, mountPoint, 'ext4', 'defaults,nofail', '0', '2']],
        }
      : {}),
    package_update: true,
    packages: ['nfs-kernel-server'],
    write_files: [
      {
        path: '/etc/exports.d/nestlab.exports',
        permissions: '0644',
        // no_root_squash: Proxmox VE writes disk images as root.
        content: `${exportLine}\n`,
      },
    ],
    runcmd: [
      ['mkdir', '-p', exportPath],
      ['systemctl', 'enable', '--now', 'nfs-server'],
      ['exportfs', '-ra'],
    ],
    final_message: 'NestLab NAS ready: NFS export $UPTIME s after boot',
  };

  const networkConfig = {
    version: 2,
    ethernets: {
      lab0: {
        match: { macaddress: labNicMac(lab.id, machine.name, nic.index) },
        'set-name': 'lab0',
        dhcp4: false,
        addresses: [nic.cidr],
      },
      nat0: {
        match: { macaddress: labNicMac(lab.id, machine.name, 'nat') },
        'set-name': 'nat0',
        dhcp4: true,
      },
    },
  };

  return {
    'user-data': `#cloud-config\n# NAS ${machine.name} of lab ${lab.id}, profile ${profile.id} (written by NestLab)\n${yaml11(userData)}`,
    'meta-data': yaml11({
      'instance-id': `nestlab-${lab.id}-${machine.name}`,
      'local-hostname': machine.name,
    }),
    'network-config': yaml11(networkConfig),
  };
}
