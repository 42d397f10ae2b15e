/**
 * The Tiny Core guest's ISO goes from the host's verified cache to the cluster's shared NFS storage
 * through Proxmox's upload API — never downloaded by a guest (the lab network has no internet).
 */
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { HypervisorError } from '../../hypervisor/driver.ts';
import type { ImageResolver } from '../../images/resolver.ts';
import type { IsoUploader, MachineProgress } from './install-ports.ts';

export interface TinyCoreUpload {
  image: string;
  node: string;
  storage: string;
  /** Name on the storage; default the cached file's name. */
  filename?: string;
}

export async function uploadTinyCore(
  request: TinyCoreUpload,
  images: ImageResolver,
  uploader: IsoUploader,
  report: (progress: MachineProgress) => void,
  signal?: AbortSignal,
): Promise<{ filename: string; upid: string }> {
  const file = await images.resolve(request.image, { signal });
  const filename = request.filename ?? path.basename(file);
  report({
    machine: request.node,
    stage: 'upload',
    fraction: 0,
    message: `Uploading ${filename} to ${request.storage}`,
  });
  const upid = await uploader.upload({
    node: request.node,
    storage: request.storage,
    content: 'iso',
    filename,
    file: await openAsBlob(file),
    signal,
  });
  const result = await uploader.waitForTask(upid, { signal });
  if (!result.ok)
    throw new HypervisorError(
      'failed',
      `uploading ${filename} to ${request.storage} on ${request.node} failed: ${result.exitstatus}`,
      request.node,
    );
  report({
    machine: request.node,
    stage: 'upload',
    fraction: 1,
    message: `${filename} is on ${request.storage}`,
  });
  return { filename, upid };
}
