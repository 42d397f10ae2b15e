/** A minimal FAT12 reader for tests, independent of the writer: BPB, root directory with VFAT long names, cluster chains. */
export interface FatVolume {
  bootLabel: string;
  rootLabel?: string;
  files: Record<string, Buffer>;
}

export function readFat12(image: Buffer): FatVolume {
  if (image[510] !== 0x55 || image[511] !== 0xaa) throw new Error('no boot sector signature');
  const bytesPerSector = image.readUInt16LE(11);
  const sectorsPerCluster = image[13]!;
  const reserved = image.readUInt16LE(14);
  const fats = image[16]!;
  const rootEntries = image.readUInt16LE(17);
  const sectorsPerFat = image.readUInt16LE(22);
  const fatStart = reserved * bytesPerSector;
  const rootStart = (reserved + fats * sectorsPerFat) * bytesPerSector;
  const dataStart = rootStart + rootEntries * 32;
  const clusterBytes = sectorsPerCluster * bytesPerSector;
  for (let f = 1; f < fats; f++) {
    const copy = image.subarray(
      fatStart + f * sectorsPerFat * bytesPerSector,
      fatStart + (f + 1) * sectorsPerFat * bytesPerSector,
    );
    if (!copy.equals(image.subarray(fatStart, fatStart + sectorsPerFat * bytesPerSector)))
      throw new Error('FAT copies differ');
  }
  const next = (cluster: number): number => {
    const offset = fatStart + Math.floor((cluster * 3) / 2);
    const word = image.readUInt16LE(offset);
    return cluster % 2 === 0 ? word & 0xfff : word >> 4;
  };
  const volume: FatVolume = { bootLabel: image.toString('ascii', 43, 54).trimEnd(), files: {} };
  let longName: string[] = [];
  for (let i = 0; i < rootEntries; i++) {
    const entry = image.subarray(rootStart + i * 32, rootStart + (i + 1) * 32);
    if (entry[0] === 0) break;
    const attributes = entry[11]!;
    if (attributes === 0x0f) {
      const units: number[] = [];
      for (const at of [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30]) units.push(entry.readUInt16LE(at));
      const part = String.fromCharCode(...units.filter((u) => u !== 0xffff)).split('\0')[0]!;
      const ordinal = entry[0]! & 0x1f;
      longName[ordinal - 1] = part;
      continue;
    }
    if (attributes & 0x08) {
      volume.rootLabel = entry.toString('ascii', 0, 11).trimEnd();
      longName = [];
      continue;
    }
    const short =
      entry.toString('ascii', 0, 8).trimEnd() +
      (entry.toString('ascii', 8, 11).trim() ? `.${entry.toString('ascii', 8, 11).trim()}` : '');
    const name = longName.length ? longName.join('') : short;
    longName = [];
    const size = entry.readUInt32LE(28);
    const chunks: Buffer[] = [];
    for (let cluster = entry.readUInt16LE(26); cluster >= 2 && cluster < 0xff8; cluster = next(cluster)) {
      chunks.push(
        image.subarray(dataStart + (cluster - 2) * clusterBytes, dataStart + (cluster - 1) * clusterBytes),
      );
    }
    volume.files[name] = Buffer.concat(chunks).subarray(0, size);
  }
  return volume;
}
