/**
 * The simulator backend: a simulated datacenter built from the lab's profile, its shells as the
 * lab's shells and terminals, and its virtual clock, whose speed can change.
 */
import { httpPveClients } from '../../pve/http-client.ts';
import type { LabFile, LabProfile } from '../../lab/script/schema.ts';
import type { ShellRunner } from '../../lab/shell-runner.ts';
import type { ClockMode } from '../../sim/clock/virtual-clock.ts';
import { startSimDatacenter } from '../../sim/datacenter.ts';
import type { ShellSession } from '../../sim/shell/shell-session.ts';
import type { PveMajor, SimNasConfig, SimNodeConfig } from '../../sim/world-types.ts';
import type { PtyLike, PtySpawner } from '../../terminal/pty.ts';
import type { ClockSpeed, LabEnvironment, LabEnvironmentOptions } from '../lab-environment.ts';
import { firstAddress, topologyMachines } from '../profile-machines.ts';

const DEFAULT_NAS_EXPORT = '/mnt/tank/pve';

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

export function clockModeFor(speed: ClockSpeed): ClockMode {
  if (speed === 'unbounded') return { kind: 'fast' };
  // "max" is discrete-event time, capped so an idle app does not spin a core.
  return speed === 'max' ? { kind: 'fast', maxRatio: 500 } : { kind: 'realtime', speed };
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

export async function createSimLabEnvironment(options: LabEnvironmentOptions): Promise<LabEnvironment> {
  const datacenter = await startSimDatacenter({
    pveClients: httpPveClients,
    ...simOptionsFor(options.lab, options.profile),
    clockMode: clockModeFor(options.speed ?? 1),
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
    machines: topologyMachines(options.profile),
    speed: { setSpeed: (speed) => datacenter.clock.setMode(clockModeFor(speed)) },
    // The simulated cluster lives in memory: a restarted lab replays what was already done.
    replaysSolvedSteps: true,
    shellsAreLocal: true,
    nodeWebInterfaces: false,
    // The simulated machines exist as soon as the lab opens: nothing to build.
    build: null,
    // lab.reset rebuilds the simulated cluster from nothing.
    resetMachines: null,
    nodeEndpoints: () =>
      datacenter.endpoints.map(({ name, url, fingerprint }) => ({ name, url, fingerprint })),
    login: { username: datacenter.credentials.username, password: datacenter.credentials.password },
    async close() {
      for (const session of solveShells.values()) session.close();
      await datacenter.close();
    },
  };
}
