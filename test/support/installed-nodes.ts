/**
 * Stand-ins for a lab's Proxmox nodes installed in VirtualBox: a fake vboxwebsrv for the driver,
 * the simulated datacenter's HTTPS nodes for the API (named and addressed as in the profile) and
 * one in-process ssh server per node running the simulated shell.
 */
import { httpPveClients } from '../../electron/pve/http-client.ts';
import type { VirtualBoxHandle, VirtualBoxReach } from '../../electron/backends/lab-environment.ts';
import { simOptionsFor } from '../../electron/backends/sim/sim-environment.ts';
import { realClock } from '../../electron/clock/clock.ts';
import { VBoxConnection } from '../../electron/hypervisor/virtualbox/vbox-connection.ts';
import { VirtualBoxDriver } from '../../electron/hypervisor/virtualbox/virtualbox-driver.ts';
import type { LabFile, LabProfile } from '../../electron/lab/script/schema.ts';
import { startSimDatacenter, type SimDatacenter } from '../../electron/sim/datacenter.ts';
import type { ImageResolver } from '../../electron/images/resolver.ts';
import { startFakeVboxwebsrv, type FakeVboxwebsrv } from './fake-vboxwebsrv/fake-vboxwebsrv.ts';
import type { FakeGuestScript } from './fake-vboxwebsrv/fake-world.ts';
import { startSimSshServer, type SimSshServer } from './sim-ssh-server.ts';

export type NodeReach = Required<Omit<VirtualBoxReach, 'dataDir' | 'build'>>;

export interface InstalledNodes {
  dc: SimDatacenter;
  fake: FakeVboxwebsrv;
  ssh: Map<string, SimSshServer>;
  /** How the environment reaches VirtualBox and the nodes here. */
  reach: NodeReach;
  fingerprint(node: string): string;
  url(node: string): string;
  close(): Promise<void>;
}

/** For a build through the app: installers scripted on the serial consoles, images for realise. */
export interface InstalledNodesOptions {
  serialScripts?: Record<string, FakeGuestScript>;
  images?: ImageResolver;
  runDir?: string;
}

export async function startInstalledNodes(
  lab: LabFile,
  profile: LabProfile,
  options: InstalledNodesOptions = {},
): Promise<InstalledNodes> {
  const dc = await startSimDatacenter({
    pveClients: httpPveClients,
    ...simOptionsFor(lab, profile),
    clockMode: { kind: 'realtime', speed: 50 },
  });
  const fake = await startFakeVboxwebsrv({
    apiVersion: '7_1',
    ...(options.serialScripts ? { serialScripts: options.serialScripts } : {}),
  });
  const ssh = new Map<string, SimSshServer>();
  for (const node of dc.endpoints.map((e) => e.name)) {
    ssh.set(node, await startSimSshServer(dc, node, String(lab.vars.rootPassword)));
  }
  const endpoint = (node: string) => {
    const found = dc.endpoints.find((e) => e.name === node);
    if (!found) throw new Error(`no simulated node ${node}`);
    return found;
  };
  return {
    dc,
    fake,
    ssh,
    fingerprint: (node) => endpoint(node).fingerprint,
    url: (node) => endpoint(node).url,
    reach: {
      startVirtualBox: async (): Promise<VirtualBoxHandle> => {
        const connection = await VBoxConnection.open(
          { url: fake.url, username: 'nestlab', password: 'secret' },
          realClock,
        );
        const driver = new VirtualBoxDriver({
          connection,
          clock: realClock,
          runDir: options.runDir ?? '/tmp/nestlab-run',
          platform: 'linux',
          ...(options.images ? { images: options.images, eventPollMs: 50 } : {}),
        });
        return { driver, close: () => driver.close() };
      },
      apiUrl: (node) => endpoint(node).url,
      sshTarget: (node) => {
        const server = ssh.get(node);
        if (!server) throw new Error(`no ssh stand-in for ${node}`);
        return { host: '127.0.0.1', port: server.port };
      },
      connectTimeoutMs: 2_000,
    },
    async close() {
      for (const server of ssh.values()) await server.close();
      await fake.close();
      await dc.close();
    },
  };
}
