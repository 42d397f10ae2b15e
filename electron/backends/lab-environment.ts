/**
 * What one lab run needs from its backend — a Proxmox client, a hypervisor, shells, a clock —
 * built from the lab's profile: the simulator, or (virtualbox-environment.ts) installed Proxmox
 * nodes in VirtualBox, whose fingerprints the caller's `trust` callback confirms.
 */
import type { Clock } from '../clock/clock.ts';
import type { BackendKind } from '../contract/dto.ts';
import { ApiError } from '../contract/errors.ts';
import type { HypervisorDriver } from '../hypervisor/driver.ts';
import type { ShellRunner } from '../lab/shell-runner.ts';
import type { LabFile, LabProfile } from '../lab/script/schema.ts';
import type { PveApi } from '../pve/api.ts';
import type { ClockMode, VirtualClock } from '../sim/clock/virtual-clock.ts';
import { startSimDatacenter, type SimDatacenter } from '../sim/datacenter.ts';
import type { ShellSession } from '../sim/shell/shell-session.ts';
import type { PveMajor, SimNasConfig, SimNodeConfig } from '../sim/world-types.ts';
import type { PtyLike, PtySpawner } from '../terminal/pty.ts';
import type { TopologyMachine } from '../app/topology-observer.ts';
import type { TrustCallback, VirtualBoxEnvironmentOptions } from './virtualbox/virtualbox-environment.ts';

export interface LabEnvironment {
  backend: BackendKind;
  pve: PveApi;
  driver: HypervisorDriver;
  shell: ShellRunner;
  ptys: PtySpawner;
  clock: Clock;
  machines: TopologyMachine[];
  /** Present on the simulator: its clock can change speed. */
  simClock?: VirtualClock;
  datacenter?: SimDatacenter;
  close(): Promise<void>;
}

export interface LabEnvironmentOptions {
  lab: LabFile;
  profile: LabProfile;
  backend: BackendKind;
  /** Simulator only. Default: real time. */
  clockMode?: ClockMode;
  /** VirtualBox only: confirms each node's certificate and ssh host key on first use. */
  trust?: TrustCallback;
  /** VirtualBox only: fingerprints confirmed before (`tls:<node>`, `ssh:<node>`); new ones are added. */
  pins?: Map<string, string>;
  signal?: AbortSignal;
  /** VirtualBox only: where VirtualBox and the nodes are reached (default: this host, the lab's addresses). */
  virtualBox?: Pick<
    VirtualBoxEnvironmentOptions,
    'startVirtualBox' | 'apiUrl' | 'sshTarget' | 'connectTimeoutMs'
  >;
}

const DEFAULT_NAS_EXPORT = '/mnt/tank/pve';

function firstAddress(machine: LabProfile['machines'][number]): string {
  const cidr = machine.nics.find((n) => n.address)?.address;
  return cidr ? (cidr.split('/')[0] ?? cidr) : '';
}

export function topologyMachines(profile: LabProfile): TopologyMachine[] {
  return profile.machines.map((m) => ({ name: m.name, kind: m.kind, address: firstAddress(m) }));
}

/** The simulated datacenter a profile describes: its PVE nodes, its NAS, its Proxmox release. */
export function simOptionsFor(lab: LabFile, profile: LabProfile) {
  const nodes: SimNodeConfig[] = profile.machines
    .filter((m) => m.kind === 'pve')
    .map((m) => ({ name: m.name, ip: firstAddress(m) }));
  const nasMachine = profile.machines.find((m) => m.kind === 'nfs' || m.kind === 'truenas');
  const exportPath = typeof lab.vars.nasExport === 'string' ? lab.vars.nasExport : DEFAULT_NAS_EXPORT;
  const nas: SimNasConfig | false = nasMachine
    ? { name: nasMachine.name, ip: firstAddress(nasMachine), exports: [exportPath] }
    : false;
  const major = Number((profile.pveVersion ?? '9').split('.')[0]);
  const pveMajor: PveMajor = major === 8 ? 8 : 9;
  const rootPassword = typeof lab.vars.rootPassword === 'string' ? lab.vars.rootPassword : undefined;
  return { nodes, nas, pveMajor, ...(rootPassword ? { rootPassword } : {}) };
}

/** A simulated shell seen as a terminal's far end. */
export function shellAsPty(session: ShellSession): PtyLike {
  return {
    write: (data) => session.write(data),
    resize: () => undefined,
    onData: (listener) => session.onOutput(listener),
    // `exit` or Ctrl-D in the simulated shell ends the session like a real one.
    onExit: (listener) => session.onClose(() => listener(0)),
    kill: () => session.close(),
  };
}

export async function createLabEnvironment(options: LabEnvironmentOptions): Promise<LabEnvironment> {
  if (options.backend === 'virtualbox') {
    if (!options.trust) {
      // Real nodes are trusted only after someone confirms their fingerprints (the app's dialog, the CLI's prompt).
      throw new ApiError(
        'backend-unavailable',
        "Lab runs on VirtualBox need each node's certificate and ssh host key confirmed, and nothing here can ask. " +
          'Use the desktop app or `nestlab lab run <lab> --backend virtualbox` in a terminal.',
      );
    }
    const { createVirtualBoxLabEnvironment } = await import('./virtualbox/virtualbox-environment.ts');
    return createVirtualBoxLabEnvironment({
      lab: options.lab,
      profile: options.profile,
      trust: options.trust,
      ...options.virtualBox,
      ...(options.pins ? { pins: options.pins } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }
  if (options.backend !== 'sim') {
    throw new ApiError(
      'backend-unavailable',
      `Unknown backend "${String(options.backend)}": use sim or virtualbox.`,
    );
  }
  if (!options.profile.backends.includes('sim')) {
    throw new ApiError(
      'conflict',
      `Profile "${options.profile.id}" of lab "${options.lab.id}" does not run on the simulator.`,
    );
  }
  const datacenter = await startSimDatacenter({
    ...simOptionsFor(options.lab, options.profile),
    clockMode: options.clockMode ?? { kind: 'realtime', speed: 1 },
  });
  const pve = datacenter.createClient();
  // Solves get their own shell per node, so a learner's half-typed line never mixes with them.
  const solveShells = new Map<string, ShellSession>();
  const shell: ShellRunner = {
    async run(node, command, runOptions) {
      let session = solveShells.get(node);
      if (!session) {
        session = datacenter.openShell(node);
        solveShells.set(node, session);
      }
      return session.run(command, runOptions?.input ?? []);
    },
  };
  const ptys: PtySpawner = {
    open: async (node) => {
      const session = datacenter.openShell(node);
      const pty = shellAsPty(session);
      // The banner and first prompt go out once the terminal listens.
      setImmediate(() => session.start());
      return pty;
    },
  };
  return {
    backend: 'sim',
    pve,
    driver: datacenter.driver,
    shell,
    ptys,
    clock: datacenter.clock,
    simClock: datacenter.clock,
    datacenter,
    machines: topologyMachines(options.profile),
    async close() {
      for (const session of solveShells.values()) session.close();
      await datacenter.close();
    },
  };
}
