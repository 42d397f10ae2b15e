/**
 * A VM's `net[n]` property string as qemu-server keeps it: on create and update a NIC without a
 * MAC address gets one (the datacenter's `mac_prefix`, default BC:24:11, Proxmox's own OUI), and
 * the value is written back in canonical form, `<model>=<MAC>` first and the other keys after it
 * (qemu-server `QemuServer/Network.pm` parse_net/print_net, `add_random_macs`).
 */
import { createHash } from 'node:crypto';

export const DEFAULT_MAC_PREFIX = 'BC:24:11';

export const NIC_MODELS = [
  'e1000',
  'e1000-82540em',
  'e1000-82544gc',
  'e1000-82545em',
  'e1000e',
  'i82551',
  'i82557b',
  'i82559er',
  'ne2k_isa',
  'ne2k_pci',
  'pcnet',
  'rtl8139',
  'virtio',
  'vmxnet3',
];

export interface NetDevice {
  model: string;
  macaddr?: string;
  /** Every other key (`bridge`, `firewall`, `link_down`, `tag`, …) as written. */
  options: Record<string, string>;
}

export function parseNet(value: string): NetDevice | undefined {
  let model: string | undefined;
  let macaddr: string | undefined;
  const options: Record<string, string> = {};
  for (const part of value.split(',')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq === -1 ? part : part.slice(0, eq);
    const val = eq === -1 ? undefined : part.slice(eq + 1);
    if (val === undefined) {
      // The default key: a bare model name.
      if (!NIC_MODELS.includes(key)) return undefined;
      model = key;
    } else if (NIC_MODELS.includes(key)) {
      model = key;
      macaddr = val;
    } else if (key === 'model') {
      model = val;
    } else if (key === 'macaddr') {
      macaddr = val;
    } else {
      options[key] = val;
    }
  }
  if (model === undefined) return undefined;
  return { model, ...(macaddr !== undefined ? { macaddr: macaddr.toUpperCase() } : {}), options };
}

export function printNet(net: NetDevice): string {
  const head = net.macaddr ? `${net.model}=${net.macaddr}` : net.model;
  const rest = Object.keys(net.options)
    .sort()
    .map((key) => `${key}=${net.options[key]}`);
  return [head, ...rest].join(',');
}

/**
 * A locally administered-looking address under `prefix`, derived from `seed` (deterministic, so
 * replaying a scenario gives the same MACs; the seed includes the simulated time and a counter).
 */
export function randomMac(prefix: string, seed: string): string {
  const bytes = createHash('sha256').update(seed).digest();
  const prefixParts = prefix.split(':').filter(Boolean);
  const tail = Array.from(bytes.subarray(0, 6 - prefixParts.length), (b) =>
    b.toString(16).toUpperCase().padStart(2, '0'),
  );
  return [...prefixParts.map((p) => p.toUpperCase()), ...tail].join(':');
}

/** Gives every `net[n]` in `config` without a MAC one, and writes each in canonical form. */
export function addRandomMacs(config: Record<string, string>, prefix: string, seed: string): void {
  for (const [key, value] of Object.entries(config)) {
    if (!/^net\d+$/.test(key)) continue;
    const net = parseNet(value);
    if (!net) continue;
    net.macaddr ??= randomMac(prefix, `${seed}:${key}`);
    config[key] = printNet(net);
  }
}
