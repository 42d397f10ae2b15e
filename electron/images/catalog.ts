/**
 * The images NestLab knows how to fetch, with where their checksums come from. Facts from
 * shared/reference/appliances.md §1.1, §2.1, §2.5, §3.1 and §6; the digest is always read from the
 * project's own checksum file at download time, except Tiny Core, which publishes only MD5 over
 * plain HTTP: its MD5 is pinned here so the check does not trust the same channel as the file.
 */
export type DigestAlgorithm = 'sha256' | 'sha512' | 'md5';

export type ChecksumSource =
  /** A `sha256sum`-style list (`<hex>  <file>`) next to the image, e.g. SHA256SUMS. */
  | { kind: 'sums-file'; algorithm: DigestAlgorithm; name: string }
  /** A file named after the image plus a suffix (e.g. `.sha256`) whose first token is the digest. */
  | { kind: 'sidecar'; algorithm: DigestAlgorithm; suffix: string }
  /** A digest kept in the catalog itself. */
  | { kind: 'pinned'; algorithm: DigestAlgorithm; digest: string };

export type ImageFormat = 'iso' | 'raw-disk';

export interface CatalogImage {
  id: string;
  title: string;
  version: string;
  /** Name of the file in the cache (and on the servers). */
  fileName: string;
  /** Download URLs, tried in order: the official host first, then mirrors. */
  urls: string[];
  checksum: ChecksumSource;
  format: ImageFormat;
  /** Rough size for the UI before the server tells; never used to verify. */
  approxBytes: number;
  /** Official page a user can check the file against. */
  homepage: string;
}

export const IMAGE_CATALOG: readonly CatalogImage[] = [
  {
    id: 'proxmox-ve-9-1',
    title: 'Proxmox VE 9.1 installer ISO',
    version: '9.1-1',
    fileName: 'proxmox-ve_9.1-1.iso',
    // enterprise.proxmox.com first: download.proxmox.com (CDN) once served the wrong certificate.
    urls: [
      'https://enterprise.proxmox.com/iso/proxmox-ve_9.1-1.iso',
      'https://download.proxmox.com/iso/proxmox-ve_9.1-1.iso',
    ],
    checksum: { kind: 'sums-file', algorithm: 'sha256', name: 'SHA256SUMS' },
    format: 'iso',
    approxBytes: 1_831_886_848,
    homepage: 'https://www.proxmox.com/en/downloads/proxmox-virtual-environment/iso',
  },
  {
    id: 'proxmox-ve-9-2',
    title: 'Proxmox VE 9.2 installer ISO',
    version: '9.2-1',
    fileName: 'proxmox-ve_9.2-1.iso',
    urls: [
      'https://enterprise.proxmox.com/iso/proxmox-ve_9.2-1.iso',
      'https://download.proxmox.com/iso/proxmox-ve_9.2-1.iso',
    ],
    checksum: { kind: 'sums-file', algorithm: 'sha256', name: 'SHA256SUMS' },
    format: 'iso',
    approxBytes: 1_800_000_000,
    homepage: 'https://www.proxmox.com/en/downloads/proxmox-virtual-environment/iso',
  },
  {
    id: 'debian-13-nfs',
    title: 'Debian 13 (trixie) generic cloud image, for the light NFS server',
    version: 'trixie latest',
    fileName: 'debian-13-generic-amd64.raw',
    // "generic", not "genericcloud": the standard kernel has the AHCI and e1000 drivers VirtualBox needs.
    urls: ['https://cloud.debian.org/images/cloud/trixie/latest/debian-13-generic-amd64.raw'],
    checksum: { kind: 'sums-file', algorithm: 'sha512', name: 'SHA512SUMS' },
    format: 'raw-disk',
    approxBytes: 3_221_225_472,
    homepage: 'https://cloud.debian.org/images/cloud/',
  },
  {
    id: 'truenas-ce-25-10',
    title: 'TrueNAS Community Edition 25.10 (Goldeye) installer ISO',
    version: '25.10.6',
    fileName: 'TrueNAS-SCALE-25.10.6.iso',
    // The train name (Goldeye) is part of the path and cannot be derived from the version.
    urls: [
      'https://download.sys.truenas.net/TrueNAS-SCALE-Goldeye/25.10.6/TrueNAS-SCALE-25.10.6.iso',
      'https://download.truenas.com/TrueNAS-SCALE-Goldeye/25.10.6/TrueNAS-SCALE-25.10.6.iso',
    ],
    checksum: { kind: 'sidecar', algorithm: 'sha256', suffix: '.sha256' },
    format: 'iso',
    approxBytes: 2_150_000_000,
    homepage: 'https://www.truenas.com/download-truenas-community-edition/',
  },
  {
    id: 'tinycore-core-17',
    title: 'Tiny Core Linux 17.1 "Core" ISO (x86), the HA guest',
    version: '17.1',
    fileName: 'Core-17.1.iso',
    urls: [
      'http://tinycorelinux.net/17.x/x86/release/Core-17.1.iso',
      'http://distro.ibiblio.org/tinycorelinux/17.x/x86/release/Core-17.1.iso',
    ],
    // The value of Core-17.1.iso.md5.txt, pinned (appliances.md §3.1/§6).
    checksum: { kind: 'pinned', algorithm: 'md5', digest: '8d5efae4cbf4ba463fa012d29e58918e' },
    format: 'iso',
    approxBytes: 20_000_000,
    homepage: 'http://tinycorelinux.net/downloads.html',
  },
];

export function findCatalogImage(
  id: string,
  catalog: readonly CatalogImage[] = IMAGE_CATALOG,
): CatalogImage | undefined {
  return catalog.find((image) => image.id === id);
}
