/**
 * Every image a topology names (installer ISOs, boot-disk images, seeds) turned into a file that exists,
 * BEFORE anything is created in VirtualBox: a missing image must not leave a half-registered machine or
 * an orphan disk behind. Catalog ids go through the injected ImageResolver (download + verification live
 * there); absolute paths are taken as they are but must exist.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ImageResolver } from '../../images/resolver.ts';
import { HypervisorError, type OperationOptions, type TopologySpec } from '../driver.ts';

/** Image reference (id or path) → absolute path of a regular file. */
export type ResolvedImages = Map<string, string>;

function referencesOf(topology: TopologySpec): { machine: string; ref: string; what: string }[] {
  return topology.machines.flatMap((m) => [
    ...(m.iso ? [{ machine: m.name, ref: m.iso, what: 'installer image' }] : []),
    ...(m.bootDisk ? [{ machine: m.name, ref: m.bootDisk, what: 'boot disk image' }] : []),
    ...(m.seeds ?? []).map((ref) => ({ machine: m.name, ref, what: 'seed image' })),
  ]);
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

export async function resolveTopologyImages(
  topology: TopologySpec,
  resolver: ImageResolver | undefined,
  options: OperationOptions = {},
): Promise<ResolvedImages> {
  const resolved: ResolvedImages = new Map();
  const references = referencesOf(topology);
  for (const [index, { machine, ref, what }] of references.entries()) {
    if (resolved.has(ref)) continue;
    if (options.signal?.aborted)
      throw new HypervisorError('cancelled', `realise ${topology.lab}: cancelled while resolving images`);
    let file: string;
    if (path.isAbsolute(ref)) {
      file = ref;
    } else if (!resolver) {
      throw new HypervisorError(
        'not-found',
        `machine ${machine}: ${what} "${ref}" is a catalog id, but no image catalog is connected; ` +
          'fetch it with `nestlab images fetch` or give a file path',
        machine,
      );
    } else {
      try {
        file = await resolver.resolve(ref, {
          signal: options.signal,
          onProgress: (fraction) =>
            options.progress?.report({
              message: `Image ${ref}`,
              fraction: (index + fraction) / references.length,
            }),
        });
      } catch (error) {
        if (error instanceof HypervisorError && error.code === 'cancelled') throw error;
        throw new HypervisorError(
          options.signal?.aborted ? 'cancelled' : 'not-found',
          `machine ${machine}: ${what} "${ref}" could not be resolved to a verified file: ${(error as Error).message}`,
          machine,
        );
      }
    }
    if (!(await isFile(file))) {
      throw new HypervisorError(
        'not-found',
        `machine ${machine}: ${what} "${ref}" should be at ${file}, but there is no file there`,
        machine,
      );
    }
    resolved.set(ref, file);
  }
  return resolved;
}
