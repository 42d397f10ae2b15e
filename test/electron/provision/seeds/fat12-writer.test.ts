import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';

import { lfnChecksum, shortName, writeFat12 } from '../../../../electron/provision/seeds/fat12-writer.ts';
import { readFat12 } from '../../../support/fat12-reader.ts';
import { blkid, mtoolsLabel, mtoolsList, mtoolsSectors, mtoolsType } from '../../../support/seed-tools.ts';

const dir = mkdtempSync(join(tmpdir(), 'nestlab-fat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const big = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 13) & 255));
const files = [
  { name: 'answer.toml', data: '[global]\nkeyboard = "en-us"\n' },
  { name: 'network-config', data: big },
  { name: 'user-data', data: '#cloud-config\n' },
  { name: 'empty', data: '' },
];

function written(label: string): string {
  const path = join(dir, `${label}-${Math.random().toString(36).slice(2)}.img`);
  writeFileSync(path, writeFat12({ volumeLabel: label, files, date: new Date('2026-12-04T01:00:00Z') }));
  return path;
}

describe('writeFat12, read back by Debian tools', () => {
  it('is a vfat file system whose label blkid (udev) and mtools see', () => {
    const path = written('PROXMOX-AIS');
    expect(blkid(path)).toMatchObject({
      LABEL: 'PROXMOX-AIS',
      LABEL_FATBOOT: 'PROXMOX-AIS',
      TYPE: 'vfat',
      VERSION: 'FAT12',
    });
    expect(mtoolsLabel(path)).toBe('PROXMOX-AIS');
    expect(mtoolsSectors(path)).toBe(2880);
  });

  it('lists the long names and returns every byte (mdir, mtype)', () => {
    const path = written('CIDATA');
    expect(mtoolsList(path)).toEqual(['answer.toml', 'empty', 'network-config', 'user-data']);
    expect(mtoolsType(path, 'answer.toml').toString()).toBe(files[0]!.data);
    expect(mtoolsType(path, 'network-config')).toEqual(big);
    expect(mtoolsType(path, 'empty').length).toBe(0);
  });
});

describe('writeFat12, read back by the test reader', () => {
  it('has the label in the boot sector and the root directory, and the files under their long names', () => {
    const volume = readFat12(writeFat12({ volumeLabel: 'CIDATA', files }));
    expect(volume.bootLabel).toBe('CIDATA');
    expect(volume.rootLabel).toBe('CIDATA');
    expect(Object.keys(volume.files)).toEqual(['answer.toml', 'network-config', 'user-data', 'empty']);
    expect(volume.files['network-config']).toEqual(big);
  });

  it('round-trips any set of plain files', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            name: fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,30}[a-z0-9_-]$/),
            data: fc.uint8Array({ maxLength: 4000 }),
          }),
          { minLength: 1, maxLength: 8, selector: (f) => f.name },
        ),
        (input) => {
          const volume = readFat12(
            writeFat12({
              volumeLabel: 'TEST',
              files: input.map((f) => ({ name: f.name, data: Buffer.from(f.data) })),
            }),
          );
          const byName = (a: [string, Buffer], b: [string, Buffer]): number => a[0].localeCompare(b[0]);
          expect(
            Object.entries(volume.files)
              .map(([name, data]): [string, Buffer] => [name, Buffer.from(data)])
              .sort(byName),
          ).toEqual(input.map((f): [string, Buffer] => [f.name, Buffer.from(f.data)]).sort(byName));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('makes unique 8.3 names and the LFN checksum of the specification', () => {
    const taken = new Set<string>();
    expect(shortName('user-data', taken)).toBe('USER-D~1   ');
    expect(shortName('user-data2', taken)).toBe('USER-D~2   ');
    expect(shortName('user-data.bak', taken)).toBe('USER-D~1BAK');
    expect(shortName('answer.toml', taken)).toBe('ANSWER~1TOM');
    // Worked example: the checksum is a rotate-right-and-add over the 11 bytes.
    let sum = 0;
    for (const c of 'ANSWER~1TOM') sum = (((sum & 1) << 7) + (sum >> 1) + c.charCodeAt(0)) & 0xff;
    expect(lfnChecksum('ANSWER~1TOM')).toBe(sum);
  });

  it('refuses labels FAT cannot hold and files that do not fit', () => {
    expect(() => writeFat12({ volumeLabel: 'cidata', files })).toThrow(
      /volume label "cidata" must be 1–11 upper-case/,
    );
    expect(() => writeFat12({ volumeLabel: 'X', files: [{ name: 'trailing.', data: '' }] })).toThrow(
      /not a plain name/,
    );
    expect(() =>
      writeFat12({ volumeLabel: 'X', files: [{ name: 'big', data: Buffer.alloc(1_500_000) }] }),
    ).toThrow('the files do not fit on a 1.44 MB FAT12 image');
  });
});
