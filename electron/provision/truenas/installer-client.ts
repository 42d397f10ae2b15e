/**
 * The TrueNAS live ISO's installer API (truenas/truenas-installer, `truenas_installer/server/api/`):
 * JSON-RPC 2.0 over WebSocket at ws://<ip>/ws (nginx in front of the installer's :8080). Each
 * method takes exactly one object parameter or none; `install` reports progress as
 * `installation_progress` notifications `[{progress, message}]` and answers when it is done.
 */
import { JsonRpcSocket, type RpcSocketOptions } from './json-rpc-socket.ts';

export interface InstallerSystemInfo {
  installation_running: boolean;
  version: string;
  efi: boolean;
}

export interface InstallerDisk {
  name: string;
  size: number;
  model?: string;
  label?: string;
  removable?: boolean;
  zfs_members?: { name: string; pool: string }[];
}

export interface InstallParams {
  disks: string[];
  set_pmbr: boolean;
  authentication: { username: 'truenas_admin' | 'root'; password: string } | null;
  wipe_disks?: string[];
  post_install?: {
    network_interfaces?: {
      name: string;
      ipv4_dhcp?: boolean;
      ipv6_auto?: boolean;
      aliases?: { type: string; address: string; netmask: number }[];
    }[];
  };
}

export class TrueNasInstallerClient {
  private constructor(private readonly rpc: JsonRpcSocket) {}

  static async connect(url: string, options: RpcSocketOptions = {}): Promise<TrueNasInstallerClient> {
    return new TrueNasInstallerClient(await JsonRpcSocket.connect(url, options));
  }

  systemInfo(): Promise<InstallerSystemInfo> {
    return this.rpc.call('system_info');
  }

  listDisks(): Promise<InstallerDisk[]> {
    return this.rpc.call('list_disks');
  }

  listNetworkInterfaces(): Promise<{ name: string }[]> {
    return this.rpc.call('list_network_interfaces');
  }

  /** Installs onto `params.disks`; resolves when the installer answers (installation complete). */
  async install(
    params: InstallParams,
    onProgress?: (progress: { fraction: number; message: string }) => void,
    timeoutMs = 30 * 60_000,
  ): Promise<void> {
    const stop = this.rpc.onNotification((method, raw) => {
      if (method !== 'installation_progress' || !Array.isArray(raw)) return;
      const update = raw[0] as { progress?: number; message?: string } | undefined;
      if (typeof update?.progress === 'number')
        onProgress?.({ fraction: update.progress, message: update.message ?? '' });
    });
    try {
      await this.rpc.call('install', [params], timeoutMs);
    } finally {
      stop();
    }
  }

  /** Asks the live system to power off; the connection usually drops before any answer. */
  async shutdown(): Promise<void> {
    await this.rpc.call('shutdown', [], 15_000).catch(() => undefined);
  }

  close(): void {
    this.rpc.close();
  }
}
