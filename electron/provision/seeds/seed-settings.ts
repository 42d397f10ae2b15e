/**
 * What every seed of a lab shares, read from the lab file's `vars` with safe defaults: the root
 * password (required), DNS domain, keyboard, country and time zone, and the lab network's addresses.
 */
import { createHash } from 'node:crypto';

import type { LabFile, LabMachine, LabProfile } from '../../lab/script/schema.ts';
import { PVE_KEYBOARDS } from './proxmox-answer-schema.ts';

export class SeedError extends Error {
  override readonly name = 'SeedError';
}

export interface SeedSettings {
  rootPassword: string;
  domain: string;
  keyboard: (typeof PVE_KEYBOARDS)[number];
  country: string;
  timezone: string;
}

function stringVar(lab: LabFile, name: string): string | undefined {
  const value = lab.vars[name];
  return value === undefined ? undefined : String(value);
}

export function seedSettingsFor(lab: LabFile): SeedSettings {
  const where = `lab "${lab.id}"`;
  const rootPassword = stringVar(lab, 'rootPassword');
  if (!rootPassword) throw new SeedError(`${where}: vars.rootPassword is needed to install the machines`);
  // pve-installer utils.rs: ROOT_PASSWORD_MIN_LENGTH = 8.
  if (rootPassword.length < 8) {
    throw new SeedError(
      `${where}: vars.rootPassword must have at least 8 characters (the Proxmox VE installer refuses shorter)`,
    );
  }
  const keyboard = stringVar(lab, 'keyboard') ?? 'en-us';
  if (!(PVE_KEYBOARDS as readonly string[]).includes(keyboard)) {
    throw new SeedError(
      `${where}: vars.keyboard "${keyboard}" is not a Proxmox VE layout (${PVE_KEYBOARDS.join(', ')})`,
    );
  }
  const country = (stringVar(lab, 'country') ?? 'us').toLowerCase();
  if (!/^[a-z]{2}$/.test(country))
    throw new SeedError(`${where}: vars.country "${country}" must be a two-letter code like es`);
  const domain = (stringVar(lab, 'domain') ?? 'lab.internal').toLowerCase();
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(domain))
    throw new SeedError(`${where}: vars.domain "${domain}" is not a DNS domain`);
  return {
    rootPassword,
    domain,
    keyboard: keyboard as SeedSettings['keyboard'],
    country,
    timezone: stringVar(lab, 'timezone') ?? 'UTC',
  };
}

export interface LabNicAddress {
  /** Index in the machine's `nics`. */
  index: number;
  network: string;
  /** The guest's address with prefix, e.g. 192.168.56.11/24. */
  cidr: string;
  address: string;
  prefix: number;
  /** The host's side of the network: gateway and DNS for the lab. */
  gateway: string;
  /** The network itself, e.g. 192.168.56.0/24 (what the NFS export allows). */
  networkCidr: string;
}

function toInt(address: string): number {
  return address.split('.').reduce((n, octet) => (n << 8) + Number(octet), 0) >>> 0;
}

function toDotted(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

/** The machine's first NIC with a static address: the lab (management) NIC. */
export function labNic(lab: LabFile, profile: LabProfile, machine: LabMachine): LabNicAddress {
  const index = machine.nics.findIndex((nic) => nic.address);
  const nic = machine.nics[index];
  if (!nic?.address) {
    throw new SeedError(
      `lab "${lab.id}" profile "${profile.id}": machine ${machine.name} needs a NIC with a static address to be installed unattended`,
    );
  }
  const network = profile.networks.find((n) => n.name === nic.network);
  if (!network) {
    throw new SeedError(
      `lab "${lab.id}" profile "${profile.id}": machine ${machine.name} uses unknown network "${nic.network}"`,
    );
  }
  const [address, prefixText] = nic.address.split('/') as [string, string];
  const prefix = Number(prefixText);
  const gateway = network.cidr.split('/')[0]!;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  if ((toInt(address) & mask) !== (toInt(gateway) & mask)) {
    throw new SeedError(
      `lab "${lab.id}" profile "${profile.id}": machine ${machine.name} address ${nic.address} is outside network ${network.name} (${network.cidr})`,
    );
  }
  return {
    index,
    network: network.name,
    cidr: nic.address,
    address,
    prefix,
    gateway,
    networkCidr: `${toDotted(toInt(gateway) & mask)}/${prefix}`,
  };
}

/** A salt that depends on the machine, so the same lab writes the same seed twice. */
export function stableSalt(...parts: string[]): string {
  const alphabet = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const digest = createHash('sha256').update(parts.join('\0')).digest();
  return [...digest.subarray(0, 16)].map((b) => alphabet[b & 0x3f]).join('');
}
