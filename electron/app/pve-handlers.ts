/**
 * The Datacenter view's calls: `pve.call` goes to the open lab's Proxmox API as it is (the view
 * is a Proxmox client like the web interface), uploads arrive in chunks. A Proxmox error reaches
 * the learner in Proxmox's own words (code `proxmox`); a node that does not answer is named.
 */
import { join } from 'node:path';

import type { ParamsOf, ResultOf } from '../contract/api.ts';
import { ApiError } from '../contract/errors.ts';
import type { DatacenterInfo } from '../contract/pve-dto.ts';
import { UPLOAD_CHUNK_BYTES } from '../contract/pve-schemas.ts';
import { PveError } from '../pve/api.ts';
import type { AppDeps } from './deps.ts';
import type { LabSession } from './lab-session.ts';
import { UploadSpool } from './pve-uploads.ts';

type PveMethodName =
  | 'pve.info'
  | 'pve.call'
  | 'pve.uploadBegin'
  | 'pve.uploadChunk'
  | 'pve.uploadFinish'
  | 'pve.uploadCancel'
  | 'pve.openWebUi';
export type PveHandlers = {
  [M in PveMethodName]: (params: ParamsOf<M>) => Promise<ResultOf<M>> | ResultOf<M>;
};

export interface PveHandlerDeps {
  /** The open lab's session; throws ApiError('conflict') when none is open. */
  session: () => LabSession;
  dataDir: string;
  openNodeWindow?: AppDeps['openNodeWindow'];
}

export function createPveHandlers(deps: PveHandlerDeps): PveHandlers {
  const spool = new UploadSpool(join(deps.dataDir, 'uploads'));
  return {
    'pve.info': () => datacenterInfo(deps.session()),
    'pve.call': async ({ node, method, path, params }) => {
      const pve = deps.session().pve;
      return asProxmoxError(() =>
        pve.request({ method, path, ...(params ? { params } : {}), ...(node ? { node } : {}) }),
      );
    },
    'pve.uploadBegin': async (target) => {
      deps.session();
      return { uploadId: await spool.begin(target), chunkBytes: UPLOAD_CHUNK_BYTES };
    },
    'pve.uploadChunk': ({ uploadId, offset, data }) => spool.chunk(uploadId, offset, data),
    'pve.uploadFinish': async ({ uploadId }) => {
      const pve = deps.session().pve;
      const upload = pve.upload?.bind(pve);
      return { upid: await asProxmoxError(() => spool.finish(uploadId, upload)) };
    },
    'pve.uploadCancel': async ({ uploadId }) => {
      await spool.cancel(uploadId);
      return null;
    },
    'pve.openWebUi': ({ node }) => {
      const session = deps.session();
      const address = datacenterInfo(session).nodes.find((n) => n.name === node);
      if (!address) throw new ApiError('not-found', `This lab has no Proxmox node "${node}".`);
      if (!address.webUrl)
        throw new ApiError('conflict', `${node} is simulated: it has no web interface of its own.`);
      const fingerprint = session.pve.endpoints().find((e) => e.name === node)?.fingerprint;
      if (!fingerprint)
        throw new ApiError(
          'conflict',
          `NestLab has not pinned ${node}'s certificate yet: wait until it answers on its API.`,
        );
      const target = { node, url: address.webUrl, fingerprint };
      deps.openNodeWindow?.(target);
      return { ...target, opened: deps.openNodeWindow !== undefined };
    },
  };
}

function datacenterInfo(session: LabSession): DatacenterInfo {
  const { lab, profile } = session;
  const backend = session.state.backend;
  const password = session.rootPassword;
  return {
    backend,
    pveMajor: Number((profile.pveVersion ?? '9').split('.')[0]) === 8 ? 8 : 9,
    nodes: profile.machines
      .filter((m) => m.kind === 'pve')
      .map((m) => {
        const address = m.nics.find((n) => n.address)?.address?.split('/')[0] ?? '';
        return {
          name: m.name,
          address,
          webUrl: !session.nodeWebInterfaces || !address ? null : `https://${address}:8006`,
        };
      }),
    credentials: password ? { username: 'root', password } : null,
    vars: { ...lab.vars },
  };
}

/** Proxmox's own message (and its per-field errors) unchanged; transport trouble names call and node. */
export async function asProxmoxError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof PveError)) throw error;
    const details = {
      call: error.call,
      ...(error.node ? { node: error.node } : {}),
      ...(error.status ? { status: error.status } : {}),
      ...(error.errors ? { errors: error.errors } : {}),
    };
    if (error.kind === 'http' && error.reason !== undefined) {
      const fields = Object.entries(error.errors ?? {}).map(
        ([key, text]) => `${key}: ${String(text).trim()}`,
      );
      throw new ApiError('proxmox', [error.reason, ...fields].join('\n'), details);
    }
    if (error.kind === 'auth') throw new ApiError('forbidden', error.message, details);
    throw new ApiError('backend-unavailable', error.message, details);
  }
}
