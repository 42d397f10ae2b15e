/**
 * How a lab's machines are named and grouped inside VirtualBox, and where their serial consoles live.
 * VirtualBox machine names are global per user, so every name carries the lab's. Pure.
 */
import path from 'node:path';
import { HypervisorError, type MachineKind } from '../driver.ts';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function assertSafeName(what: string, name: string): void {
  if (!SAFE_NAME.test(name)) {
    throw new HypervisorError(
      'failed',
      `${what} name "${name}" cannot be used for VirtualBox: use letters, digits, '.', '_' or '-' (at most 63)`,
    );
  }
}

export function vboxMachineName(lab: string, machine: string): string {
  return `${lab}-${machine}`;
}

/** The VirtualBox group that holds every machine of a lab (shown as a folder in VirtualBox Manager). */
export function labGroup(lab: string): string {
  return `/nestlab/${lab}`;
}

/** Named pipe on Windows, unix socket elsewhere: local-only and reconnectable, never a TCP listener. */
export function serialConsolePath(
  platform: NodeJS.Platform,
  runDir: string,
  lab: string,
  machine: string,
): string {
  if (platform === 'win32') return `\\\\.\\pipe\\nestlab-${lab}-${machine}`;
  return path.posix.join(runDir, `${lab}-${machine}.sock`);
}

export function osTypeFor(kind: MachineKind): string {
  // PVE, TrueNAS SCALE and the NFS VM are Debian based; the legacy `_64` ids are kept in 7.1+.
  return kind === 'tinycore' ? 'Linux_64' : 'Debian_64';
}

/** "192.168.56.1/24" → host address and dotted mask; checks the range Linux/macOS hosts allow. */
export function parseHostCidr(
  cidr: string,
  platform: NodeJS.Platform,
): { address: string; mask: string; prefix: number } {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  const octets = match ? match.slice(1, 5).map(Number) : [];
  const prefix = Number(match?.[5]);
  if (!match || octets.some((o) => o > 255) || prefix < 8 || prefix > 30) {
    throw new HypervisorError(
      'failed',
      `network cidr "${cidr}" is not an IPv4 address with a prefix like 192.168.56.1/24`,
    );
  }
  if (
    platform !== 'win32' &&
    !(octets[0] === 192 && octets[1] === 168 && octets[2]! >= 56 && octets[2]! <= 63)
  ) {
    throw new HypervisorError(
      'unsupported',
      `network cidr "${cidr}" is outside 192.168.56.0/21, the only range VirtualBox allows for host-only ` +
        'networks on Linux and macOS without root; pick e.g. 192.168.56.1/24 or list the range in /etc/vbox/networks.conf',
    );
  }
  const maskBits = (0xffffffff << (32 - prefix)) >>> 0;
  const mask = [24, 16, 8, 0].map((shift) => (maskBits >>> shift) & 255).join('.');
  return { address: octets.join('.'), mask, prefix };
}

/**
 * The range of a macOS (vmnet) host-only network. The host's interface takes the LOWEST address of the
 * range (VirtualBox manual, "Host-Only Networking"), so the range starts at the lab's host address —
 * starting it at .2 gave the host .2 while labs tell the guests their gateway is .1.
 */
export function hostOnlyRange(address: string): { lower: string; upper: string } {
  const parts = address.split('.');
  return { lower: address, upper: [...parts.slice(0, 3), '254'].join('.') };
}
