/** Sends a file from the learner's computer to a node's storage, in chunks, reporting progress. */
import type { LabClient } from '../api/client.ts';

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) binary += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(binary);
}

export interface UploadRequest {
  node: string;
  storage: string;
  content: 'iso' | 'vztmpl' | 'import';
  filename: string;
  file: Blob;
}

/** Resolves with the upload task's UPID; `onProgress` gets the bytes NestLab has received. */
export async function uploadFile(
  client: LabClient,
  request: UploadRequest,
  onProgress: (sent: number, size: number) => void,
  signal?: AbortSignal,
): Promise<string> {
  const { file, ...target } = request;
  const { uploadId, chunkBytes } = await client.call('pve.uploadBegin', { ...target, size: file.size });
  try {
    let offset = 0;
    while (offset < file.size) {
      signal?.throwIfAborted();
      const piece = new Uint8Array(await file.slice(offset, offset + chunkBytes).arrayBuffer());
      const progress = await client.call('pve.uploadChunk', { uploadId, offset, data: toBase64(piece) });
      offset = progress.received;
      onProgress(offset, file.size);
    }
    return (await client.call('pve.uploadFinish', { uploadId })).upid;
  } catch (error) {
    await client.call('pve.uploadCancel', { uploadId }).catch(() => undefined);
    throw error;
  }
}
