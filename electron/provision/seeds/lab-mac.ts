/**
 * The MAC address of a lab machine's NIC, derived from the lab and machine names so that the
 * VirtualBox machine, the Proxmox answer file's NIC filter and the NAS network-config agree without
 * storing anything. VirtualBox's own OUI (08:00:27) keeps them recognisable.
 */
import { createHash } from 'node:crypto';

/** `nic` is the index in the lab file's `nics`, or 'nat' for the internet adapter NestLab adds. */
export function labNicMac(lab: string, machine: string, nic: number | 'nat'): string {
  const digest = createHash('sha256').update(`nestlab-mac\0${lab}\0${machine}\0${nic}`).digest();
  return ['08', '00', '27', ...[...digest.subarray(0, 3)].map((b) => b.toString(16).padStart(2, '0'))].join(
    ':',
  );
}

/** "08:00:27:ab:cd:ef" → "080027abcdef" (the form in udev's ID_NET_NAME_MAC, `enx080027abcdef`). */
export function bareMac(mac: string): string {
  return mac.replace(/[:-]/g, '').toLowerCase();
}
