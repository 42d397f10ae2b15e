/**
 * A small ISO 9660 writer for seed media: one root directory of a few files, a primary volume
 * descriptor with level-2 names (`ANSWER.TOML;1`) and a Joliet supplementary descriptor carrying the
 * exact names (`answer.toml`, `user-data`), which Linux's isofs prefers when no Rock Ridge is present.
 * Layout (2048-byte sectors): 0–15 system area, 16 PVD, 17 Joliet SVD, 18 terminator, 19–22 path
 * tables (L/M for each tree), 23 primary root, 24 Joliet root, then the file extents.
 * Written from ECMA-119 (4th edition) and the Joliet specification (1995).
 */
const SECTOR = 2048;
const MAX_FILES = 40; // a root directory of one sector each tree, checked below

export interface IsoFile {
  /** Exact name as Linux should see it (Joliet): letters, digits, '.', '-', '_'. */
  name: string;
  data: Buffer | string;
}

export interface IsoOptions {
  /** Volume label (what blkid reports as LABEL and udev links under /dev/disk/by-label/). */
  volumeId: string;
  files: IsoFile[];
  /** Recorded as every timestamp; fixed in tests so the image is reproducible. */
  date?: Date;
  applicationId?: string;
}

const both16 = (value: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(value, 0);
  b.writeUInt16BE(value, 2);
  return b;
};

const both32 = (value: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(value, 0);
  b.writeUInt32BE(value, 4);
  return b;
};

/** a-/d-character field, space padded. */
const ascii = (text: string, length: number): Buffer =>
  Buffer.from(text.padEnd(length, ' ').slice(0, length), 'ascii');

/** Joliet text field: UCS-2 big endian, padded with UCS-2 spaces. */
function ucs2(text: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i + 1 < length; i += 2) out.writeUInt16BE(0x20, i);
  for (let i = 0; i < text.length && i * 2 + 1 < length; i++) out.writeUInt16BE(text.charCodeAt(i), i * 2);
  return out;
}

/** 7-byte directory-record date, UTC. */
function recordDate(date: Date): Buffer {
  return Buffer.from([
    date.getUTCFullYear() - 1900,
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    0,
  ]);
}

/** 17-byte volume-descriptor date "YYYYMMDDHHMMSScc" + GMT offset, UTC. */
function volumeDate(date: Date): Buffer {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const text =
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds()) +
    '00';
  return Buffer.concat([Buffer.from(text, 'ascii'), Buffer.from([0])]);
}

const UNSET_DATE = Buffer.concat([Buffer.from('0000000000000000', 'ascii'), Buffer.from([0])]);

function directoryRecord(
  extent: number,
  size: number,
  flags: number,
  identifier: Buffer,
  date: Date,
): Buffer {
  const length = 33 + identifier.length + (identifier.length % 2 === 0 ? 1 : 0);
  const record = Buffer.alloc(length);
  record[0] = length;
  record[1] = 0;
  both32(extent).copy(record, 2);
  both32(size).copy(record, 10);
  recordDate(date).copy(record, 18);
  record[25] = flags;
  record[26] = 0;
  record[27] = 0;
  both16(1).copy(record, 28);
  record[32] = identifier.length;
  identifier.copy(record, 33);
  return record;
}

/** Level-2 ECMA-119 file identifier: d-characters, one dot, version ";1". */
export function primaryName(name: string): string {
  const upper = name.toUpperCase().replace(/[^A-Z0-9_.]/g, '_');
  const dot = upper.lastIndexOf('.');
  const base = (dot >= 0 ? upper.slice(0, dot) : upper).replace(/\./g, '_');
  const ext = dot >= 0 ? upper.slice(dot + 1) : '';
  return `${base.slice(0, 30 - Math.min(ext.length, 29))}.${ext.slice(0, 29)}`.slice(0, 31) + ';1';
}

function pathTable(rootExtent: number, littleEndian: boolean): Buffer {
  const entry = Buffer.alloc(10);
  entry[0] = 1; // identifier length: the root's single 0x00
  entry[1] = 0;
  if (littleEndian) entry.writeUInt32LE(rootExtent, 2);
  else entry.writeUInt32BE(rootExtent, 2);
  if (littleEndian) entry.writeUInt16LE(1, 6);
  else entry.writeUInt16BE(1, 6);
  entry[8] = 0;
  return entry;
}

interface Layout {
  files: { name: string; primary: string; data: Buffer; extent: number }[];
  totalSectors: number;
}

const PVD_SECTOR = 16;
const L_TABLE = 19;
const M_TABLE = 20;
const JL_TABLE = 21;
const JM_TABLE = 22;
const PRIMARY_ROOT = 23;
const JOLIET_ROOT = 24;
const FIRST_FILE = 25;

function volumeDescriptor(
  type: 1 | 2,
  options: Required<Pick<IsoOptions, 'volumeId' | 'applicationId'>> & { date: Date },
  totalSectors: number,
): Buffer {
  const joliet = type === 2;
  const text = joliet ? ucs2 : ascii;
  const d = Buffer.alloc(SECTOR);
  d[0] = type;
  d.write('CD001', 1, 'ascii');
  d[6] = 1;
  text('', 32).copy(d, 8); // system identifier
  text(options.volumeId, 32).copy(d, 40);
  both32(totalSectors).copy(d, 80);
  if (joliet) d.write('%/E', 88, 'ascii'); // UCS-2 level 3
  both16(1).copy(d, 120); // volume set size
  both16(1).copy(d, 124); // volume sequence number
  both16(SECTOR).copy(d, 128);
  both32(10).copy(d, 132); // path table size
  d.writeUInt32LE(joliet ? JL_TABLE : L_TABLE, 140);
  d.writeUInt32BE(joliet ? JM_TABLE : M_TABLE, 148);
  directoryRecord(joliet ? JOLIET_ROOT : PRIMARY_ROOT, SECTOR, 2, Buffer.from([0]), options.date).copy(
    d,
    156,
  );
  text('', 128).copy(d, 190); // volume set
  text('', 128).copy(d, 318); // publisher
  text('', 128).copy(d, 446); // data preparer
  text(options.applicationId, 128).copy(d, 574);
  text('', 37).copy(d, 702); // copyright file
  text('', 37).copy(d, 739); // abstract file
  text('', 37).copy(d, 776); // bibliographic file
  volumeDate(options.date).copy(d, 813); // creation
  volumeDate(options.date).copy(d, 830); // modification
  UNSET_DATE.copy(d, 847); // expiration
  UNSET_DATE.copy(d, 864); // effective
  d[881] = 1; // file structure version
  return d;
}

function rootDirectory(layout: Layout, joliet: boolean, date: Date): Buffer {
  const sector = Buffer.alloc(SECTOR);
  const self = joliet ? JOLIET_ROOT : PRIMARY_ROOT;
  const records = [
    directoryRecord(self, SECTOR, 2, Buffer.from([0]), date),
    directoryRecord(self, SECTOR, 2, Buffer.from([1]), date),
    ...layout.files.map((file) =>
      directoryRecord(
        file.extent,
        file.data.length,
        0,
        joliet ? ucs2(file.name, file.name.length * 2) : Buffer.from(file.primary, 'ascii'),
        date,
      ),
    ),
  ];
  let offset = 0;
  for (const record of records) {
    if (offset + record.length > SECTOR) throw new Error('too many files for a one-sector root directory');
    record.copy(sector, offset);
    offset += record.length;
  }
  return sector;
}

export function writeIso9660(options: IsoOptions): Buffer {
  const { volumeId } = options;
  if (!/^[A-Za-z0-9_-]{1,16}$/.test(volumeId)) {
    throw new Error(
      `volume id "${volumeId}" must be 1–16 letters, digits, '-' or '_' (it must fit Joliet's 16 characters)`,
    );
  }
  if (options.files.length > MAX_FILES) throw new Error(`at most ${MAX_FILES} files`);
  const names = new Set<string>();
  let next = FIRST_FILE;
  const files = options.files.map((file) => {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(file.name))
      throw new Error(`file name "${file.name}" is not a plain name`);
    const primary = primaryName(file.name);
    if (names.has(primary)) throw new Error(`two files map to the ISO 9660 name ${primary}`);
    names.add(primary);
    const data = Buffer.isBuffer(file.data) ? file.data : Buffer.from(file.data, 'utf8');
    const extent = next;
    next += Math.max(1, Math.ceil(data.length / SECTOR));
    return { name: file.name, primary, data, extent };
  });
  const layout: Layout = { files, totalSectors: next };
  const date = options.date ?? new Date();
  const descriptorOptions = { volumeId, applicationId: options.applicationId ?? 'NESTLAB', date };

  const image = Buffer.alloc(layout.totalSectors * SECTOR);
  volumeDescriptor(1, descriptorOptions, layout.totalSectors).copy(image, PVD_SECTOR * SECTOR);
  volumeDescriptor(2, descriptorOptions, layout.totalSectors).copy(image, (PVD_SECTOR + 1) * SECTOR);
  const terminator = Buffer.alloc(SECTOR);
  terminator[0] = 255;
  terminator.write('CD001', 1, 'ascii');
  terminator[6] = 1;
  terminator.copy(image, (PVD_SECTOR + 2) * SECTOR);
  pathTable(PRIMARY_ROOT, true).copy(image, L_TABLE * SECTOR);
  pathTable(PRIMARY_ROOT, false).copy(image, M_TABLE * SECTOR);
  pathTable(JOLIET_ROOT, true).copy(image, JL_TABLE * SECTOR);
  pathTable(JOLIET_ROOT, false).copy(image, JM_TABLE * SECTOR);
  rootDirectory(layout, false, date).copy(image, PRIMARY_ROOT * SECTOR);
  rootDirectory(layout, true, date).copy(image, JOLIET_ROOT * SECTOR);
  for (const file of files) file.data.copy(image, file.extent * SECTOR);
  return image;
}
