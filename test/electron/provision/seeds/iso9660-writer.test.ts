import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';

import { primaryName, writeIso9660 } from '../../../../electron/provision/seeds/iso9660-writer.ts';
import { readIso9660 } from '../../../support/iso9660-reader.ts';
import { blkid, osirroxExtract, xorrisoList, xorrisoVolumeId } from '../../../support/seed-tools.ts';

const dir = mkdtempSync(join(tmpdir(), 'nestlab-iso-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const binary = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) & 255));
const files = [
  { name: 'answer.toml', data: '[global]\nkeyboard = "en-us"\n' },
  { name: 'user-data', data: binary },
  { name: 'empty', data: '' },
];

function written(volumeId: string, content = files): string {
  const path = join(dir, `${volumeId}-${Math.random().toString(36).slice(2)}.iso`);
  writeFileSync(path, writeIso9660({ volumeId, files: content, date: new Date('2026-12-04T01:00:00Z') }));
  return path;
}

describe('writeIso9660, read back by Debian tools', () => {
  it('carries the volume label blkid and udev see: PROXMOX-AIS and cidata', () => {
    expect(blkid(written('PROXMOX-AIS'))).toMatchObject({ LABEL: 'PROXMOX-AIS', TYPE: 'iso9660' });
    expect(blkid(written('cidata'))).toMatchObject({ LABEL: 'cidata', TYPE: 'iso9660' });
  });

  it('has the exact names in the Joliet tree and level-2 names in the primary tree (xorriso)', () => {
    const path = written('PROXMOX-AIS');
    expect(xorrisoVolumeId(path)).toBe('PROXMOX-AIS');
    expect(xorrisoList(path, 'joliet')).toEqual(['answer.toml', 'empty', 'user-data']);
    expect(xorrisoList(path, 'ecma119')).toEqual(['ANSWER.TOML;1', 'EMPTY.;1', 'USER_DATA.;1']);
  });

  it('stores every byte of every file (osirrox extract)', () => {
    const extracted = osirroxExtract(written('cidata'));
    expect(extracted['answer.toml']?.toString()).toBe(files[0]!.data);
    expect(extracted['user-data']).toEqual(binary);
    expect(extracted.empty?.length).toBe(0);
  });
});

describe('writeIso9660, read back by the test reader', () => {
  it('writes a primary and a Joliet volume with the same files', () => {
    const image = writeIso9660({ volumeId: 'cidata', files });
    const [primary, joliet] = readIso9660(image);
    expect(primary).toMatchObject({
      kind: 'primary',
      volumeId: 'cidata',
      volumeSpaceSize: image.length / 2048,
    });
    expect(joliet).toMatchObject({ kind: 'joliet', volumeId: 'cidata' });
    expect(joliet!.entries.map((e) => [e.name, e.data.length])).toEqual([
      ['answer.toml', files[0]!.data.length],
      ['user-data', 5000],
      ['empty', 0],
    ]);
    expect(primary!.entries.map((e) => e.extent)).toEqual(joliet!.entries.map((e) => e.extent));
  });

  it('round-trips any set of plain files', () => {
    const name = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ name, data: fc.uint8Array({ maxLength: 6000 }) }), {
          minLength: 1,
          maxLength: 8,
          selector: (f) => primaryName(f.name),
        }),
        (input) => {
          const image = writeIso9660({
            volumeId: 'TEST',
            files: input.map((f) => ({ name: f.name, data: Buffer.from(f.data) })),
          });
          const joliet = readIso9660(image).find((v) => v.kind === 'joliet')!;
          expect(joliet.entries.map((e) => [e.name, Buffer.from(e.data)])).toEqual(
            input.map((f) => [f.name, Buffer.from(f.data)]),
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses labels and names it cannot represent', () => {
    expect(() => writeIso9660({ volumeId: 'a label with spaces', files })).toThrow(
      /volume id "a label with spaces"/,
    );
    expect(() => writeIso9660({ volumeId: 'X', files: [{ name: '../etc', data: '' }] })).toThrow(
      /not a plain name/,
    );
    expect(() =>
      writeIso9660({
        volumeId: 'X',
        files: [
          { name: 'user-data', data: '' },
          { name: 'user_data', data: '' },
        ],
      }),
    ).toThrow('two files map to the ISO 9660 name USER_DATA.;1');
  });
});
