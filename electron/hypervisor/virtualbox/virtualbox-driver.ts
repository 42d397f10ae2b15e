/**
 * HypervisorDriver on VirtualBox, through vboxwebsrv and virtualbox-soap. One lab at a time: realise()
 * or attach() names the lab whose machines the other calls address by their lab names (pve1, nas…).
 * Beyond the shared interface it offers linked clones, guest addresses, serial console paths and a
 * confirmation flag on destroy (see docs/virtualbox.md for what should move into the interface).
 */
import type {
  BitmapFormat,
  IMedium,
  CleanupMode,
  CloneMode,
  CloneOptions,
  IConsole,
  IMachine,
  ISnapshot,
  IVirtualBox,
} from 'virtualbox-soap';
import type { Clock } from '../../clock/clock.ts';
import type { ImageResolver } from '../../images/resolver.ts';
import {
  HypervisorError,
  type CheckpointInfo,
  type HypervisorDriver,
  type MachineInfo,
  type MachineSpec,
  type OperationOptions,
  type PowerEvent,
  type PowerState,
  type TopologySpec,
} from '../driver.ts';
import { readGuestAddresses } from './guest-addresses.ts';
import { ensureHostOnlyNetwork, type NicAttachment } from './host-only-network.ts';
import { assertSafeName, labGroup, osTypeFor, serialConsolePath, vboxMachineName } from './lab-naming.ts';
import { resolveTopologyImages } from './resolve-images.ts';
import { mapMachineState } from './map-state.ts';
import { waitForProgress } from './progress.ts';
import { StateWatcher } from './state-watcher.ts';
import { hasResultCode, VBOX_RC } from './vbox-fault.ts';
import { refOf, releaseRefs, type VBoxConnection } from './vbox-connection.ts';
import { ensureMachine, STORAGE_CONTROLLER } from './machine-realiser.ts';
import { textToScancodes } from './scancodes.ts';

export interface VirtualBoxDriverOptions {
  connection: VBoxConnection;
  clock: Clock;
  /** Folder for the serial console sockets (unix hosts); Windows uses named pipes. */
  runDir: string;
  /** The host VirtualBox runs on (vboxwebsrv listens on loopback, so it is ours). */
  platform?: NodeJS.Platform;
  /** Turns catalog image ids (MachineSpec.iso, bootDisk) into verified files; paths are used as they are. */
  images?: ImageResolver;
  /** Where helper files VirtualBox reads are written (raw-disk descriptors); default runDir. */
  workDir?: string;
  /** Longest wait of one event poll, ms. */
  eventPollMs?: number;
}

export interface DestroyOptions extends OperationOptions {
  /** destroy() deletes machines and disks; it refuses to run without this. */
  confirm?: boolean;
}

export interface CloneRequest {
  /** Lab name of the machine to clone from. */
  source: string;
  /** Checkpoint (snapshot) of the source the clone links to. */
  checkpoint: string;
  /** Lab name of the new machine. */
  name: string;
}

export class VirtualBoxDriver implements HypervisorDriver {
  readonly kind = 'virtualbox';
  private topology?: TopologySpec;
  private readonly machineIds = new Map<string, string>();
  private readonly listeners = new Set<(event: PowerEvent) => void>();
  private watcher?: StateWatcher;
  private readonly platform: NodeJS.Platform;
  private readonly connection: VBoxConnection;
  private readonly clock: Clock;

  constructor(private readonly options: VirtualBoxDriverOptions) {
    this.platform = options.platform ?? process.platform;
    this.connection = options.connection;
    this.clock = options.clock;
  }

  /** API shape in use ('7.0' | '7.1' | '7.2') and the server's version, for the doctor and logs. */
  get apiFlavor(): string {
    return this.connection.flavor;
  }

  get serverVersion(): string {
    return this.connection.version;
  }

  /** "untested version" for VirtualBox 8.x and later, else undefined. */
  get versionWarning(): string | undefined {
    return this.connection.warning;
  }

  // --- topology -----------------------------------------------------------------------------------------

  /** Addresses an already realised lab without changing anything (e.g. after an app restart). */
  async attach(topology: TopologySpec): Promise<void> {
    this.checkTopology(topology);
    this.topology = structuredClone(topology);
    await this.refreshMachineIds();
  }

  async realise(topology: TopologySpec, options: OperationOptions = {}): Promise<void> {
    this.checkTopology(topology);
    // Images first: a missing one must fail before any machine or disk exists.
    const images = await resolveTopologyImages(topology, this.options.images, options);
    this.topology = structuredClone(topology);
    const total = topology.networks.length + topology.machines.length;
    let done = 0;
    const step = (message: string): void => {
      if (options.signal?.aborted)
        throw new HypervisorError('cancelled', `realise ${topology.lab}: cancelled before ${message}`);
      options.progress?.report({ message, fraction: done / total });
      done += 1;
    };
    await this.connection.run(`realise ${topology.lab}`, async (vbox) => {
      const attachments = new Map<string, NicAttachment>();
      for (const network of topology.networks) {
        step(`Network ${network.name}`);
        attachments.set(
          network.name,
          await ensureHostOnlyNetwork(vbox, topology.lab, network, this.platform, options),
        );
      }
      for (const spec of topology.machines) {
        step(`Machine ${spec.name}`);
        await ensureMachine(
          {
            connection: this.connection,
            vbox,
            lab: topology.lab,
            attachments,
            serialPath: this.consolePath(spec.name),
            images,
            workDir: this.options.workDir ?? this.options.runDir,
            options,
          },
          spec,
        );
      }
    });
    options.progress?.report({ message: `Lab ${topology.lab} is realised`, fraction: 1 });
    await this.refreshMachineIds();
  }

  private checkTopology(topology: TopologySpec): void {
    assertSafeName('lab', topology.lab);
    for (const machine of topology.machines) assertSafeName('machine', machine.name);
    const names = new Set<string>();
    for (const machine of topology.machines) {
      if (names.has(machine.name))
        throw new HypervisorError(
          'failed',
          `topology ${topology.lab}: machine ${machine.name} appears twice`,
        );
      names.add(machine.name);
    }
  }

  private lab(): TopologySpec {
    if (!this.topology)
      throw new HypervisorError(
        'invalid-state',
        'no lab is attached to the VirtualBox driver: call realise() or attach() first',
      );
    return this.topology;
  }

  private spec(name: string): MachineSpec {
    const spec = this.lab().machines.find((m) => m.name === name);
    if (!spec)
      throw new HypervisorError('not-found', `machine ${name} is not part of lab ${this.lab().lab}`, name);
    return spec;
  }

  private async find(vbox: IVirtualBox, name: string): Promise<IMachine> {
    this.spec(name);
    try {
      return await vbox.findMachine(vboxMachineName(this.lab().lab, name));
    } catch (error) {
      if (hasResultCode(error, VBOX_RC.VBOX_E_OBJECT_NOT_FOUND)) {
        throw new HypervisorError(
          'not-found',
          `machine ${name} of lab ${this.lab().lab} does not exist in VirtualBox; realise the lab first`,
          name,
        );
      }
      throw error;
    }
  }

  private async refreshMachineIds(): Promise<void> {
    const lab = this.lab();
    await this.connection.run('IVirtualBox.findMachine', async (vbox) => {
      this.machineIds.clear();
      for (const spec of lab.machines) {
        try {
          const machine = await vbox.findMachine(vboxMachineName(lab.lab, spec.name));
          this.machineIds.set(String(await machine.getId()), spec.name);
        } catch (error) {
          if (!hasResultCode(error, VBOX_RC.VBOX_E_OBJECT_NOT_FOUND)) throw error;
        }
      }
    });
  }

  /** Where the machine's serial console listens: `net.connect(path)` reaches it on every OS. */
  consolePath(name: string): string {
    return serialConsolePath(this.platform, this.options.runDir, this.lab().lab, name);
  }

  // --- inspection -----------------------------------------------------------------------------------------

  async listMachines(): Promise<MachineInfo[]> {
    const infos: MachineInfo[] = [];
    for (const spec of this.lab().machines) infos.push(await this.machine(spec.name));
    return infos;
  }

  async machine(name: string): Promise<MachineInfo> {
    const spec = this.spec(name);
    return this.connection.run(
      'IMachine.getState',
      async (vbox) => {
        let machine: IMachine;
        try {
          machine = await this.find(vbox, name);
        } catch (error) {
          if (error instanceof HypervisorError && error.code === 'not-found') {
            return { name, kind: spec.kind, power: 'absent', cableConnected: false, addresses: [] };
          }
          throw error;
        }
        const power = mapMachineState(String(await machine.getState()));
        const cableConnected =
          spec.nics.length > 0 && Boolean(await (await machine.getNetworkAdapter(0)).getCableConnected());
        return {
          name,
          kind: spec.kind,
          power,
          cableConnected,
          addresses: await readGuestAddresses(vbox, machine, spec),
        };
      },
      name,
    );
  }

  /** The guest's IPv4 addresses: Guest Additions, else DHCP leases, else the lab's static ones. */
  async guestAddresses(name: string): Promise<string[]> {
    const spec = this.spec(name);
    return this.connection.run(
      'IMachine.getGuestPropertyValue',
      async (vbox) => readGuestAddresses(vbox, await this.find(vbox, name), spec),
      name,
    );
  }

  // --- power ---------------------------------------------------------------------------------------------

  async powerOn(name: string, options: OperationOptions = {}): Promise<void> {
    await this.connection.run(
      'IMachine.launchVMProcess',
      async (vbox) => {
        const machine = await this.find(vbox, name);
        const power = mapMachineState(String(await machine.getState()));
        if (power === 'running' || power === 'starting') return;
        const session = await this.connection.newSession(vbox);
        const progress = await this.connection.retryWhileBusy(() =>
          machine.launchVMProcess(session, 'headless', []),
        );
        try {
          await waitForProgress(progress, {
            ...options,
            call: 'IMachine.launchVMProcess',
            machine: name,
            message: `Starting ${name}`,
          });
        } finally {
          // The VM runs in its own process; our session only launched it.
          await session.unlockMachine().catch(() => undefined);
          await releaseRefs(session);
        }
      },
      name,
    );
  }

  private async withConsole<T>(
    call: string,
    name: string,
    work: (console: IConsole) => Promise<T>,
  ): Promise<T> {
    return this.connection.run(
      call,
      async (vbox) => {
        const machine = await this.find(vbox, name);
        const power = mapMachineState(String(await machine.getState()));
        if (power !== 'running' && power !== 'paused' && power !== 'starting') {
          throw new HypervisorError(
            'invalid-state',
            `${call} on ${name}: the machine is ${power}, not running`,
            name,
          );
        }
        return this.connection.withLock(vbox, machine, 'Shared', async (_mutable, session) => {
          const console = await session.getConsole();
          if (!console)
            throw new HypervisorError(
              'invalid-state',
              `${call} on ${name}: the machine has no console (not running)`,
              name,
            );
          return work(console);
        });
      },
      name,
    );
  }

  /** Pull the plug: IConsole.powerDown, no guest involvement. `at` is taken just before the call. */
  async powerOff(name: string): Promise<{ at: number }> {
    return this.withConsole('IConsole.powerDown', name, async (console) => {
      const at = this.clock.now();
      await waitForProgress(await console.powerDown(), { call: 'IConsole.powerDown', machine: name });
      return { at };
    });
  }

  async acpiShutdown(name: string): Promise<{ at: number }> {
    return this.withConsole('IConsole.powerButton', name, async (console) => {
      const at = this.clock.now();
      await console.powerButton();
      return { at };
    });
  }

  async reset(name: string): Promise<{ at: number }> {
    return this.withConsole('IConsole.reset', name, async (console) => {
      const at = this.clock.now();
      await console.reset();
      return { at };
    });
  }

  /**
   * How VirtualBox runs this (running) VM: 'HwVirt' means VT-x/AMD-V directly, so nested KVM can work;
   * 'NativeApi' means Hyper-V or Hypervisor.framework underneath, so it cannot. The doctor's final word.
   */
  async executionEngine(name: string): Promise<string> {
    return this.withConsole('IMachineDebugger.getExecutionEngine', name, async (console) =>
      String(await (await console.getDebugger()).getExecutionEngine()),
    );
  }

  /** Plugs the first NIC's cable in or out; works on running machines (shared lock) and stopped ones. */
  async setCable(name: string, connected: boolean): Promise<{ at: number }> {
    return this.connection.run(
      'INetworkAdapter.setCableConnected',
      async (vbox) => {
        const machine = await this.find(vbox, name);
        const power = mapMachineState(String(await machine.getState()));
        const lockType = power === 'off' ? 'Write' : 'Shared';
        return this.connection.withLock(vbox, machine, lockType, async (mutable) => {
          const adapter = await mutable.getNetworkAdapter(0);
          const at = this.clock.now();
          await adapter.setCableConnected(connected);
          await mutable.saveSettings();
          // Each lock's session machine has adapters of its own; this one is done with.
          await releaseRefs(adapter);
          return { at };
        });
      },
      name,
    );
  }

  // --- checkpoints (one VirtualBox snapshot of the same name on every machine of the lab) ----------------

  async takeCheckpoint(name: string, options: OperationOptions = {}): Promise<CheckpointInfo> {
    const lab = this.lab();
    if ((await this.listCheckpoints()).some((c) => c.name === name)) {
      throw new HypervisorError(
        'invalid-state',
        `checkpoint "${name}" of lab ${lab.lab} already exists; delete it first`,
      );
    }
    await this.connection.run('IMachine.takeSnapshot', async (vbox) => {
      for (const [index, spec] of lab.machines.entries()) {
        this.checkCancel(options, `checkpoint ${name}`);
        options.progress?.report({
          message: `Checkpoint ${name}: ${spec.name}`,
          fraction: index / lab.machines.length,
        });
        const machine = await this.find(vbox, spec.name);
        const lockType = mapMachineState(String(await machine.getState())) === 'off' ? 'Write' : 'Shared';
        await this.connection.withLock(vbox, machine, lockType, async (mutable) => {
          const taken = await mutable.takeSnapshot(
            name,
            `NestLab checkpoint ${name} of lab ${lab.lab}`,
            false,
          );
          await waitForProgress(taken.returnval, {
            ...options,
            call: 'IMachine.takeSnapshot',
            machine: spec.name,
          });
        });
      }
    });
    const found = (await this.listCheckpoints()).find((c) => c.name === name);
    if (!found)
      throw new HypervisorError('failed', `checkpoint ${name} was taken but VirtualBox does not list it`);
    return found;
  }

  /** Restores every machine to the checkpoint; running machines are powered off first (hard). */
  async restoreCheckpoint(id: string, options: OperationOptions = {}): Promise<void> {
    const lab = this.lab();
    for (const [index, spec] of lab.machines.entries()) {
      this.checkCancel(options, `restore ${id}`);
      options.progress?.report({
        message: `Restoring ${spec.name} to ${id}`,
        fraction: index / lab.machines.length,
      });
      const power = (await this.machine(spec.name)).power;
      if (power === 'running' || power === 'paused' || power === 'starting') await this.powerOff(spec.name);
      await this.connection.run(
        'IMachine.restoreSnapshot',
        async (vbox) => {
          const machine = await this.find(vbox, spec.name);
          const snapshot = await this.findSnapshot(machine, id, spec.name);
          await this.connection.withLock(vbox, machine, 'Write', async (mutable) => {
            await waitForProgress(await mutable.restoreSnapshot(snapshot), {
              ...options,
              call: 'IMachine.restoreSnapshot',
              machine: spec.name,
            });
          });
        },
        spec.name,
      );
    }
  }

  async deleteCheckpoint(id: string): Promise<void> {
    const lab = this.lab();
    await this.connection.run('IMachine.deleteSnapshot', async (vbox) => {
      for (const spec of lab.machines) {
        const machine = await this.find(vbox, spec.name);
        const snapshotId = String(await (await this.findSnapshot(machine, id, spec.name)).getId());
        const lockType = mapMachineState(String(await machine.getState())) === 'off' ? 'Write' : 'Shared';
        await this.connection.withLock(vbox, machine, lockType, async (mutable) => {
          await waitForProgress(await mutable.deleteSnapshot(snapshotId), {
            call: 'IMachine.deleteSnapshot',
            machine: spec.name,
          });
        });
      }
    });
  }

  /** Checkpoints present on every machine of the lab, oldest first. */
  async listCheckpoints(): Promise<CheckpointInfo[]> {
    const lab = this.lab();
    return this.connection.run('IMachine.findSnapshot', async (vbox) => {
      let common: Map<string, CheckpointInfo> | undefined;
      for (const spec of lab.machines) {
        const machine = await this.find(vbox, spec.name);
        const mine = new Map<string, CheckpointInfo>();
        if (Number(await machine.getSnapshotCount()) > 0) {
          const pending: ISnapshot[] = [await machine.findSnapshot('')];
          while (pending.length) {
            const snapshot = pending.shift()!;
            const name = String(await snapshot.getName());
            mine.set(name, {
              id: name,
              name,
              createdAt: new Date(Number(await snapshot.getTimeStamp())).toISOString(),
            });
            pending.push(...(await snapshot.getChildren()));
          }
        }
        common = common ? new Map([...common].filter(([name]) => mine.has(name))) : mine;
      }
      return [...(common ?? new Map<string, CheckpointInfo>()).values()].sort((a, b) =>
        a.createdAt.localeCompare(b.createdAt),
      );
    });
  }

  private async findSnapshot(machine: IMachine, name: string, machineName: string): Promise<ISnapshot> {
    try {
      return await machine.findSnapshot(name);
    } catch (error) {
      if (hasResultCode(error, VBOX_RC.VBOX_E_OBJECT_NOT_FOUND)) {
        throw new HypervisorError(
          'not-found',
          `checkpoint "${name}" does not exist on machine ${machineName}`,
          machineName,
        );
      }
      throw error;
    }
  }

  // --- linked clones -------------------------------------------------------------------------------------

  /** A new lab machine sharing the source's disk at a checkpoint (differencing disk), with its own MACs and console. */
  async cloneLinked(request: CloneRequest, options: OperationOptions = {}): Promise<MachineInfo> {
    const lab = this.lab();
    assertSafeName('machine', request.name);
    const source = this.spec(request.source);
    if (lab.machines.some((m) => m.name === request.name)) {
      throw new HypervisorError(
        'invalid-state',
        `machine ${request.name} already exists in lab ${lab.lab}`,
        request.name,
      );
    }
    const cloneSpec: MachineSpec = {
      ...structuredClone(source),
      name: request.name,
      nics: source.nics.map((n) => ({ network: n.network })),
    };
    await this.connection.run(
      'IMachine.cloneTo',
      async (vbox) => {
        const base = await this.find(vbox, request.source);
        const snapshotMachine = await (
          await this.findSnapshot(base, request.checkpoint, request.source)
        ).getMachine();
        const target = await this.connection.createMachine(
          vbox,
          vboxMachineName(lab.lab, request.name),
          [labGroup(lab.lab)],
          osTypeFor(source.kind),
        );
        const progress = await snapshotMachine.cloneTo(target, 'MachineState' as CloneMode, [
          'Link' as CloneOptions,
        ]);
        await waitForProgress(progress, {
          ...options,
          call: 'IMachine.cloneTo',
          machine: request.name,
          message: `Cloning ${request.source} into ${request.name}`,
        });
        await vbox.registerMachine(target);
        // The clone copied the source's console path; two VMs cannot serve the same pipe.
        const registered = await vbox.findMachine(vboxMachineName(lab.lab, request.name));
        await this.connection.withLock(vbox, registered, 'Write', async (mutable) => {
          await (
            await mutable.getSerialPort(0)
          ).setPath(serialConsolePath(this.platform, this.options.runDir, lab.lab, request.name));
          await mutable.saveSettings();
        });
      },
      request.name,
    );
    lab.machines.push(cloneSpec);
    await this.refreshMachineIds();
    return this.machine(request.name);
  }

  // --- keyboard, screen, media and per-machine checkpoints (installs, consoles, selftest) -------------

  /** Types on the guest's keyboard as set-1 scancodes (US layout), in slices IKeyboard takes at once. */
  async typeOnKeyboard(name: string, text: string): Promise<void> {
    await this.putScancodes(name, textToScancodes(text));
  }

  async putScancodes(name: string, scancodes: number[]): Promise<void> {
    await this.withConsole('IKeyboard.putScancodes', name, async (console) => {
      const keyboard = await console.getKeyboard();
      for (let i = 0; i < scancodes.length; i += 64) await keyboard.putScancodes(scancodes.slice(i, i + 64));
      await releaseRefs(keyboard);
    });
  }

  /** The guest's screen as PNG (IDisplay.takeScreenShotToArray), for the console view and the selftest. */
  async screenshot(name: string): Promise<{ width: number; height: number; png: Buffer }> {
    return this.withConsole('IDisplay.takeScreenShotToArray', name, async (console) => {
      const display = await console.getDisplay();
      const resolution = (await display.getScreenResolution(0)) as unknown as {
        width: unknown;
        height: unknown;
      };
      const width = Number(resolution.width) || 640;
      const height = Number(resolution.height) || 480;
      const data = await display.takeScreenShotToArray(0, width, height, 'PNG' as BitmapFormat);
      await releaseRefs(display);
      return { width, height, png: Buffer.from(String(data), 'base64') };
    });
  }

  /** Empties every DVD drive (installer ISO, seeds) of a stopped machine, so it boots from its disk. */
  async ejectMedia(name: string): Promise<void> {
    const spec = this.spec(name);
    const drives = (spec.iso ? 1 : 0) + (spec.seeds?.length ?? 0);
    await this.connection.run(
      'IMachine.mountMedium',
      async (vbox) => {
        const machine = await this.find(vbox, name);
        await this.connection.withLock(vbox, machine, 'Write', async (mutable) => {
          for (let i = 0; i < drives; i++) {
            const port = spec.disks.length + i;
            const medium = await mutable.getMedium(STORAGE_CONTROLLER, port, 0).catch(() => undefined);
            if (!medium || !refOf(medium)) continue;
            await mutable.mountMedium(
              STORAGE_CONTROLLER,
              port,
              0,
              { __object: '' } as unknown as IMedium,
              true,
            );
          }
          await mutable.saveSettings();
        });
      },
      name,
    );
  }

  /** True while the installer ISO is still in its drive (ejectMedia empties it once the install is over). */
  async installMediaInserted(name: string): Promise<boolean> {
    const spec = this.spec(name);
    if (!spec.iso) return false;
    return this.connection.run(
      'IMachine.getMedium',
      async (vbox) => {
        const machine = await this.find(vbox, name);
        const medium = await machine
          .getMedium(STORAGE_CONTROLLER, spec.disks.length, 0)
          .catch(() => undefined);
        return Boolean(medium && refOf(medium));
      },
      name,
    );
  }

  /** When the machine last changed state (ms since the epoch), e.g. the moment an installer powered off. */
  async lastStateChange(name: string): Promise<number> {
    return this.connection.run(
      'IMachine.getLastStateChange',
      async (vbox) => Number(await (await this.find(vbox, name)).getLastStateChange()),
      name,
    );
  }

  /** A snapshot of ONE machine (e.g. "installed" after its install), taken while it is off. */
  async takeMachineCheckpoint(
    name: string,
    checkpoint: string,
    options: OperationOptions = {},
  ): Promise<void> {
    await this.connection.run(
      'IMachine.takeSnapshot',
      async (vbox) => {
        const machine = await this.find(vbox, name);
        const existing = await machine.findSnapshot(checkpoint).catch(() => undefined);
        if (existing) return;
        await this.connection.withLock(vbox, machine, 'Write', async (mutable) => {
          const taken = await mutable.takeSnapshot(
            checkpoint,
            `NestLab checkpoint ${checkpoint} of ${name}`,
            false,
          );
          await waitForProgress(taken.returnval, {
            ...options,
            call: 'IMachine.takeSnapshot',
            machine: name,
          });
        });
      },
      name,
    );
  }

  async hasMachineCheckpoint(name: string, checkpoint: string): Promise<boolean> {
    return this.connection.run(
      'IMachine.findSnapshot',
      async (vbox) => {
        const machine = await this.find(vbox, name).catch(() => undefined);
        if (!machine || Number(await machine.getSnapshotCount()) === 0) return false;
        return Boolean(await machine.findSnapshot(checkpoint).catch(() => undefined));
      },
      name,
    );
  }

  /** Restores ONE machine to its own checkpoint, powering it off (hard) first. */
  async restoreMachineCheckpoint(
    name: string,
    checkpoint: string,
    options: OperationOptions = {},
  ): Promise<void> {
    const power = (await this.machine(name)).power;
    if (power === 'running' || power === 'paused' || power === 'starting') await this.powerOff(name);
    await this.connection.run(
      'IMachine.restoreSnapshot',
      async (vbox) => {
        const machine = await this.find(vbox, name);
        const snapshot = await this.findSnapshot(machine, checkpoint, name);
        await this.connection.withLock(vbox, machine, 'Write', async (mutable) => {
          await waitForProgress(await mutable.restoreSnapshot(snapshot), {
            ...options,
            call: 'IMachine.restoreSnapshot',
            machine: name,
          });
        });
      },
      name,
    );
  }

  // --- removal -----------------------------------------------------------------------------------------

  /** Deletes every machine of the lab with its disks; needs `{ confirm: true }`. Host-only networks stay. */
  async destroy(lab: string, options: DestroyOptions = {}): Promise<void> {
    assertSafeName('lab', lab);
    if (options.confirm !== true) {
      throw new HypervisorError(
        'invalid-state',
        `destroy ${lab} deletes every VirtualBox machine and disk of the lab; call it again with { confirm: true }`,
      );
    }
    await this.connection.run(`destroy ${lab}`, async (vbox) => {
      const machines = await vbox.getMachinesByGroups([labGroup(lab)]);
      for (const [index, machine] of machines.entries()) {
        this.checkCancel(options, `destroy ${lab}`);
        const name = String(await machine.getName());
        options.progress?.report({ message: `Deleting ${name}`, fraction: index / machines.length });
        const power = mapMachineState(String(await machine.getState()));
        if (power === 'running' || power === 'paused' || power === 'starting') {
          await this.connection.withLock(vbox, machine, 'Shared', async (_m, session) => {
            const console = await session.getConsole();
            if (console)
              await waitForProgress(await console.powerDown(), { call: 'IConsole.powerDown', machine: name });
          });
        }
        const media = await this.connection.retryWhileBusy(() =>
          machine.unregister('DetachAllReturnHardDisksOnly' as CleanupMode),
        );
        await waitForProgress(await machine.deleteConfig(media), {
          ...options,
          call: 'IMachine.deleteConfig',
          machine: name,
        });
      }
    });
    if (this.topology?.lab === lab) {
      this.topology = undefined;
      this.machineIds.clear();
    }
  }

  private checkCancel(options: OperationOptions, what: string): void {
    if (options.signal?.aborted) throw new HypervisorError('cancelled', `${what}: cancelled`);
  }

  // --- events and shutdown ----------------------------------------------------------------------------------

  /** Subscribes to power changes; the first subscriber starts the event listener. */
  onPowerEvent(listener: (event: PowerEvent) => void): () => void {
    this.listeners.add(listener);
    this.watcher ??= new StateWatcher({
      connection: this.connection,
      clock: this.clock,
      nameOf: (id) => this.machineIds.get(id),
      emit: (event) => this.listeners.forEach((l) => l(event)),
      currentStates: () => this.currentStates(),
      pollMs: this.options.eventPollMs,
    });
    return () => {
      this.listeners.delete(listener);
    };
  }

  private async currentStates(): Promise<Map<string, PowerState>> {
    const states = new Map<string, PowerState>();
    if (!this.topology) return states;
    const lab = this.topology;
    return this.connection.run('IMachine.getState', async (vbox) => {
      for (const spec of lab.machines) {
        try {
          const machine = await vbox.findMachine(vboxMachineName(lab.lab, spec.name));
          states.set(spec.name, mapMachineState(String(await machine.getState())));
        } catch (error) {
          if (!hasResultCode(error, VBOX_RC.VBOX_E_OBJECT_NOT_FOUND)) throw error;
        }
      }
      return states;
    });
  }

  /** Resolves once power events are being listened for (after the first onPowerEvent). */
  async powerEventsReady(): Promise<void> {
    await this.watcher?.ready;
  }

  async close(): Promise<void> {
    const watcher = this.watcher;
    this.watcher = undefined;
    await watcher?.close();
    await this.connection.close();
  }
}
