/**
 * A VMDK "monolithicFlat" descriptor that makes a raw disk image (the Debian cloud image) openable as a
 * VirtualBox hard disk without converting it first: VirtualBox does not probe raw files as hard disks,
 * but it opens a VMDK whose single FLAT extent is the raw file (what `VBoxManage convertfromraw` saves
 * us from). The realiser then clones it into the machine's own VDI. Pure text, unit-tested.
 */

const SECTOR = 512;

export function rawDiskDescriptor(rawPath: string, sizeBytes: number): string {
  if (sizeBytes <= 0 || sizeBytes % SECTOR !== 0) {
    throw new Error(
      `raw disk image ${rawPath} is ${sizeBytes} bytes, not a whole number of 512-byte sectors`,
    );
  }
  if (/["\r\n]/.test(rawPath))
    throw new Error(`raw disk image path ${rawPath} cannot be written into a VMDK descriptor`);
  const sectors = sizeBytes / SECTOR;
  // The usual fake geometry for large disks: 16 heads, 63 sectors per track, cylinders capped at 16383.
  const cylinders = Math.min(16383, Math.floor(sectors / (16 * 63)));
  return [
    '# Disk DescriptorFile',
    'version=1',
    'CID=fffffffe',
    'parentCID=ffffffff',
    'createType="monolithicFlat"',
    '',
    '# Extent description',
    `RDONLY ${sectors} FLAT "${rawPath}" 0`,
    '',
    '# The disk Data Base',
    'ddb.virtualHWVersion = "4"',
    'ddb.adapterType = "ide"',
    `ddb.geometry.cylinders = "${cylinders}"`,
    'ddb.geometry.heads = "16"',
    'ddb.geometry.sectors = "63"',
    '',
  ].join('\n');
}

/** Reads back the extent of a descriptor written above: path and size in bytes. */
export function parseRawDiskDescriptor(text: string): { path: string; sizeBytes: number } | undefined {
  const match = /^(?:RW|RDONLY) (\d+) FLAT "([^"]+)" 0$/m.exec(text);
  if (!match || !/createType="monolithicFlat"/.test(text)) return undefined;
  return { path: match[2] ?? '', sizeBytes: Number(match[1]) * SECTOR };
}

/** Disk images VirtualBox opens directly; anything else (.raw, .img) goes through a descriptor. */
export function isNativeDiskImage(file: string): boolean {
  return /\.(vdi|vmdk|vhd|vhdx|qcow2?|qed|parallels|hdd)$/i.test(file);
}
