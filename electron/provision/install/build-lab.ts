/**
 * "Build the lab" on VirtualBox: images → seeds → machines → Proxmox installs → NAS → (optional) the
 * Tiny Core ISO on shared storage. Resumable after a crash or a closed laptop: every provisioned machine
 * gets an offline "installed" checkpoint, and a machine that has one is not installed again; realise
 * itself resumes from any interruption. Progress is reported per machine.
 */
import { HypervisorError, type MachineSpec, type TopologySpec } from '../../hypervisor/driver.ts';
import type { ImageResolver } from '../../images/resolver.ts';
import type { LabFile, LabProfile } from '../../lab/script/schema.ts';
import type {
  FirstBootProbe,
  InstallContext,
  IsoUploader,
  MachineProgress,
  TrueNasProvisioner,
  TrustQuestion,
  WriteMachineSeeds,
} from './install-ports.ts';
import { provisionLightNas, provisionTrueNas } from './nas-install.ts';
import { installProxmoxNode } from './proxmox-install.ts';
import { uploadTinyCore } from './tiny-core-upload.ts';
import { waitForPowerOff } from './wait-power-off.ts';

export const INSTALLED_CHECKPOINT = 'installed';

export interface BuildLabDeps extends Omit<InstallContext, 'report' | 'signal'> {
  images: ImageResolver;
  writeSeeds: WriteMachineSeeds;
  /** Where the seed images are written (inside the data folder). */
  seedDir: string;
  firstBoot: { probe: FirstBootProbe; trust: TrustQuestion };
  truenas?: TrueNasProvisioner;
  /** The Tiny Core upload, once the cluster's shared storage exists (omitted: the lab's steps do it). */
  tinyCore?: { image: string; node: string; storage: string; uploader: IsoUploader };
}

export interface BuildLabOptions {
  signal?: AbortSignal;
  onProgress?: (progress: MachineProgress) => void;
  /** Proxmox installs at the same time (each node has its own RAM budget in the profile). */
  concurrency?: number;
}

export interface BuildLabResult {
  installed: string[];
  skipped: string[];
  fingerprints: Record<string, string>;
}

function addressOf(spec: MachineSpec): string {
  const cidr = spec.nics.find((n) => n.address)?.address ?? '';
  return cidr.split('/')[0] ?? '';
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
}

export async function buildLab(
  deps: BuildLabDeps,
  lab: LabFile,
  profile: LabProfile,
  topology: TopologySpec,
  options: BuildLabOptions = {},
): Promise<BuildLabResult> {
  const report = (progress: MachineProgress): void => options.onProgress?.(progress);
  const ctx: InstallContext = { ...deps, report, signal: options.signal };
  const { driver } = deps;
  const result: BuildLabResult = { installed: [], skipped: [], fingerprints: {} };

  // Seeds first (answer files, cidata), then realise attaches them with the images it resolves.
  const seeds = await deps.writeSeeds(lab, profile, deps.seedDir);
  const withSeeds: TopologySpec = {
    ...topology,
    machines: topology.machines.map((m) => {
      const mine = seeds.filter((s) => s.machine === m.name);
      for (const seed of mine) {
        if (seed.format !== 'iso')
          throw new HypervisorError(
            'unsupported',
            `seed ${seed.path} of ${m.name} is a ${seed.format} image; NestLab attaches ISO seeds only`,
            m.name,
          );
      }
      return mine.length ? { ...m, seeds: mine.map((s) => s.path) } : m;
    }),
  };
  for (const m of withSeeds.machines)
    report({ machine: m.name, stage: 'machines', fraction: 0, message: `Creating ${m.name}` });
  await driver.realise(withSeeds, {
    signal: options.signal,
    progress: {
      report: ({ message, fraction }) =>
        report({ machine: topology.lab, stage: 'machines', fraction: fraction ?? 0, message }),
    },
  });

  /** Offline "installed" checkpoint, then the machine runs again for the lab. */
  const checkpoint = async (machine: string): Promise<void> => {
    report({ machine, stage: 'checkpoint', fraction: 0, message: `Checkpoint "installed" of ${machine}` });
    if ((await driver.machine(machine)).power !== 'off') {
      await driver.acpiShutdown(machine);
      await waitForPowerOff(ctx, machine, 'the shutdown before the checkpoint');
    }
    await driver.takeMachineCheckpoint(machine, INSTALLED_CHECKPOINT, { signal: options.signal });
    await driver.powerOn(machine, { signal: options.signal });
    report({ machine, stage: 'ready', fraction: 1, message: `${machine} is ready` });
  };

  const alreadyDone = async (machine: string): Promise<boolean> => {
    if (!(await driver.hasMachineCheckpoint(machine, INSTALLED_CHECKPOINT))) return false;
    if ((await driver.machine(machine)).power !== 'running')
      await driver.powerOn(machine, { signal: options.signal });
    result.skipped.push(machine);
    report({ machine, stage: 'ready', fraction: 1, message: `${machine} was installed before` });
    return true;
  };

  const nodes = withSeeds.machines.filter((m) => m.kind === 'pve');
  await inBatches(nodes, options.concurrency ?? 3, async (spec) => {
    if (await alreadyDone(spec.name)) return;
    const installed = await installProxmoxNode(
      ctx,
      { machine: spec.name, address: addressOf(spec) },
      deps.firstBoot,
    );
    result.fingerprints[spec.name] = installed.fingerprint;
    await checkpoint(spec.name);
    result.installed.push(spec.name);
  });

  for (const spec of withSeeds.machines.filter((m) => m.kind === 'nfs' || m.kind === 'truenas')) {
    if (await alreadyDone(spec.name)) continue;
    if (spec.kind === 'nfs') {
      await provisionLightNas(ctx, spec.name);
    } else {
      if (!deps.truenas)
        throw new HypervisorError(
          'unsupported',
          `machine ${spec.name} is TrueNAS, but no TrueNAS client is connected`,
          spec.name,
        );
      await provisionTrueNas(ctx, spec.name, addressOf(spec), deps.truenas);
    }
    await checkpoint(spec.name);
    result.installed.push(spec.name);
  }

  if (deps.tinyCore) {
    const { uploader, ...request } = deps.tinyCore;
    await uploadTinyCore(request, deps.images, uploader, report, options.signal);
  }
  return result;
}
