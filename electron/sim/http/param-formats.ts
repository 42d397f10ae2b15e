/**
 * Named string formats of the PVE schema (`format: "pve-node"`), checked as PVE::JSONSchema does,
 * with its messages. Formats we do not know are accepted: better lenient than a false 400.
 */
import { isIP } from 'node:net';

type FormatCheck = (value: string) => string | undefined;

const nodeName = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const configId = /^[a-z][a-z0-9_-]+$/i;
const dnsName =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*$/;

const formats: Record<string, FormatCheck> = {
  'pve-node': (v) => (nodeName.test(v) ? undefined : 'value does not look like a valid node name'),
  'pve-vmid': (v) => (/^[1-9][0-9]{2,8}$/.test(v) ? undefined : 'value does not look like a valid VM ID'),
  'pve-configid': (v) => (configId.test(v) ? undefined : `invalid configuration ID '${v}'`),
  'pve-storage-id': (v) =>
    /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(v) ? undefined : `storage ID '${v}' contains illegal characters`,
  'pve-poolid': (v) => (/^[A-Za-z0-9_\-/]+$/.test(v) ? undefined : `invalid pool ID '${v}'`),
  'pve-realm': (v) => (/^[A-Za-z][A-Za-z0-9.\-_]+$/.test(v) ? undefined : `invalid realm '${v}'`),
  'pve-userid': (v) =>
    /^[^\s:/]+@[A-Za-z][A-Za-z0-9.\-_]+$/.test(v)
      ? undefined
      : `value '${v}' does not look like a valid user name`,
  'pve-ha-resource-or-vm-id': (v) =>
    /^(?:(?:vm|ct):)?[1-9][0-9]{2,8}$/.test(v) ? undefined : `unable to parse HA resource id '${v}'`,
  'pve-ha-resource-id': (v) =>
    /^(?:vm|ct):[1-9][0-9]{2,8}$/.test(v) ? undefined : `unable to parse HA resource id '${v}'`,
  'pve-ha-node': (v) => (/^[a-zA-Z0-9][a-zA-Z0-9-]*(?::\d+)?$/.test(v) ? undefined : `invalid node '${v}'`),
  ip: (v) => (isIP(v) ? undefined : 'value does not look like a valid IP address'),
  ipv4: (v) => (isIP(v) === 4 ? undefined : 'value does not look like a valid IPv4 address'),
  ipv6: (v) => (isIP(v) === 6 ? undefined : 'value does not look like a valid IPv6 address'),
  address: (v) => (isIP(v) || dnsName.test(v) ? undefined : `value does not look like a valid address: ${v}`),
  'dns-name': (v) => (dnsName.test(v) ? undefined : 'value does not look like a valid DNS name'),
  'pve-storage-server': (v) =>
    isIP(v) || dnsName.test(v) || /^\[[0-9a-fA-F:.]+\]$/.test(v)
      ? undefined
      : `value does not look like a valid storage server: ${v}`,
  'pve-storage-path': (v) =>
    /^\/[^\0]*$/.test(v) && !/\/\.\.?(\/|$)/.test(v)
      ? undefined
      : 'value does not look like a valid absolute path',
  'pve-volume-id': (v) =>
    /^[a-z][a-z0-9\-_.]*[a-z0-9]:.+$/i.test(v) ? undefined : `unable to parse volume ID '${v}'`,
  'mac-addr': (v) =>
    /^[0-9a-f][02468ace](?::[0-9a-f]{2}){5}$/i.test(v)
      ? undefined
      : 'value does not look like a valid unicast MAC address',
  CIDR: (v) => {
    const [ip, mask] = v.split('/');
    return ip && mask && isIP(ip) && /^\d{1,3}$/.test(mask)
      ? undefined
      : 'value does not look like a valid CIDR network';
  },
  'pve-tag': (v) => (/^[a-z0-9_][a-z0-9_\-+.]*$/i.test(v) ? undefined : `invalid tag '${v}'`),
};

/** Checks `value` against the named format; lists (`pve-node-list`) check every element. */
export function checkNamedFormat(format: string, value: string): string | undefined {
  const direct = formats[format];
  if (direct) return direct(value);
  if (format.endsWith('-list')) {
    const element = formats[format.slice(0, -'-list'.length)];
    if (!element) return undefined;
    for (const part of value.split(/[,;\s]+/).filter((p) => p !== '')) {
      const error = element(part);
      if (error) return error;
    }
  }
  return undefined;
}
