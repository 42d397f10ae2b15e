/**
 * A small FAT12 writer for seed media: a 1.44 MB "superfloppy" image (no partition table, the file
 * system starts at sector 0) with the volume label in both the boot sector and the root directory,
 * and VFAT long file names so Linux sees `answer.toml` / `user-data`, not 8.3 names. Attached to a
 * VM as a raw disk, it shows up under /dev/disk/by-label/<label> like the ISO does.
 * Written from Microsoft's "FAT: General Overview of On-Disk Format" (FAT12 packing, LFN entries).
 */
const SECTOR = 512;
const TOTAL_SECTORS = 2880;
const RESERVED = 1;
const FATS = 2;
const SECTORS_PER_FAT = 9;
const ROOT_ENTRIES = 224;
const ROOT_SECTORS = (ROOT_ENTRIES * 32) / SECTOR;
const DATA_START = RESERVED + FATS * SECTORS_PER_FAT + ROOT_SECTORS;
const CLUSTERS = TOTAL_SECTORS - DATA_START;

export interface FatFile {
  name: string;
  data: Buffer | string;
}

export interface FatOptions {
  /** Up to 11 characters: upper-case letters, digits, '-' and '_' (FAT keeps labels upper case). */
  volumeLabel: string;
  files: FatFile[];
  date?: Date;
}

function fatTime(date: Date): number {
  return (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2);
}

function fatDate(date: Date): number {
  return (
    ((Math.max(date.getUTCFullYear(), 1980) - 1980) << 9) |
    ((date.getUTCMonth() + 1) << 5) |
    date.getUTCDate()
  );
}

function setFat12(fat: Buffer, cluster: number, value: number): void {
  const offset = Math.floor((cluster * 3) / 2);
  if (cluster % 2 === 0) {
    fat[offset] = value & 0xff;
    fat[offset + 1] = (fat[offset + 1]! & 0xf0) | ((value >> 8) & 0x0f);
  } else {
    fat[offset] = (fat[offset]! & 0x0f) | ((value & 0x0f) << 4);
    fat[offset + 1] = (value >> 4) & 0xff;
  }
}

/** The 11-byte 8.3 name for a long name, unique within `taken` (BASIS~N.EXT). */
export function shortName(name: string, taken: Set<string>): string {
  const clean = (text: string): string => text.toUpperCase().replace(/[^A-Z0-9_-]/g, '_');
  const dot = name.lastIndexOf('.');
  const base = clean(dot > 0 ? name.slice(0, dot) : name).replace(/_+$/, '') || 'FILE';
  const ext = dot > 0 ? clean(name.slice(dot + 1)).slice(0, 3) : '';
  for (let n = 1; n < 1000; n++) {
    const tail = `~${n}`;
    const candidate = `${base.slice(0, 8 - tail.length)}${tail}`.padEnd(8, ' ') + ext.padEnd(3, ' ');
    if (!taken.has(candidate)) {
      taken.add(candidate);
      return candidate;
    }
  }
  throw new Error(`no free 8.3 name for ${name}`);
}

export function lfnChecksum(short: string): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = (((sum & 1) << 7) + (sum >> 1) + short.charCodeAt(i)) & 0xff;
  return sum;
}

/** The long-name entries for `name`, in on-disk order (highest ordinal first). */
function lfnEntries(name: string, checksum: number): Buffer[] {
  const units = [...name].map((c) => c.charCodeAt(0));
  const count = Math.ceil((units.length + 1) / 13);
  const padded = [...units, 0x0000];
  while (padded.length < count * 13) padded.push(0xffff);
  const entries: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const entry = Buffer.alloc(32);
    entry[0] = (i + 1) | (i === count - 1 ? 0x40 : 0);
    const chunk = padded.slice(i * 13, i * 13 + 13);
    const slots = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
    chunk.forEach((unit, k) => entry.writeUInt16LE(unit, slots[k]!));
    entry[11] = 0x0f;
    entry[12] = 0;
    entry[13] = checksum;
    entry.writeUInt16LE(0, 26);
    entries.push(entry);
  }
  return entries.reverse();
}

function shortEntry(short: string, attributes: number, cluster: number, size: number, date: Date): Buffer {
  const entry = Buffer.alloc(32);
  entry.write(short, 0, 11, 'ascii');
  entry[11] = attributes;
  entry.writeUInt16LE(fatTime(date), 14); // created
  entry.writeUInt16LE(fatDate(date), 16);
  entry.writeUInt16LE(fatDate(date), 18); // accessed
  entry.writeUInt16LE(fatTime(date), 22); // modified
  entry.writeUInt16LE(fatDate(date), 24);
  entry.writeUInt16LE(cluster, 26);
  entry.writeUInt32LE(size, 28);
  return entry;
}

export function writeFat12(options: FatOptions): Buffer {
  const { volumeLabel } = options;
  if (!/^[A-Z0-9_-]{1,11}$/.test(volumeLabel)) {
    throw new Error(`volume label "${volumeLabel}" must be 1–11 upper-case letters, digits, '-' or '_'`);
  }
  const date = options.date ?? new Date();
  const image = Buffer.alloc(TOTAL_SECTORS * SECTOR);
  const label = volumeLabel.padEnd(11, ' ');

  // Boot sector with the DOS 4.0 extended BPB.
  image.set([0xeb, 0x3c, 0x90], 0);
  image.write('NESTLAB ', 3, 8, 'ascii');
  image.writeUInt16LE(SECTOR, 11);
  image[13] = 1; // sectors per cluster
  image.writeUInt16LE(RESERVED, 14);
  image[16] = FATS;
  image.writeUInt16LE(ROOT_ENTRIES, 17);
  image.writeUInt16LE(TOTAL_SECTORS, 19);
  image[21] = 0xf0; // media: 3.5" 1.44 MB
  image.writeUInt16LE(SECTORS_PER_FAT, 22);
  image.writeUInt16LE(18, 24); // sectors per track
  image.writeUInt16LE(2, 26); // heads
  image[38] = 0x29; // extended boot signature
  image.writeUInt32LE((fatDate(date) << 16) | fatTime(date), 39); // volume serial
  image.write(label, 43, 11, 'ascii');
  image.write('FAT12   ', 54, 8, 'ascii');
  image[510] = 0x55;
  image[511] = 0xaa;

  const fat = Buffer.alloc(SECTORS_PER_FAT * SECTOR);
  setFat12(fat, 0, 0xff0);
  setFat12(fat, 1, 0xfff);

  const root: Buffer[] = [shortEntry(label, 0x08, 0, 0, date)];
  const taken = new Set<string>();
  let nextCluster = 2;
  for (const file of options.files) {
    // No trailing dot: FAT drivers strip it, so the name would not read back as written.
    if (!/^[A-Za-z0-9._-]{0,63}[A-Za-z0-9_-]$/.test(file.name))
      throw new Error(`file name "${file.name}" is not a plain name`);
    const data = Buffer.isBuffer(file.data) ? file.data : Buffer.from(file.data, 'utf8');
    const clusters = Math.ceil(data.length / SECTOR);
    if (nextCluster - 2 + clusters > CLUSTERS)
      throw new Error('the files do not fit on a 1.44 MB FAT12 image');
    const first = clusters ? nextCluster : 0;
    for (let c = 0; c < clusters; c++) {
      const cluster = nextCluster + c;
      setFat12(fat, cluster, c === clusters - 1 ? 0xfff : cluster + 1);
      data.copy(image, (DATA_START + cluster - 2) * SECTOR, c * SECTOR, (c + 1) * SECTOR);
    }
    nextCluster += clusters;
    const short = shortName(file.name, taken);
    root.push(
      ...lfnEntries(file.name, lfnChecksum(short)),
      shortEntry(short, 0x20, first, data.length, date),
    );
  }
  if (root.length > ROOT_ENTRIES) throw new Error('too many files for the root directory');
  for (let i = 0; i < FATS; i++) fat.copy(image, (RESERVED + i * SECTORS_PER_FAT) * SECTOR);
  Buffer.concat(root).copy(image, (RESERVED + FATS * SECTORS_PER_FAT) * SECTOR);
  return image;
}
