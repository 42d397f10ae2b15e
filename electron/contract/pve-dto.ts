/** What the Datacenter view learns about the open lab's Proxmox nodes. */
import type { BackendKind } from './dto.ts';

export interface DatacenterNodeInfo {
  name: string;
  /** The node's address on the lab network, e.g. 192.168.56.11. */
  address: string;
  /** Where its own web interface answers (real nodes only), e.g. https://192.168.56.11:8006. */
  webUrl: string | null;
}

export interface DatacenterInfo {
  backend: BackendKind;
  /** PVE major version of the lab (9: HA rules; 8: HA groups). */
  pveMajor: number;
  nodes: DatacenterNodeInfo[];
  /** The login every node of the lab was installed with (shown where a step needs it). */
  credentials: { username: string; password: string } | null;
  /** The lab's vars (ISO URL, NAS address…), for sensible defaults in the dialogs. */
  vars: Record<string, string | number | boolean>;
}

export interface UploadProgressInfo {
  uploadId: string;
  received: number;
  size: number;
}

export interface PveResults {
  'pve.info': DatacenterInfo;
  'pve.call': unknown;
  'pve.uploadBegin': { uploadId: string; chunkBytes: number };
  'pve.uploadChunk': UploadProgressInfo;
  /** The upload task's id (UPID). */
  'pve.uploadFinish': { upid: string };
  'pve.uploadCancel': null;
  /** Opened in an app window (desktop), or not (browser host: open `url` yourself and compare `fingerprint`). */
  'pve.openWebUi': { opened: boolean; url: string; fingerprint: string };
}
