/**
 * A lab run against real Proxmox VE nodes installed in VirtualBox: the VirtualBox driver attached
 * to the lab's machines, and the installed nodes reached as real nodes (real-nodes/: the API
 * pinned per node, ssh with pinned host keys, trust on first use through the `trust` callback).
 */
import { realClock } from '../../clock/clock.ts';
import { ApiError } from '../../contract/errors.ts';
import type { LabEnvironment, VirtualBoxReach } from '../lab-environment.ts';
import { topologySpecFor } from '../lab-topology.ts';
import { topologyMachines } from '../profile-machines.ts';
import { realNodesOf, type RealNodesOptions } from '../real-nodes/real-nodes.ts';
import { resetToStep } from '../../provision/install/reset-to-step.ts';
import { virtualBoxLabBuilder } from './virtualbox-builder.ts';

export interface VirtualBoxEnvironmentOptions extends RealNodesOptions, VirtualBoxReach {
  signal?: AbortSignal;
}

export async function createVirtualBoxLabEnvironment(
  options: VirtualBoxEnvironmentOptions,
): Promise<LabEnvironment> {
  const { lab, profile } = options;
  if (!profile.backends.includes('virtualbox')) {
    throw new ApiError('conflict', `Profile "${profile.id}" of lab "${lab.id}" does not run on VirtualBox.`);
  }
  const nodes = realNodesOf(options);
  const start =
    options.startVirtualBox ??
    (async () => (await import('../../hypervisor/virtualbox/local-virtualbox.ts')).startLocalVirtualBox());
  let vbox: Awaited<ReturnType<typeof start>>;
  try {
    vbox = await start();
  } catch (error) {
    await nodes.close();
    throw error;
  }
  const close = async (): Promise<void> => {
    await nodes.close();
    await vbox.close();
  };
  try {
    await vbox.driver.attach(topologySpecFor(lab, profile));
    await nodes.pve.addReachable(options.signal);
  } catch (error) {
    await close();
    throw error;
  }
  return {
    backend: 'virtualbox',
    pve: nodes.pve,
    driver: vbox.driver,
    shell: nodes.ssh,
    ptys: nodes.ssh,
    clock: realClock,
    machines: topologyMachines(profile),
    speed: null,
    // The installed nodes keep their state: nothing is replayed.
    replaysSolvedSteps: false,
    shellsAreLocal: false,
    nodeWebInterfaces: true,
    build: virtualBoxLabBuilder({
      lab,
      profile,
      driver: vbox.driver,
      clock: realClock,
      trust: options.trust,
      reach: options,
      afterBuild: (signal) => nodes.pve.addReachable(signal),
    }),
    resetMachines: {
      reset: (stepCheckpoint, resetOptions) =>
        resetToStep(
          vbox.driver,
          profile.machines.map((m) => m.name),
          stepCheckpoint,
          resetOptions,
        ),
    },
    nodeEndpoints: nodes.nodeEndpoints,
    login: nodes.login,
    close,
  };
}
