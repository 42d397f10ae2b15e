/** The `answer.toml` for one Proxmox VE node of a lab (installer keys: proxmox-answer-schema.ts). */
import { parse, stringify } from 'smol-toml';

import type { LabFile, LabMachine, LabProfile } from '../../lab/script/schema.ts';
import { bareMac, labNicMac } from './lab-mac.ts';
import { pveAnswerSchema, type PveAnswer } from './proxmox-answer-schema.ts';
import { labNic, seedSettingsFor, SeedError, stableSalt } from './seed-settings.ts';
import { sha512Crypt } from './sha512-crypt.ts';

/** The label the installer's `proxmox-fetch-answer partition` looks for (exact, UPPER, lower case). */
export const ANSWER_VOLUME_LABEL = 'PROXMOX-AIS';
export const ANSWER_FILE_NAME = 'answer.toml';

export function buildPveAnswer(lab: LabFile, profile: LabProfile, machine: LabMachine): PveAnswer {
  const settings = seedSettingsFor(lab);
  const nic = labNic(lab, profile, machine);
  const fqdn = `${machine.name}.${settings.domain}`;
  const answer: PveAnswer = {
    global: {
      keyboard: settings.keyboard,
      country: settings.country,
      fqdn,
      mailto: `root@${settings.domain}`,
      timezone: settings.timezone,
      'root-password-hashed': sha512Crypt(settings.rootPassword, stableSalt(lab.id, machine.name, 'root')),
      'reboot-on-error': false,
      // The VM powering off is how NestLab knows the install finished.
      'reboot-mode': 'power-off',
    },
    network: {
      source: 'from-answer',
      cidr: nic.cidr,
      dns: nic.gateway,
      gateway: nic.gateway,
      // udev names a NIC enx<mac> in ID_NET_NAME_MAC: this picks the lab NIC, never the NAT one.
      filter: { ID_NET_NAME_MAC: `*${bareMac(labNicMac(lab.id, machine.name, nic.index))}` },
    },
    'disk-setup': {
      // ext4 on LVM: no ZFS ARC eating the node's RAM. The system disk is the first on the SATA controller.
      filesystem: 'ext4',
      'disk-list': ['sda'],
    },
  };
  const checked = pveAnswerSchema.safeParse(answer);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new SeedError(
      `answer.toml for ${machine.name} of lab "${lab.id}": ${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return answer;
}

export function renderPveAnswer(lab: LabFile, profile: LabProfile, machine: LabMachine): string {
  if (machine.kind !== 'pve') throw new SeedError(`machine ${machine.name} is not a Proxmox VE node`);
  const body = stringify(buildPveAnswer(lab, profile, machine));
  // Round-trip: what the installer will parse is what was validated.
  pveAnswerSchema.parse(parse(body));
  return `# Proxmox VE automated installation of ${machine.name} (lab ${lab.id}, profile ${profile.id}), written by NestLab\n${body}\n`;
}
