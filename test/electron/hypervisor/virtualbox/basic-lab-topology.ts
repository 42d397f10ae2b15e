/** The basic lab's topology as the driver receives it: 3 PVE nodes and a light NFS NAS on one host-only network. */
import type { TopologySpec } from '../../../../electron/hypervisor/driver.ts';

export function basicLabTopology(isoPath: string): TopologySpec {
  const pve = (n: number) => ({
    name: `pve${n}`,
    kind: 'pve' as const,
    memoryMiB: 1280,
    cpus: 2,
    nestedVirtualization: true,
    disks: [{ name: `pve${n}-root`, sizeGiB: 32 }],
    nics: [{ network: 'lab', address: `192.168.56.1${n}/24` }],
    iso: isoPath,
  });
  return {
    lab: 'basic',
    networks: [{ name: 'lab', cidr: '192.168.56.1/24' }],
    machines: [
      pve(1),
      pve(2),
      pve(3),
      {
        name: 'nas',
        kind: 'nfs',
        memoryMiB: 512,
        cpus: 1,
        nestedVirtualization: false,
        disks: [
          { name: 'nas-root', sizeGiB: 8 },
          { name: 'nas-data', sizeGiB: 32 },
        ],
        nics: [{ network: 'lab', address: '192.168.56.20/24' }],
      },
    ],
  };
}
