import { describe, expect, it } from 'vitest';

import { IMAGE_CATALOG } from '../../../electron/images/catalog.ts';
import {
  checksumUrlFor,
  digestFromSidecar,
  digestFromSumsList,
  isDigest,
} from '../../../electron/images/checksum-source.ts';
import { shippedLab, SHIPPED_LABS } from '../provision/seeds/lab-fixture.ts';

describe('the image catalog', () => {
  it('has every image the shipped labs name', async () => {
    const ids = new Set(IMAGE_CATALOG.map((i) => i.id));
    for (const id of SHIPPED_LABS) {
      const lab = await shippedLab(id);
      for (const profile of lab.profiles) {
        for (const image of [
          ...profile.images,
          ...profile.machines.flatMap((m) => (m.image ? [m.image] : [])),
        ]) {
          expect(ids.has(image), `${id}/${profile.id} uses ${image}`).toBe(true);
        }
      }
    }
  });

  it('downloads over HTTPS unless the digest is pinned in the catalog', () => {
    for (const image of IMAGE_CATALOG) {
      for (const url of image.urls) {
        expect(url.startsWith('https://') || image.checksum.kind === 'pinned', `${image.id}: ${url}`).toBe(
          true,
        );
        expect(new URL(url).pathname.endsWith(`/${image.fileName}`), `${image.id}: ${url}`).toBe(true);
      }
      if (image.checksum.kind === 'pinned')
        expect(isDigest(image.checksum.algorithm, image.checksum.digest)).toBe(true);
    }
  });

  it('finds the checksum file beside the image', () => {
    const pve = IMAGE_CATALOG.find((i) => i.id === 'proxmox-ve-9-1')!;
    const nas = IMAGE_CATALOG.find((i) => i.id === 'truenas-ce-25-10')!;
    const debian = IMAGE_CATALOG.find((i) => i.id === 'debian-13-nfs')!;
    expect(checksumUrlFor(pve, pve.urls[0]!)).toBe('https://enterprise.proxmox.com/iso/SHA256SUMS');
    expect(checksumUrlFor(nas, nas.urls[0]!)).toBe(`${nas.urls[0]}.sha256`);
    expect(checksumUrlFor(debian, debian.urls[0]!)).toBe(
      'https://cloud.debian.org/images/cloud/trixie/latest/SHA512SUMS',
    );
  });
});

describe('checksum files', () => {
  const a = 'a'.repeat(64);
  const b = 'b'.repeat(64);

  it('reads sha256sum lists, text and binary mode, ./ prefixes and CRLF', () => {
    const list = `${a}  proxmox-ve_9.0-1.iso\r\n${b} *./proxmox-ve_9.1-1.iso\r\n`;
    expect(digestFromSumsList(list, 'proxmox-ve_9.1-1.iso', 'sha256')).toBe(b);
    expect(digestFromSumsList(list, 'proxmox-ve_9.1', 'sha256')).toBeUndefined();
    expect(digestFromSumsList(`${a.toUpperCase()}  x.iso`, 'x.iso', 'sha256')).toBe(a);
    expect(digestFromSumsList(`${a}  x.iso`, 'x.iso', 'sha512')).toBeUndefined();
  });

  it('reads the first token of a sidecar', () => {
    expect(digestFromSidecar(`${a}  TrueNAS-SCALE-25.10.6.iso\n`, 'sha256')).toBe(a);
    expect(digestFromSidecar(`${a}\n`, 'sha256')).toBe(a);
    expect(digestFromSidecar('<html>not found</html>', 'sha256')).toBeUndefined();
  });
});
