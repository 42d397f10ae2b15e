/**
 * Brings one VirtualBox machine to the state a MachineSpec asks for: created and registered in the lab's
 * group, memory and CPUs, nested VT-x/AMD-V, SATA disks, the ISO, NICs on the lab networks with
 * promiscuous mode "allow all", and COM1 as a local pipe/socket server. Running it twice changes nothing.
 */
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
  /** Turns MachineSpec.iso (a path or a catalog id) into a file path. */
  resolveImage: (iso: string) => string;
  options: OperationOptions;
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

/** Creates the machine if needed; returns it and whether it was new. */
async function ensureRegistered(
  ctx: RealiseContext,
  spec: MachineSpec,
): Promise<{ machine: IMachine; created: boolean }> {
  const name = vboxMachineName(ctx.lab, spec.name);
  const found = await findMachine(ctx.vbox, name);
  if (found) return { machine: found, created: false };
  const machine = await ctx.connection.createMachine(
    ctx.vbox,
    name,
    [labGroup(ctx.lab)],
    osTypeFor(spec.kind),
  );
  await machine.setMemorySize(spec.memoryMiB);
  await machine.setCPUCount(spec.cpus);
  await machine.saveSettings();
  await ctx.vbox.registerMachine(machine);
  return { machine, created: true };
}

async function ensureStorage(ctx: RealiseContext, spec: MachineSpec, mutable: IMachine): Promise<void> {
  try {
    await mutable.getStorageControllerByName(STORAGE_CONTROLLER);
  } catch (error) {
    if (!hasResultCode(error, VBOX_RC.VBOX_E_OBJECT_NOT_FOUND)) throw error;
    await mutable.addStorageController(STORAGE_CONTROLLER, 'SATA' as StorageBus);
  }
  const controller = await mutable.getStorageControllerByName(STORAGE_CONTROLLER);
  const ports = spec.disks.length + 1;
  if (Number(await controller.getPortCount()) < ports) await controller.setPortCount(ports);

  const folder = path.dirname(await mutable.getSettingsFilePath());
  for (const [port, disk] of spec.disks.entries()) {
    if (await attachedMedium(mutable, port)) continue;
    const location = path.join(folder, `${disk.name}.vdi`);
    let medium: IMedium;
    try {
      medium = await ctx.vbox.createMedium(
        'VDI',
        location,
        'ReadWrite' as AccessMode,
        'HardDisk' as DeviceType,
      );
      await waitForProgress(
        await medium.createBaseStorage(disk.sizeGiB * 1024 ** 3, ['Standard' as MediumVariant]),
        {
          ...ctx.options,
          call: 'IMedium.createBaseStorage',
          machine: spec.name,
          message: `Creating disk ${disk.name} of ${spec.name}`,
        },
      );
    } catch (error) {
      // Left over from an interrupted run: the file exists but was never attached.
      if (!hasResultCode(error, VBOX_RC.VBOX_E_FILE_ERROR)) throw error;
      medium = await ctx.vbox.openMedium(
        location,
        'HardDisk' as DeviceType,
        'ReadWrite' as AccessMode,
        false,
      );
    }
    await mutable.attachDevice(STORAGE_CONTROLLER, port, 0, 'HardDisk' as DeviceType, medium);
  }

  if (spec.iso) {
    const dvdPort = spec.disks.length;
    const current = await attachedMedium(mutable, dvdPort);
    if (current === undefined) {
      const isoPath = ctx.resolveImage(spec.iso);
      const iso = await ctx.vbox.openMedium(isoPath, 'DVD' as DeviceType, 'ReadOnly' as AccessMode, false);
      await mutable.attachDevice(STORAGE_CONTROLLER, dvdPort, 0, 'DVD' as DeviceType, iso);
    }
  }
  // An empty disk is not bootable, so a fresh machine falls through to the installer ISO; once installed it boots from disk.
  await mutable.setBootOrder(1, 'HardDisk' as DeviceType);
  await mutable.setBootOrder(2, 'DVD' as DeviceType);
  await mutable.setBootOrder(3, 'Null' as DeviceType);
  await mutable.setBootOrder(4, 'Null' as DeviceType);
}

async function ensureNics(ctx: RealiseContext, spec: MachineSpec, mutable: IMachine): Promise<void> {
  for (let slot = 0; slot < MANAGED_NIC_SLOTS; slot++) {
    const nic = spec.nics[slot];
    const adapter = await mutable.getNetworkAdapter(slot);
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
