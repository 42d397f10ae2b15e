/**
 * Reads a lab file the way a hostile lab folder cannot abuse: only a regular file, only inside
 * its own lab folder (a symbolic link may point within the folder, never out of it), and only up
 * to the size limit, checked before reading. Opening never blocks: a FIFO or a device in place of
 * `lab.yaml` is refused, not waited on.
 */
import { constants } from 'node:fs';
import { lstat, open, realpath } from 'node:fs/promises';
import { dirname, sep } from 'node:path';

export type LabFileRead = { ok: true; text: string } | { ok: false; message: string };

function kindOf(info: {
  isDirectory(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

export async function readLabFile(file: string, maxBytes: number): Promise<LabFileRead> {
  let real: string;
  try {
    const link = await lstat(file);
    real = link.isSymbolicLink() ? await realpath(file) : file;
    if (link.isSymbolicLink()) {
      const folder = await realpath(dirname(file));
      if (!real.startsWith(folder + sep)) {
        return {
          ok: false,
          message:
            'is a link to a file outside its lab folder; lab files are read only from inside the folder',
        };
      }
    }
  } catch (e) {
    return { ok: false, message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer for ever.
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);
  let handle;
  try {
    handle = await open(real, flags);
  } catch (e) {
    return { ok: false, message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { ok: false, message: `is ${kindOf(info)}, not a lab file` };
    if (info.size > maxBytes) {
      return { ok: false, message: `file too large (expected at most ${maxBytes} bytes, got ${info.size})` };
    }
    // Read at most one byte past the limit, in case the file grows while we read it.
    const buffer = Buffer.allocUnsafe(maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    if (length > maxBytes) {
      return { ok: false, message: `file too large (expected at most ${maxBytes} bytes)` };
    }
    return { ok: true, text: buffer.subarray(0, length).toString('utf8') };
  } catch (e) {
    return { ok: false, message: `cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  } finally {
    await handle.close();
  }
}
