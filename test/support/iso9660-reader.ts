/**
 * A minimal ISO 9660 reader for tests, written independently of the writer: walks the volume
 * descriptors, then the root directory of the primary tree or of the Joliet tree.
 */
const SECTOR = 2048;

export interface IsoEntry {
  name: string;
  extent: number;
  size: number;
  directory: boolean;
  data: Buffer;
}

export interface IsoVolume {
  kind: 'primary' | 'joliet';
  volumeId: string;
  volumeSpaceSize: number;
  entries: IsoEntry[];
}

function readRoot(image: Buffer, descriptor: Buffer, joliet: boolean): IsoEntry[] {
  const root = descriptor.subarray(156, 156 + 34);
  const extent = root.readUInt32LE(2);
  const size = root.readUInt32LE(10);
  if (root.readUInt32BE(6) !== extent || root.readUInt32BE(14) !== size)
    throw new Error('root record: both-endian fields disagree');
  const entries: IsoEntry[] = [];
  for (let offset = extent * SECTOR; offset < extent * SECTOR + size;) {
    const length = image[offset]!;
    if (length === 0) break;
    const record = image.subarray(offset, offset + length);
    const idLength = record[32]!;
    const id = record.subarray(33, 33 + idLength);
    const fileExtent = record.readUInt32LE(2);
    const fileSize = record.readUInt32LE(10);
    if (record.readUInt32BE(6) !== fileExtent || record.readUInt32BE(14) !== fileSize)
      throw new Error('record: both-endian fields disagree');
    offset += length;
    if (idLength === 1 && (id[0] === 0 || id[0] === 1)) continue; // "." and ".."
    let name = '';
    if (joliet) for (let i = 0; i + 1 < id.length; i += 2) name += String.fromCharCode(id.readUInt16BE(i));
    else name = id.toString('ascii');
    entries.push({
      name,
      extent: fileExtent,
      size: fileSize,
      directory: (record[25]! & 2) !== 0,
      data: image.subarray(fileExtent * SECTOR, fileExtent * SECTOR + fileSize),
    });
  }
  return entries;
}

export function readIso9660(image: Buffer): IsoVolume[] {
  const volumes: IsoVolume[] = [];
  for (let sector = 16; (sector + 1) * SECTOR <= image.length; sector++) {
    const d = image.subarray(sector * SECTOR, (sector + 1) * SECTOR);
    if (d.toString('ascii', 1, 6) !== 'CD001') throw new Error(`sector ${sector} is not a volume descriptor`);
    if (d[0] === 255) return volumes;
    const joliet = d[0] === 2 && ['%/@', '%/C', '%/E'].includes(d.toString('ascii', 88, 91));
    if (d[0] !== 1 && !joliet) continue;
    if (d.readUInt16LE(128) !== SECTOR) throw new Error('logical block size is not 2048');
    const rawId = d.subarray(40, 72);
    let volumeId = '';
    if (joliet) for (let i = 0; i < 32; i += 2) volumeId += String.fromCharCode(rawId.readUInt16BE(i));
    else volumeId = rawId.toString('ascii');
    volumes.push({
      kind: joliet ? 'joliet' : 'primary',
      volumeId: volumeId.trimEnd(),
      volumeSpaceSize: d.readUInt32LE(80),
      entries: readRoot(image, d, joliet),
    });
  }
  throw new Error('no volume descriptor set terminator');
}

/** Files of the Joliet tree by name (what Linux shows), as text. */
export function jolietFiles(image: Buffer): Record<string, string> {
  const joliet = readIso9660(image).find((v) => v.kind === 'joliet');
  if (!joliet) throw new Error('no Joliet volume');
  return Object.fromEntries(joliet.entries.map((e) => [e.name, e.data.toString('utf8')]));
}
