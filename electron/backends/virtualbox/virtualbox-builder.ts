/**
 * "Build the lab" for a VirtualBox lab run: the engine's resumable build (provision/install/) through
 * the task service, with the image cache, the seed writer, the first-boot TLS probe and the same trust
 * question the real nodes ask. Afterwards the freshly installed nodes are reached (`afterBuild`).
 */
import { defaultDataDir } from '../../app/data-dir.ts';
import type { Clock } from '../../clock/clock.ts';
import type { LabFile, LabProfile } from '../../lab/script/schema.ts';
import type { BuildLabDeps } from '../../provision/install/build-lab.ts';
import { buildLabWithTasks } from '../../provision/install/build-lab-tasks.ts';
import { tlsFirstBootProbe } from '../../provision/install/first-boot-probe.ts';
import type { InstallDriver } from '../../provision/install/install-ports.ts';
import type { LabBuilder, TrustCallback, VirtualBoxReach } from '../lab-environment.ts';
import { topologySpecFor } from '../lab-topology.ts';
import path from 'node:path';

export interface VirtualBoxBuilderOptions {
  lab: LabFile;
  profile: LabProfile;
  driver: InstallDriver;
  clock: Clock;
  trust: TrustCallback;
  reach?: Pick<VirtualBoxReach, 'dataDir' | 'build'>;
  /** Runs once the build succeeded (the environment reaches the new nodes). */
  afterBuild?: (signal?: AbortSignal) => Promise<void>;
  /** The engine's build; tests check what it is given. */
  buildWithTasks?: typeof buildLabWithTasks;
}

/** The build's parts, defaults filled in (the image cache and seeds live in the data folder). */
export async function virtualBoxBuildDeps(options: VirtualBoxBuilderOptions): Promise<BuildLabDeps> {
  const { reach = {}, lab } = options;
  const given = reach.build ?? {};
  const dataDir = reach.dataDir ?? defaultDataDir();
  const images =
    given.images ?? (await import('../../images/default-image-store.ts')).createImageResolver({ dataDir });
  const writeSeeds = given.writeSeeds ?? (await import('../../provision/seeds/index.ts')).writeMachineSeeds;
  return {
    driver: options.driver,
    clock: options.clock,
    images,
    writeSeeds: (l, p, dir) => writeSeeds(l, p, dir),
    seedDir: path.join(dataDir, 'seeds', lab.id),
    firstBoot: {
      probe: given.firstBootProbe ?? tlsFirstBootProbe(options.clock),
      trust: (node, fingerprint, kind) => options.trust(node, fingerprint, kind),
    },
    ...(given.pollMs !== undefined ? { pollMs: given.pollMs } : {}),
    ...(given.bootMenuDelayMs !== undefined ? { bootMenuDelayMs: given.bootMenuDelayMs } : {}),
  };
}

export function virtualBoxLabBuilder(options: VirtualBoxBuilderOptions): LabBuilder {
  const run = options.buildWithTasks ?? buildLabWithTasks;
  return {
    async build(tasks, { signal } = {}) {
      const deps = await virtualBoxBuildDeps(options);
      const topology = topologySpecFor(options.lab, options.profile);
      const result = await run(tasks, deps, options.lab, options.profile, topology, signal ? { signal } : {});
      await options.afterBuild?.(signal);
      return { installed: result.installed, skipped: result.skipped };
    },
  };
}
