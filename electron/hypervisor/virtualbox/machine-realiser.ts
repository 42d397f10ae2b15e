/**
 * Brings one VirtualBox machine to the state a MachineSpec asks for: created and registered in the lab's
 * group, memory and CPUs, nested VT-x/AMD-V, SATA disks, the ISO, NICs on the lab networks with
 * promiscuous mode "allow all", and COM1 as a local pipe/socket server. Running it twice changes nothing.
 */
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type {
  AccessMode,
  DeviceType,
  IMachine,
  IMedium,
  IVirtualBox,
  MediumVariant,
  NetworkAdapterPromiscModePolicy,
  NetworkAttachmentType,
  NetworkAdapterType,
  PortMode,
  StorageBus,
} from 'virtualbox-soap';
import { HypervisorError, type MachineSpec, type OperationOptions } from '../driver.ts';
import type { NicAttachment } from './host-only-network.ts';
import { labGroup, osTypeFor, vboxMachineName } from './lab-naming.ts';
import { mapMachineState } from './map-state.ts';
import { waitForProgress } from './progress.ts';
import { isNativeDiskImage, rawDiskDescriptor } from './raw-disk-descriptor.ts';
import type { ResolvedImages } from './resolve-images.ts';
import { hasResultCode, VBOX_RC } from './vbox-fault.ts';
import type { VBoxConnection } from './vbox-connection.ts';

export const STORAGE_CONTROLLER = 'SATA';
const SERIAL_IO_ADDRESS = 0x3f8;
const SERIAL_IRQ = 4;
const MANAGED_NIC_SLOTS = 4;

export interface RealiseContext {
  connection: VBoxConnection;
  vbox: IVirtualBox;
  lab: string;
  attachments: Map<string, NicAttachment>;
  serialPath: string;
  /** Every image of the topology, already resolved to an existing file (resolve-images.ts). */
  images: ResolvedImages;
  /** Where NestLab may write helper files VirtualBox reads (raw-disk descriptors). */
  workDir: string;
  options: OperationOptions;
}

function imagePath(ctx: RealiseContext, ref: string, machine: string): string {
  const file = ctx.images.get(ref);
  if (!file)
    throw new HypervisorError(
      'failed',
      `machine ${machine}: image "${ref}" was not resolved before realising`,
      machine,
    );
  return file;
}

async function findMachine(vbox: IVirtualBox, name: string): Promise<IMachine | undefined> {
  try {
    return await vbox.findMachine(name);
  } catch (error) {
    if (hasResultCode(error, VBOX_RC.VBOX_E_OBJECT_NOT_FOUND)) return undefined;
    throw error;
  }
}

async function attachedMedium(machine: IMachine, port: number): Promise<IMedium | null | undefined> {
  try {
    return await machine.getMedium(STORAGE_CONTROLLER, port, 0);
  } catch (error) {
    if (hasResultCode(error, VBOX_RC.VBOX_E_OBJECT_NOT_FOUND)) return undefined;
    throw error;
  }
}

/**
 * The machine's settings file from an interrupted run: VirtualBox refuses createMachine over it
 * (MachineImpl.cpp: "Machine settings file '…' already exists"). Register that file again; only when it
 * cannot be opened (half written) is it overwritten, deliberately.
 */
async function recoverSettingsFile(
  ctx: RealiseContext,
  name: string,
  spec: MachineSpec,
): Promise<IMachine | 'overwrite'> {
  const file = String(await ctx.vbox.composeMachineFilename(name, labGroup(ctx.lab), '', ''));
  let existing: IMachine;
  try {
    existing = await ctx.vbox.openMachine(file, '');
  } catch (error) {
    if (!hasResultCode(error, VBOX_RC.VBOX_E_FILE_ERROR) && !hasResultCode(error, VBOX_RC.E_FAIL))
      throw error;
    ctx.options.progress?.report({ message: `Replacing the unreadable settings file of ${spec.name}` });
    return 'overwrite';
  }
  ctx.options.progress?.report({ message: `Registering ${spec.name} again from ${file}` });
  await ctx.vbox.registerMachine(existing);
  return ctx.vbox.findMachine(name);
}

/** Creates the machine if needed; returns it and whether it was new. */
async function ensureRegistered(
  ctx: RealiseContext,
  spec: MachineSpec,
): Promise<{ machine: IMachine; created: boolean }> {
  const name = vboxMachineName(ctx.lab, spec.name);
  const found = await findMachine(ctx.vbox, name);
  if (found) return { machine: found, created: false };
  const create = (flags = ''): Promise<IMachine> =>
    ctx.connection.createMachine(ctx.vbox, name, [labGroup(ctx.lab)], osTypeFor(spec.kind), flags);
  let machine: IMachine;
  try {
    machine = await create();
  } catch (error) {
    if (!hasResultCode(error, VBOX_RC.VBOX_E_FILE_ERROR)) throw error;
    const recovered = await recoverSettingsFile(ctx, name, spec);
    if (recovered !== 'overwrite') return { machine: recovered, created: false };
    machine = await create('forceOverwrite=1');
  }
  await machine.setMemorySize(spec.memoryMiB);
  await machine.setCPUCount(spec.cpus);
  await machine.saveSettings();
  await ctx.vbox.registerMachine(machine);
  return { machine, created: true };
}

/**
 * A medium the file of which may already exist (interrupted run). Real createMedium succeeds on an
 * existing file; the VERR_ALREADY_EXISTS arrives in the task's progress as VBOX_E_FILE_ERROR
 * (MediumImpl.cpp, createBaseStorage/cloneTo tasks). Then the existing file is opened instead.
 */
async function createOrOpenDisk(
  ctx: RealiseContext,
  location: string,
  build: (target: IMedium) => Promise<void>,
): Promise<IMedium> {
  const target = await ctx.vbox.createMedium(
    'VDI',
    location,
    'ReadWrite' as AccessMode,
    'HardDisk' as DeviceType,
  );
  try {
    await build(target);
    return target;
  } catch (error) {
    if (!hasResultCode(error, VBOX_RC.VBOX_E_FILE_ERROR)) throw error;
    return ctx.vbox.openMedium(location, 'HardDisk' as DeviceType, 'ReadWrite' as AccessMode, false);
  }
}

/** A ready-made disk image copied into the machine's own VDI (the image in the cache stays untouched). */
async function cloneBootDisk(
  ctx: RealiseContext,
  spec: MachineSpec,
  diskName: string,
  location: string,
  sizeBytes: number,
): Promise<IMedium> {
  const image = imagePath(ctx, spec.bootDisk!, spec.name);
  let sourcePath = image;
  if (!isNativeDiskImage(image)) {
    sourcePath = path.join(ctx.workDir, `${path.basename(image)}.vmdk`);
    await writeFile(sourcePath, rawDiskDescriptor(image, (await stat(image)).size));
  }
  const source = await ctx.vbox.openMedium(
    sourcePath,
    'HardDisk' as DeviceType,
    'ReadOnly' as AccessMode,
    false,
  );
  const wait = { ...ctx.options, machine: spec.name };
  const medium = await createOrOpenDisk(ctx, location, async (target) => {
    // No parent: an empty reference is the web service's null object (node-soap would drop a null).
    const noParent = { __object: '' } as unknown as IMedium;
    await waitForProgress(await source.cloneTo(target, ['Standard' as MediumVariant], noParent), {
      ...wait,
      call: 'IMedium.cloneTo',
      message: `Copying ${path.basename(image)} into ${diskName} of ${spec.name}`,
    });
  });
  // The source was only needed for the copy; leaving it registered would pin the cache file.
  await source.close().catch(() => undefined);
  if (Number(await medium.getLogicalSize()) < sizeBytes) {
    await waitForProgress(await medium.resize(sizeBytes), {
      ...wait,
      call: 'IMedium.resize',
      message: `Growing ${diskName} of ${spec.name}`,
    });
  }
  return medium;
}

async function ensureStorage(ctx: RealiseContext, spec: MachineSpec, mutable: IMachine): Promise<void> {
  try {
    await mutable.getStorageControllerByName(STORAGE_CONTROLLER);
  } catch (error) {
    if (!hasResultCode(error, VBOX_RC.VBOX_E_OBJECT_NOT_FOUND)) throw error;
    await mutable.addStorageController(STORAGE_CONTROLLER, 'SATA' as StorageBus);
  }
  const controller = await mutable.getStorageControllerByName(STORAGE_CONTROLLER);
  const ports = spec.disks.length + 1 + (spec.seeds?.length ?? 0);
  if (Number(await controller.getPortCount()) < ports) await controller.setPortCount(ports);

  const folder = path.dirname(await mutable.getSettingsFilePath());
  for (const [port, disk] of spec.disks.entries()) {
    if (await attachedMedium(mutable, port)) continue;
    const location = path.join(folder, `${disk.name}.vdi`);
    const sizeBytes = disk.sizeGiB * 1024 ** 3;
    const medium =
      port === 0 && spec.bootDisk
        ? await cloneBootDisk(ctx, spec, disk.name, location, sizeBytes)
        : await createOrOpenDisk(ctx, location, async (target) => {
            await waitForProgress(await target.createBaseStorage(sizeBytes, ['Standard' as MediumVariant]), {
              ...ctx.options,
              call: 'IMedium.createBaseStorage',
              machine: spec.name,
              message: `Creating disk ${disk.name} of ${spec.name}`,
            });
          });
    await mutable.attachDevice(STORAGE_CONTROLLER, port, 0, 'HardDisk' as DeviceType, medium);
  }

  const dvds = [...(spec.iso ? [spec.iso] : []), ...(spec.seeds ?? [])];
  for (const [index, ref] of dvds.entries()) {
    const dvdPort = spec.disks.length + index;
    if ((await attachedMedium(mutable, dvdPort)) !== undefined) continue;
    const file = imagePath(ctx, ref, spec.name);
    const medium = await ctx.vbox.openMedium(file, 'DVD' as DeviceType, 'ReadOnly' as AccessMode, false);
    await mutable.attachDevice(STORAGE_CONTROLLER, dvdPort, 0, 'DVD' as DeviceType, medium);
  }
  // An empty disk is not bootable, so a fresh machine falls through to the installer ISO; once installed it boots from disk.
  await mutable.setBootOrder(1, 'HardDisk' as DeviceType);
  await mutable.setBootOrder(2, 'DVD' as DeviceType);
  await mutable.setBootOrder(3, 'Null' as DeviceType);
  await mutable.setBootOrder(4, 'Null' as DeviceType);
}

async function ensureNics(ctx: RealiseContext, spec: MachineSpec, mutable: IMachine): Promise<void> {
  // The NAT adapter comes after the lab NICs, so the lab NIC stays the first one (enp0s3, vmbr0).
  const natSlot = spec.internet ? spec.nics.length : -1;
  if (natSlot >= MANAGED_NIC_SLOTS)
    throw new HypervisorError(
      'failed',
      `machine ${spec.name}: no adapter slot left for the NAT adapter`,
      spec.name,
    );
  for (let slot = 0; slot < MANAGED_NIC_SLOTS; slot++) {
    const nic = spec.nics[slot];
    const adapter = await mutable.getNetworkAdapter(slot);
    if (slot === natSlot) {
      await adapter.setEnabled(true);
      await adapter.setAdapterType('I82540EM' as NetworkAdapterType);
      await adapter.setAttachmentType('NAT' as NetworkAttachmentType);
      if (spec.internetMac) await adapter.setMACAddress(spec.internetMac.replace(/[:-]/g, '').toUpperCase());
      await adapter.setCableConnected(true);
      continue;
    }
    if (!nic) {
      if (await adapter.getEnabled()) await adapter.setEnabled(false);
      continue;
    }
    const attachment = ctx.attachments.get(nic.network);
    if (!attachment) {
      throw new HypervisorError(
        'failed',
        `machine ${spec.name} nic ${slot}: network "${nic.network}" is not in the topology`,
        spec.name,
      );
    }
    await adapter.setEnabled(true);
    await adapter.setAdapterType('I82540EM' as NetworkAdapterType);
    if (attachment.type === 'HostOnly') {
      await adapter.setAttachmentType('HostOnly' as NetworkAttachmentType);
      await adapter.setHostOnlyInterface(attachment.interfaceName);
    } else {
      await adapter.setAttachmentType('HostOnlyNetwork' as NetworkAttachmentType);
      await adapter.setHostOnlyNetwork(attachment.networkName);
    }
    // PVE bridges this NIC into vmbr0; its guests' own MACs would be dropped without "allow all".
    await adapter.setPromiscModePolicy('AllowAll' as NetworkAdapterPromiscModePolicy);
    await adapter.setCableConnected(true);
    if (nic.mac) await adapter.setMACAddress(nic.mac.replace(/[:-]/g, '').toUpperCase());
  }
}

async function ensureSerialConsole(ctx: RealiseContext, mutable: IMachine): Promise<void> {
  const port = await mutable.getSerialPort(0);
  // The path must be set before the mode: VirtualBox refuses HostPipe with an empty path.
  await port.setPath(ctx.serialPath);
  await port.setHostMode('HostPipe' as PortMode);
  await port.setServer(true);
  await ctx.connection.setSerialPortAddress(port, SERIAL_IO_ADDRESS);
  await port.setIRQ(SERIAL_IRQ);
  await port.setEnabled(true);
}

/** Realises one machine; a running machine is left alone unless its size differs (then it is an error). */
export async function ensureMachine(ctx: RealiseContext, spec: MachineSpec): Promise<IMachine> {
  const { machine } = await ensureRegistered(ctx, spec);
  const state = mapMachineState(String(await machine.getState()));
  if (state !== 'off') {
    const memory = Number(await machine.getMemorySize());
    const cpus = Number(await machine.getCPUCount());
    if (memory !== spec.memoryMiB || cpus !== spec.cpus) {
      throw new HypervisorError(
        'invalid-state',
        `machine ${spec.name} is ${state} with ${memory} MiB / ${cpus} CPUs; power it off to change it to ${spec.memoryMiB} MiB / ${spec.cpus} CPUs`,
        spec.name,
      );
    }
    return machine;
  }
  await ctx.connection.withLock(ctx.vbox, machine, 'Write', async (mutable) => {
    await mutable.setMemorySize(spec.memoryMiB);
    await mutable.setCPUCount(spec.cpus);
    await ctx.connection.setNestedVirtualization(mutable, spec.nestedVirtualization);
    await ensureStorage(ctx, spec, mutable);
    await ensureNics(ctx, spec, mutable);
    await ensureSerialConsole(ctx, mutable);
    await mutable.saveSettings();
  });
  return machine;
}
