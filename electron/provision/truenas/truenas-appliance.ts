/**
 * What the install orchestration asks of a TrueNAS machine (shared/reference/appliances.md §2.3–2.4):
 * install the system from the live ISO through its installer API, then, after the first boot from
 * disk, create the pool, the dataset and the NFS share restricted to the lab network, and start NFS.
 * Every step first looks whether it is already done, so a run interrupted anywhere can be repeated.
 */
import { TrueNasInstallerClient, type InstallerDisk } from './installer-client.ts';
import { TrueNasRpcError, type PinnedTls } from './json-rpc-socket.ts';
import { TrueNasMiddlewareClient, type NfsShare } from './middleware-client.ts';

export const TRUENAS_ADMIN = 'truenas_admin';

export interface TrueNasInstallRequest {
  /** ws://<ip>/ws of the live ISO (its address comes from the host-only DHCP lease). */
  installerUrl: string;
  /**
   * The live system takes a while to boot: connection attempts before giving up (default 60) and
   * the pause between them (default 5 s). The WebSocket handshake is the readiness probe.
   */
  readiness?: {
    attempts?: number;
    delayMs?: number;
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  };
  /** Size of the boot disk in the lab file; the installer's disk of that size is chosen. */
  bootDiskGiB: number;
  adminPassword: string;
  /** Static address written into the installed system; without `interface`, the first NIC the installer lists. */
  network?: { interface?: string; address: string; prefix: number };
  onProgress?: (progress: { fraction: number; message: string }) => void;
  signal?: AbortSignal;
}

export interface TrueNasNfsRequest {
  /** ws://<ip>/api/current, or wss:// with the pinned certificate. */
  apiUrl: string;
  tls?: PinnedTls;
  adminPassword: string;
  pool: string;
  /** Middleware disk name for the pool, e.g. sdb. */
  poolDisk: string;
  dataset: string;
  /** Networks allowed to mount, e.g. ["192.168.56.0/24"]. */
  networks: string[];
  signal?: AbortSignal;
}

export interface TrueNasAppliance {
  installSystem(request: TrueNasInstallRequest): Promise<{ bootDisk: string }>;
  configureNfs(request: TrueNasNfsRequest): Promise<{ exportPath: string; share: NfsShare }>;
}

const GiB = 1024 ** 3;

/** The disk whose size is nearest the lab's; VirtualBox reports the virtual size exactly. */
export function diskOfSize(disks: InstallerDisk[], sizeGiB: number): InstallerDisk | undefined {
  const candidates = disks.filter((d) => !d.removable);
  return candidates.sort((a, b) => Math.abs(a.size - sizeGiB * GiB) - Math.abs(b.size - sizeGiB * GiB))[0];
}

const pause = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(new Error('cancelled'))), {
      once: true,
    });
  });

/** Connects to the installer once the live ISO has booted far enough to answer the handshake. */
async function connectWhenReady(request: TrueNasInstallRequest): Promise<TrueNasInstallerClient> {
  const attempts = request.readiness?.attempts ?? 60;
  const sleep = request.readiness?.sleep ?? pause;
  for (let attempt = 1; ; attempt++) {
    try {
      return await TrueNasInstallerClient.connect(request.installerUrl, { signal: request.signal });
    } catch (error) {
      if (request.signal?.aborted || attempt >= attempts) {
        throw new TrueNasRpcError(
          `the TrueNAS installer at ${request.installerUrl} did not answer after ${attempt} attempts: ${(error as Error).message}`,
          'connect',
        );
      }
      await sleep(request.readiness?.delayMs ?? 5_000, request.signal);
    }
  }
}

export function createTrueNasAppliance(): TrueNasAppliance {
  return {
    async installSystem(request) {
      const installer = await connectWhenReady(request);
      try {
        const info = await installer.systemInfo();
        if (info.installation_running) {
          throw new TrueNasRpcError(
            `${request.installerUrl}: an installation is already running on this machine`,
            'system_info',
          );
        }
        const disks = await installer.listDisks();
        const boot = diskOfSize(disks, request.bootDiskGiB);
        if (!boot)
          throw new TrueNasRpcError(
            `${request.installerUrl}: the installer sees no disk to install onto`,
            'list_disks',
          );
        if (request.adminPassword.length < 6) {
          throw new TrueNasRpcError('the TrueNAS admin password must have at least 6 characters', 'install');
        }
        const nicName = request.network
          ? (request.network.interface ??
            (await installer.listNetworkInterfaces()).map((n) => n.name).sort()[0])
          : undefined;
        if (request.network && !nicName) {
          throw new TrueNasRpcError(
            `${request.installerUrl}: the installer sees no network interface`,
            'list_network_interfaces',
          );
        }
        await installer.install(
          {
            disks: [boot.name],
            set_pmbr: false,
            authentication: { username: TRUENAS_ADMIN, password: request.adminPassword },
            ...(request.network && nicName
              ? {
                  post_install: {
                    network_interfaces: [
                      {
                        name: nicName,
                        ipv4_dhcp: false,
                        aliases: [
                          { type: 'INET', address: request.network.address, netmask: request.network.prefix },
                        ],
                      },
                    ],
                  },
                }
              : {}),
          },
          request.onProgress,
        );
        await installer.shutdown();
        return { bootDisk: boot.name };
      } finally {
        installer.close();
      }
    },

    async configureNfs(request) {
      const api = await TrueNasMiddlewareClient.connect(request.apiUrl, {
        signal: request.signal,
        ...(request.tls ? { tls: request.tls } : {}),
      });
      try {
        await api.login(TRUENAS_ADMIN, request.adminPassword);
        if ((await api.query('pool.query', [['name', '=', request.pool]])).length === 0) {
          await api.createPool(request.pool, [request.poolDisk]);
        }
        const datasetName = `${request.pool}/${request.dataset}`;
        const exportPath = `/mnt/${datasetName}`;
        if ((await api.query('pool.dataset.query', [['id', '=', datasetName]])).length === 0) {
          await api.createDataset(datasetName);
        }
        let [share] = await api.query<NfsShare>('sharing.nfs.query', [['path', '=', exportPath]]);
        share ??= await api.createNfsShare({
          path: exportPath,
          networks: request.networks,
          comment: 'NestLab: Proxmox VE shared storage',
        });
        await api.enableAndStartService('nfs');
        return { exportPath, share };
      } finally {
        api.close();
      }
    },
  };
}
