/**
 * Installed Proxmox VE nodes, whatever hosts them (VirtualBox today, a school's Proxmox server
 * later): the API over HTTPS pinned per node and ssh with pinned host keys, every fingerprint
 * trusted on first use only after the trust callback (the user) confirms it.
 */
import { realClock } from '../../clock/clock.ts';
import { ApiError } from '../../contract/errors.ts';
import type { LabFile, LabProfile } from '../../lab/script/schema.ts';
import { HttpPveApi } from '../../pve/http-client.ts';
import { SshNodes } from '../../terminal/ssh-nodes.ts';
import type { NodeEndpoint, RealNodesReach, TrustCallback } from '../lab-environment.ts';
import { pveMachines } from '../profile-machines.ts';
import { FingerprintPins } from './fingerprint-pins.ts';
import { PinnedPveApi } from './pinned-pve-api.ts';

export interface RealNodesOptions extends RealNodesReach {
  lab: LabFile;
  profile: LabProfile;
  trust: TrustCallback;
  /**
   * Fingerprints confirmed before (key `tls:<node>` or `ssh:<node>`); confirmed ones are added.
   * A node presenting anything else is refused without asking.
   */
  pins?: Map<string, string>;
}

export interface RealNodes {
  pve: PinnedPveApi;
  ssh: SshNodes;
  login: { username: string; password: string };
  nodeEndpoints(): NodeEndpoint[];
  close(): Promise<void>;
}

/** Nothing is contacted yet: the API probes each node on first need (`pve.addReachable()` probes all). */
export function realNodesOf(options: RealNodesOptions): RealNodes {
  const { lab } = options;
  const password = typeof lab.vars.rootPassword === 'string' ? lab.vars.rootPassword : undefined;
  if (!password) {
    throw new ApiError(
      'conflict',
      `lab "${lab.id}": vars.rootPassword is needed to log in to the installed nodes`,
    );
  }
  const machines = pveMachines(options.profile);
  const timeoutMs = options.connectTimeoutMs ?? 5_000;
  const pins = new FingerprintPins(options.pins ?? new Map(), options.trust);
  const apiUrl = options.apiUrl ?? ((_node, address) => `https://${address}:8006`);
  const sshTarget = options.sshTarget ?? ((_node, address) => ({ host: address, port: 22 }));
  const http = new HttpPveApi({
    endpoints: [],
    credentials: { kind: 'password', username: 'root@pam', password },
    clock: realClock,
  });
  const pve = new PinnedPveApi(http, machines, (m) => apiUrl(m.name, m.address), pins, timeoutMs);
  const ssh = new SshNodes(
    machines,
    (m) => sshTarget(m.name, m.address),
    password,
    (node, fingerprint) => pins.confirm(node, fingerprint, 'ssh-host-key'),
    timeoutMs,
  );
  return {
    pve,
    ssh,
    login: { username: 'root@pam', password },
    nodeEndpoints: () => pve.endpoints().map(({ name, url, fingerprint }) => ({ name, url, fingerprint })),
    async close() {
      await ssh.close();
      await pve.close();
    },
  };
}
