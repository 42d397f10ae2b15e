/**
 * The operations the fake vboxwebsrv implements, keyed by WSDL operation name. Each works on the
 * in-memory world with VirtualBox's rules (locks, mutability, machine states) and real result codes.
 * Whether an operation is reachable at all is decided by the served WSDL, not here.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { RC, vboxFault } from './fake-faults.ts';
import { guestStarted as scriptedGuestStarted, guestStopped, guestTyped } from './fake-guest.ts';
import {
  cloneSettings,
  type FakeEvent,
  type FakeHostInterface,
  type FakeMachine,
  type FakeMedium,
  type FakeNic,
  type FakeObject,
  type FakeSerial,
  type FakeSession,
  type FakeSnapshot,
  type FakeWorld,
  type MachineSettings,
  type MachineView,
} from './fake-world.ts';

export type Args = Record<string, unknown>;
export interface OperationContext {
  world: FakeWorld;
  /** The caller's websession ref for an object; '' for none (a null reference). */
  ref(object: object | undefined): string;
}
export type Operation = (args: Args, ctx: OperationContext) => unknown;

const bool = (v: unknown): boolean => v === true || v === 'true' || v === '1';
const num = (v: unknown): number => Number(v);
const list = (v: unknown): unknown[] =>
  v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v];
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

function self<K extends FakeObject['kind']>(
  ctx: OperationContext,
  args: Args,
  ...kinds: K[]
): Extract<FakeObject, { kind: K }> {
  const { object } = ctx.world.resolve(args['_this']);
  if (!kinds.includes(object.kind as K)) {
    throw vboxFault(RC.E_INVALIDARG, `Object reference is a ${object.kind}, expected ${kinds.join(' or ')}`);
  }
  return object as Extract<FakeObject, { kind: K }>;
}

function arg<K extends FakeObject['kind']>(
  ctx: OperationContext,
  value: unknown,
  kind: K,
): Extract<FakeObject, { kind: K }> {
  const { object } = ctx.world.resolve(value);
  if (object.kind !== kind)
    throw vboxFault(RC.E_INVALIDARG, `Argument is a ${object.kind}, expected ${kind}`);
  return object as Extract<FakeObject, { kind: K }>;
}

function machineOf(target: FakeMachine | MachineView): FakeMachine {
  return target.kind === 'Machine' ? target : target.machine;
}

function settingsOf(target: FakeMachine | MachineView): MachineSettings {
  return target.kind === 'Machine' ? target.settings : target.draft;
}

/** Settings that may be changed now: a locked session machine's draft, or a machine not yet registered. */
function mutableSettings(target: FakeMachine | MachineView, allowedWhileRunning = false): MachineSettings {
  const machine = machineOf(target);
  const mutable = target.kind === 'MachineView' ? target.mutable : !target.registered;
  if (!mutable) {
    throw vboxFault(RC.E_ACCESSDENIED, `The machine is not mutable (state is ${machine.state})`);
  }
  if (
    !allowedWhileRunning &&
    machine.registered &&
    machine.state !== 'PoweredOff' &&
    machine.state !== 'Aborted'
  ) {
    throw vboxFault(RC.VBOX_E_INVALID_VM_STATE, `The machine is not mutable (state is ${machine.state})`);
  }
  return settingsOf(target);
}

const MACHINE_KINDS = ['Machine', 'MachineView'] as const;
const machineSelf = (ctx: OperationContext, args: Args): FakeMachine | MachineView =>
  self(ctx, args, ...MACHINE_KINDS);

function nicOf(ctx: OperationContext, args: Args): { nic: FakeNic; owner: FakeMachine | MachineView } {
  const adapter = self(ctx, args, 'NetworkAdapter');
  const nic = settingsOf(adapter.view).nics[adapter.slot];
  if (!nic) throw vboxFault(RC.E_INVALIDARG, `No network adapter in slot ${adapter.slot}`);
  return { nic, owner: adapter.view };
}

function serialOf(
  ctx: OperationContext,
  args: Args,
): { serial: FakeSerial; owner: FakeMachine | MachineView } {
  const port = self(ctx, args, 'SerialPort');
  const serial = settingsOf(port.view).serials[port.slot];
  if (!serial) throw vboxFault(RC.E_INVALIDARG, `No serial port in slot ${port.slot}`);
  return { serial, owner: port.view };
}

/** Re-reads the field from the owner's current settings so writes land in the draft, not a stale copy. */
function setNicField<F extends keyof FakeNic>(
  field: F,
  parse: (v: unknown) => FakeNic[F],
  runtime = false,
): Operation {
  return (args, ctx) => {
    const adapter = self(ctx, args, 'NetworkAdapter');
    const settings = mutableSettings(adapter.view, runtime);
    const nic = settings.nics[adapter.slot];
    if (!nic) throw vboxFault(RC.E_INVALIDARG, `No network adapter in slot ${adapter.slot}`);
    const value = Object.entries(args).find(([k]) => k !== '_this')?.[1];
    nic[field] = parse(value);
    return {};
  };
}

function setSerialField<F extends keyof FakeSerial>(
  field: F,
  parse: (v: unknown) => FakeSerial[F],
): Operation {
  return (args, ctx) => {
    const port = self(ctx, args, 'SerialPort');
    const serial = mutableSettings(port.view).serials[port.slot];
    if (!serial) throw vboxFault(RC.E_INVALIDARG, `No serial port in slot ${port.slot}`);
    const value = Object.entries(args).find(([k]) => k !== '_this')?.[1];
    if (field === 'hostMode') {
      const mode = str(value);
      // SerialPortImpl refuses pipe/device/file/TCP modes until a path is set.
      if (mode !== 'Disconnected' && !serial.path) {
        throw vboxFault(
          RC.E_INVALIDARG,
          `Cannot set the host pipe mode of the serial port ${port.slot} because the pipe path is empty or null`,
        );
      }
    }
    serial[field] = parse(value);
    return {};
  };
}

function sessionsOf(world: FakeWorld): FakeSession[] {
  return world.clientSessions;
}

/** The VM process ended: drop every session on the machine, after a short lag like the real one. */
function vmProcessEnded(world: FakeWorld, machine: FakeMachine): void {
  machine.unlockingUntil = Date.now() + world.options.unlockLagMs;
  for (const session of sessionsOf(world)) {
    if (session.machine === machine) unlockSession(session);
  }
  for (const key of [...machine.guestProperties.keys()]) {
    if (key.startsWith('/VirtualBox/GuestInfo/')) machine.guestProperties.delete(key);
  }
  guestStopped(machine);
}

function unlockSession(session: FakeSession): void {
  if (session.machine?.lock === session) session.machine.lock = undefined;
  if (session.view) session.view.mutable = false;
  session.state = 'Unlocked';
  session.type = 'Null';
  session.machine = undefined;
  session.view = undefined;
}

function openView(machine: FakeMachine, settings: MachineSettings, mutable: boolean): MachineView {
  return { kind: 'MachineView', machine, draft: cloneSettings(settings), mutable, viewId: randomUUID() };
}

function findSnapshot(machine: FakeMachine, nameOrId: string): FakeSnapshot {
  if (!nameOrId) {
    const root = machine.snapshots.find((s) => !s.parent);
    if (root) return root;
  }
  const snapshot = machine.snapshots.find((s) => s.id === nameOrId || s.name === nameOrId);
  if (!snapshot) throw vboxFault(RC.VBOX_E_OBJECT_NOT_FOUND, `Could not find a snapshot named '${nameOrId}'`);
  return snapshot;
}

function guestStarted(world: FakeWorld, machine: FakeMachine): void {
  const addresses = world.options.guestAddresses[machine.settings.name] ?? [];
  machine.guestProperties.set('/VirtualBox/GuestInfo/Net/Count', String(addresses.length));
  addresses.forEach((ip, i) => machine.guestProperties.set(`/VirtualBox/GuestInfo/Net/${i}/V4/IP`, ip));
  scriptedGuestStarted(world, machine);
}

/** A 1×1 PNG: what the fake's screen shows, enough for a client to decode a real PNG. */
const TINY_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

function nestedStartError(settings: MachineSettings): string | undefined {
  if (
    settings.cpuProperties['HWVirt'] &&
    !(settings.hwVirtExProperties['NestedPaging'] && settings.hwVirtExProperties['UnrestrictedExecution'])
  ) {
    return 'Cannot enable nested VT-x/AMD-V without nested-paging and unrestricted guest execution!';
  }
  return undefined;
}

function hostOnlyNameFor(world: FakeWorld): string {
  const n = world.hostInterfaces.length;
  if (world.options.hostOs.startsWith('Windows')) {
    return n === 0
      ? 'VirtualBox Host-Only Ethernet Adapter'
      : `VirtualBox Host-Only Ethernet Adapter #${n + 1}`;
  }
  return `vboxnet${n}`;
}

export function createOperations(world: FakeWorld): Record<string, Operation> {
  const o = world.options;
  world.guestPoweredOff = (machine) => {
    if (!world.isRunning(machine)) return;
    world.setState(machine, 'PoweredOff');
    vmProcessEnded(world, machine);
  };

  const ops: Record<string, Operation> = {
    // --- websession -----------------------------------------------------------------------------------
    IWebsessionManager_logon: (args) => {
      const expected = o.users[str(args['username'])];
      // VBoxAuthSimple compares against the stored hash; a mismatch is a plain E_FAIL at logon.
      if (expected === undefined || expected !== str(args['password'])) {
        // vboxweb.cpp raises a bare E_FAIL here: no error info, so the fault carries no text.
        throw vboxFault(RC.E_FAIL, o.logonFaultText);
      }
      const ws = world.openWebsession();
      return { returnval: world.refFor(ws, world.singletons.virtualBox) };
    },
    IWebsessionManager_logoff: (args) => {
      const { ws } = world.resolve(args['refIVirtualBox']);
      world.sessions.delete(ws.id);
      return {};
    },
    IWebsessionManager_getSessionObject: (args, ctx) => {
      world.resolve(args['refIVirtualBox']);
      const session: FakeSession = { kind: 'Session', id: randomUUID(), state: 'Unlocked', type: 'Null' };
      sessionsOf(world).push(session);
      return { returnval: ctx.ref(session) };
    },
    IManagedObjectRef_release: (args) => {
      world.release(str(args['_this']));
      return {};
    },

    // --- IVirtualBox ------------------------------------------------------------------------------------
    IVirtualBox_getVersion: () => ({ returnval: o.version }),
    IVirtualBox_getVersionNormalized: () => ({ returnval: o.version }),
    IVirtualBox_getAPIVersion: () => ({ returnval: o.apiVersion }),
    IVirtualBox_getHost: (_a, ctx) => ({ returnval: ctx.ref(world.singletons.host) }),
    IVirtualBox_getEventSource: (_a, ctx) => ({ returnval: ctx.ref(world.singletons.eventSource) }),
    IVirtualBox_findMachine: (args, ctx) => ({
      returnval: ctx.ref(world.findMachine(str(args['nameOrId']))),
    }),
    IVirtualBox_getMachines: (_a, ctx) => ({
      returnval: world.machines.filter((m) => m.registered).map((m) => ctx.ref(m)),
    }),
    IVirtualBox_getMachinesByGroups: (args, ctx) => {
      const groups = list(args['groups']).map(str);
      const found = world.machines.filter(
        (m) => m.registered && m.settings.groups.some((g) => groups.includes(g)),
      );
      return { returnval: found.map((m) => ctx.ref(m)) };
    },
    IVirtualBox_createMachine: (args, ctx) => {
      const name = str(args['name']);
      if (!name) throw vboxFault(RC.E_INVALIDARG, 'Machine name must not be empty');
      const groups = list(args['groups']).map(str);
      const settingsFile = world.composeSettingsPath(name, groups[0] ?? '');
      const forceOverwrite = /(^|,)\s*forceOverwrite=1\s*(,|$)/.test(str(args['flags']));
      // MachineImpl.cpp init(): the composed settings file must not exist unless forceOverwrite=1.
      if (
        !forceOverwrite &&
        (world.disk.has(settingsFile) || world.machines.some((m) => m.registered && m.settings.name === name))
      ) {
        throw vboxFault(RC.VBOX_E_FILE_ERROR, `Machine settings file '${settingsFile}' already exists`);
      }
      const platform = o.apiVersion === '7_0' ? 'x86' : str(args['platform']);
      const machine = world.newMachine(name, groups, str(args['osTypeId']), platform);
      world.machines.push(machine);
      return { returnval: ctx.ref(machine) };
    },
    IVirtualBox_composeMachineFilename: (args) => ({
      returnval: world.composeSettingsPath(str(args['name']), str(args['group'])),
    }),
    IVirtualBox_openMachine: (args, ctx) => {
      const file = world.resolvePath(str(args['settingsFile']));
      const content = world.disk.get(file);
      if (!content || content.kind !== 'vbox') {
        throw vboxFault(
          RC.VBOX_E_FILE_ERROR,
          `Could not open the settings file '${file}' (VERR_FILE_NOT_FOUND)`,
        );
      }
      const known = world.machines.find((m) => m.id === content.machineId);
      if (known) return { returnval: ctx.ref(known) };
      const machine = world.newMachine(
        content.settings.name,
        content.settings.groups,
        content.settings.osTypeId,
        content.platformArchitecture,
      );
      machine.id = content.machineId;
      machine.settings = cloneSettings(content.settings);
      machine.settingsFilePath = file;
      world.machines.push(machine);
      // Opening a machine registers the media of its registry whose files are still there.
      for (const medium of content.media) {
        if (
          !world.media.some((m) => m.id === medium.id) &&
          (world.disk.has(medium.location) || existsSync(medium.location))
        )
          world.media.push({ ...medium });
      }
      return { returnval: ctx.ref(machine) };
    },
    IVirtualBox_registerMachine: (args, ctx) => {
      const machine = arg(ctx, args['machine'], 'Machine');
      if (machine.registered)
        throw vboxFault(
          RC.VBOX_E_INVALID_OBJECT_STATE,
          `Machine '${machine.settings.name}' is already registered`,
        );
      if (
        world.machines.some(
          (m) => m.registered && (m.id === machine.id || m.settings.name === machine.settings.name),
        )
      ) {
        throw vboxFault(
          RC.VBOX_E_OBJECT_IN_USE,
          `Cannot register the machine '${machine.settings.name}' because a machine with the same UUID or name is already registered`,
        );
      }
      machine.registered = true;
      return {};
    },
    // Real createMedium only makes an object; whether the file exists shows in createBaseStorage's progress.
    IVirtualBox_createMedium: (args, ctx) => {
      const location = world.resolvePath(str(args['location']));
      const medium: FakeMedium = {
        kind: 'Medium',
        id: randomUUID(),
        location,
        format: str(args['format']),
        deviceType: str(args['aDeviceTypeType']),
        state: 'NotCreated',
        logicalSize: 0,
      };
      return { returnval: ctx.ref(medium) };
    },
    IVirtualBox_openMedium: (args, ctx) => {
      const location = world.resolvePath(str(args['location']));
      const deviceType = str(args['deviceType']);
      const known = world.media.find((m) => m.location === location);
      if (known) return { returnval: ctx.ref(known) };
      const onDisk = world.disk.get(location);
      let size = onDisk?.kind === 'medium' ? onDisk.sizeBytes : 0;
      let format = onDisk ? 'VDI' : 'RAW';
      if (!onDisk) {
        if (!existsSync(location)) {
          throw vboxFault(
            RC.VBOX_E_FILE_ERROR,
            `Could not find file for the medium '${location}' (VERR_FILE_NOT_FOUND)`,
          );
        }
        size = statSync(location).size;
        if (/\.vmdk$/i.test(location)) {
          // A monolithicFlat descriptor: its FLAT extent must exist with the size it claims.
          const text = readFileSync(location, 'utf8');
          const extent = /^(?:RW|RDONLY) (\d+) FLAT "([^"]+)" 0$/m.exec(text);
          const extentPath = extent?.[2] ?? '';
          if (!extent || !existsSync(extentPath) || statSync(extentPath).size !== Number(extent[1]) * 512) {
            throw vboxFault(
              RC.VBOX_E_FILE_ERROR,
              `Could not open the medium '${location}'. VD: error VERR_VD_VMDK_INVALID_HEADER opening image file '${location}'`,
            );
          }
          size = Number(extent[1]) * 512;
          format = 'VMDK';
        } else if (deviceType === 'HardDisk' && !/\.(vdi|vhd|qcow2?)$/i.test(location)) {
          // VirtualBox does not probe raw files as hard disks.
          throw vboxFault(
            RC.VBOX_E_FILE_ERROR,
            `Could not get the storage format of the medium '${location}' (VERR_NOT_SUPPORTED)`,
          );
        }
      }
      const medium: FakeMedium = {
        kind: 'Medium',
        id: randomUUID(),
        location,
        format,
        deviceType,
        state: 'Created',
        logicalSize: size,
      };
      world.media.push(medium);
      return { returnval: ctx.ref(medium) };
    },
    IVirtualBox_findDHCPServerByNetworkName: (args, ctx) => {
      const networkName = str(args['name']);
      if (!o.dhcpLeases[networkName] && !o.dhcpServersWithoutLeases.includes(networkName)) {
        throw vboxFault(RC.E_INVALIDARG, `Could not find a DHCP server for network '${networkName}'`);
      }
      return {
        returnval: ctx.ref(
          cached(world, `dhcp:${networkName}`, () => ({ kind: 'DhcpServer' as const, networkName })),
        ),
      };
    },
    IDHCPServer_findLeaseByMAC: (args, ctx) => {
      const server = self(ctx, args, 'DhcpServer');
      const mac = str(args['mac']);
      // Assumed format: colon-separated, as `VBoxManage dhcpserver findlease` prints it (unverified on a real host).
      if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac))
        throw vboxFault(RC.E_INVALIDARG, `Invalid MAC address '${mac}'`);
      if (o.dhcpServersWithoutLeases.includes(server.networkName)) {
        // DHCPServerImpl.cpp reads the leases file, which VirtualBox writes only after a first lease.
        throw vboxFault(
          RC.VBOX_E_FILE_ERROR,
          `Reading the leases file '${o.homeFolder}/${server.networkName}-Dhcpd.leases' failed: VERR_FILE_NOT_FOUND`,
        );
      }
      const address = o.dhcpLeases[server.networkName]?.[mac.toLowerCase()];
      if (!address) throw vboxFault(RC.VBOX_E_OBJECT_NOT_FOUND, `Could not find a lease for ${mac}`);
      return {
        address,
        state: 'acked',
        issued: Math.floor(Date.now() / 1000) - 60,
        expire: Math.floor(Date.now() / 1000) + 600,
      };
    },
    IVirtualBox_createHostOnlyNetwork: (args, ctx) => {
      const name = str(args['networkName']);
      if (world.hostOnlyNetworks.some((n) => n.name === name)) {
        throw vboxFault(RC.E_INVALIDARG, `Host-only network '${name}' already exists`);
      }
      const network = {
        kind: 'HostOnlyNetwork' as const,
        id: randomUUID(),
        name,
        networkMask: '',
        lowerIP: '',
        upperIP: '',
        enabled: false,
      };
      world.hostOnlyNetworks.push(network);
      return { returnval: ctx.ref(network) };
    },
    IVirtualBox_findHostOnlyNetworkByName: (args, ctx) => {
      const network = world.hostOnlyNetworks.find((n) => n.name === str(args['networkName']));
      if (!network)
        throw vboxFault(
          RC.VBOX_E_OBJECT_NOT_FOUND,
          `Could not find a host-only network named '${str(args['networkName'])}'`,
        );
      return { returnval: ctx.ref(network) };
    },
    IHostOnlyNetwork_getNetworkName: (args, ctx) => ({ returnval: self(ctx, args, 'HostOnlyNetwork').name }),
    IHostOnlyNetwork_setNetworkMask: (args, ctx) => (
      (self(ctx, args, 'HostOnlyNetwork').networkMask = str(args['networkMask'])),
      {}
    ),
    IHostOnlyNetwork_setLowerIP: (args, ctx) => (
      (self(ctx, args, 'HostOnlyNetwork').lowerIP = str(args['lowerIP'])),
      {}
    ),
    IHostOnlyNetwork_setUpperIP: (args, ctx) => (
      (self(ctx, args, 'HostOnlyNetwork').upperIP = str(args['upperIP'])),
      {}
    ),
    IHostOnlyNetwork_setEnabled: (args, ctx) => (
      (self(ctx, args, 'HostOnlyNetwork').enabled = bool(args['enabled'])),
      {}
    ),
    IHostOnlyNetwork_getLowerIP: (args, ctx) => ({ returnval: self(ctx, args, 'HostOnlyNetwork').lowerIP }),
    IHostOnlyNetwork_getUpperIP: (args, ctx) => ({ returnval: self(ctx, args, 'HostOnlyNetwork').upperIP }),

    // --- IHost ------------------------------------------------------------------------------------------
    IHost_getOperatingSystem: () => ({ returnval: o.hostOs }),
    IHost_getProcessorFeature: (args) => ({ returnval: Boolean(o.processorFeatures[str(args['feature'])]) }),
    IHost_getMemorySize: () => ({ returnval: o.memorySizeMiB }),
    IHost_getMemoryAvailable: () => ({ returnval: Math.floor(o.memorySizeMiB / 2) }),
    IHost_findHostNetworkInterfacesOfType: (args, ctx) =>
      str(args['type']) === 'HostOnly'
        ? { returnval: world.hostInterfaces.map((i) => ctx.ref(i)) }
        : { returnval: [] },
    IHost_createHostOnlyNetworkInterface: (_a, ctx) => {
      const nic: FakeHostInterface = {
        kind: 'HostInterface',
        id: randomUUID(),
        name: hostOnlyNameFor(world),
        ipAddress: '',
        networkMask: '',
      };
      const progress = world.startProgress(() => {
        nic.ipAddress = `192.168.${56 + world.hostInterfaces.length}.1`;
        nic.networkMask = '255.255.255.0';
        world.hostInterfaces.push(nic);
      });
      return { hostInterface: ctx.ref(nic), returnval: ctx.ref(progress) };
    },
    IHostNetworkInterface_getName: (args, ctx) => ({ returnval: self(ctx, args, 'HostInterface').name }),
    IHostNetworkInterface_getIPAddress: (args, ctx) => ({
      returnval: self(ctx, args, 'HostInterface').ipAddress,
    }),
    IHostNetworkInterface_getNetworkMask: (args, ctx) => ({
      returnval: self(ctx, args, 'HostInterface').networkMask,
    }),
    IHostNetworkInterface_enableStaticIPConfig: (args, ctx) => {
      const nic = self(ctx, args, 'HostInterface');
      const ip = str(args['IPAddress']);
      // Linux/macOS hosts only accept 192.168.56.0/21 unless /etc/vbox/networks.conf says otherwise.
      if (!o.hostOs.startsWith('Windows') && !/^192\.168\.(5[6-9]|6[0-3])\./.test(ip)) {
        throw vboxFault(
          RC.E_ACCESSDENIED,
          `Address ${ip} is outside the range allowed for host-only networks (VERR_ACCESS_DENIED)`,
        );
      }
      nic.ipAddress = ip;
      nic.networkMask = str(args['networkMask']);
      return {};
    },

    // --- IMachine ---------------------------------------------------------------------------------------
    IMachine_getId: (args, ctx) => ({ returnval: machineOf(machineSelf(ctx, args)).id }),
    IMachine_getName: (args, ctx) => ({ returnval: settingsOf(machineSelf(ctx, args)).name }),
    IMachine_getState: (args, ctx) => ({ returnval: machineOf(machineSelf(ctx, args)).state }),
    IMachine_getLastStateChange: (args, ctx) => ({
      returnval: machineOf(machineSelf(ctx, args)).lastStateChange,
    }),
    IMachine_getSessionState: (args, ctx) => {
      const machine = machineOf(machineSelf(ctx, args));
      return {
        returnval:
          machine.lock || world.isRunning(machine)
            ? 'Locked'
            : Date.now() < machine.unlockingUntil
              ? 'Unlocking'
              : 'Unlocked',
      };
    },
    IMachine_getGroups: (args, ctx) => ({ returnval: settingsOf(machineSelf(ctx, args)).groups }),
    IMachine_setGroups: (args, ctx) => (
      (mutableSettings(machineSelf(ctx, args)).groups = list(args['groups']).map(str)),
      {}
    ),
    IMachine_getOSTypeId: (args, ctx) => ({ returnval: settingsOf(machineSelf(ctx, args)).osTypeId }),
    IMachine_getSettingsFilePath: (args, ctx) => ({
      returnval: machineOf(machineSelf(ctx, args)).settingsFilePath,
    }),
    IMachine_getMemorySize: (args, ctx) => ({ returnval: settingsOf(machineSelf(ctx, args)).memorySize }),
    IMachine_setMemorySize: (args, ctx) => (
      (mutableSettings(machineSelf(ctx, args)).memorySize = num(args['memorySize'])),
      {}
    ),
    IMachine_getCPUCount: (args, ctx) => ({ returnval: settingsOf(machineSelf(ctx, args)).cpuCount }),
    IMachine_setCPUCount: (args, ctx) => (
      (mutableSettings(machineSelf(ctx, args)).cpuCount = num(args['CPUCount'])),
      {}
    ),
    IMachine_getCPUProperty: (args, ctx) => ({
      returnval: Boolean(settingsOf(machineSelf(ctx, args)).cpuProperties[str(args['property'])]),
    }),
    IMachine_setCPUProperty: (args, ctx) => (
      (mutableSettings(machineSelf(ctx, args)).cpuProperties[str(args['property'])] = bool(args['value'])),
      {}
    ),
    IMachine_getHWVirtExProperty: (args, ctx) => ({
      returnval: Boolean(settingsOf(machineSelf(ctx, args)).hwVirtExProperties[str(args['property'])]),
    }),
    IMachine_setHWVirtExProperty: (args, ctx) => (
      (mutableSettings(machineSelf(ctx, args)).hwVirtExProperties[str(args['property'])] = bool(
        args['value'],
      )),
      {}
    ),
    IMachine_getPlatform: (args, ctx) => ({
      returnval: ctx.ref(platformOf(machineSelf(ctx, args), 'Platform')),
    }),
    IPlatform_getArchitecture: (args, ctx) => ({
      returnval: machineOf(self(ctx, args, 'Platform').view).platformArchitecture,
    }),
    IPlatform_getX86: (args, ctx) => ({
      returnval: ctx.ref(platformOf(self(ctx, args, 'Platform').view, 'PlatformX86')),
    }),
    IPlatformX86_getCPUProperty: (args, ctx) => ({
      returnval: Boolean(
        settingsOf(self(ctx, args, 'PlatformX86').view).cpuProperties[str(args['property'])],
      ),
    }),
    IPlatformX86_setCPUProperty: (args, ctx) => (
      (mutableSettings(self(ctx, args, 'PlatformX86').view).cpuProperties[str(args['property'])] = bool(
        args['value'],
      )),
      {}
    ),
    IPlatformX86_getHWVirtExProperty: (args, ctx) => ({
      returnval: Boolean(
        settingsOf(self(ctx, args, 'PlatformX86').view).hwVirtExProperties[str(args['property'])],
      ),
    }),
    IPlatformX86_setHWVirtExProperty: (args, ctx) => (
      (mutableSettings(self(ctx, args, 'PlatformX86').view).hwVirtExProperties[str(args['property'])] = bool(
        args['value'],
      )),
      {}
    ),
    IMachine_saveSettings: (args, ctx) => {
      const target = machineSelf(ctx, args);
      if (target.kind === 'MachineView') {
        if (!target.mutable) throw vboxFault(RC.E_ACCESSDENIED, 'The machine is not mutable');
        target.machine.settings = cloneSettings(target.draft);
      }
      world.writeSettingsFile(machineOf(target));
      return {};
    },
    IMachine_lockMachine: (args, ctx) => {
      const machine = self(ctx, args, 'Machine');
      const session = arg(ctx, args['session'], 'Session');
      const lockType = str(args['lockType']);
      if (session.state !== 'Unlocked')
        throw vboxFault(RC.VBOX_E_INVALID_OBJECT_STATE, 'The given session is busy');
      const running = world.isRunning(machine);
      const busy = machine.lock !== undefined || Date.now() < machine.unlockingUntil;
      if ((lockType === 'Write' || lockType === 'VM') && (busy || running)) {
        throw vboxFault(
          RC.VBOX_E_INVALID_OBJECT_STATE,
          `The machine '${machine.settings.name}' is already locked by a session (or being locked or unlocked)`,
        );
      }
      if (lockType === 'Shared' && !running && busy) {
        throw vboxFault(
          RC.VBOX_E_INVALID_OBJECT_STATE,
          `The machine '${machine.settings.name}' is already locked for a session (or being unlocked)`,
        );
      }
      session.state = 'Locked';
      session.type = lockType === 'Shared' && running ? 'Shared' : 'Write';
      session.machine = machine;
      session.view = openView(machine, machine.settings, true);
      if (session.type === 'Write') machine.lock = session;
      return {};
    },
    IMachine_launchVMProcess: (args, ctx) => {
      const machine = self(ctx, args, 'Machine');
      const session = arg(ctx, args['session'], 'Session');
      if (session.state !== 'Unlocked')
        throw vboxFault(RC.VBOX_E_INVALID_OBJECT_STATE, 'The given session is busy');
      if (machine.lock || world.isRunning(machine) || Date.now() < machine.unlockingUntil) {
        throw vboxFault(
          RC.VBOX_E_INVALID_OBJECT_STATE,
          `The machine '${machine.settings.name}' is already locked by a session (or being locked or unlocked)`,
        );
      }
      const frontend = str(args['name']);
      if (!['headless', 'gui', 'sdl', 'separate', ''].includes(frontend)) {
        throw vboxFault(RC.E_INVALIDARG, `Invalid frontend name: '${frontend}'`);
      }
      session.state = 'Locked';
      session.type = 'Remote';
      session.machine = machine;
      world.setState(machine, 'Starting');
      const failure = o.startFailures[machine.settings.name] ?? nestedStartError(machine.settings);
      const progress = world.startProgress(() => {
        if (failure) {
          unlockSession(session);
          world.setState(machine, 'PoweredOff');
          return { resultCode: RC.E_FAIL, errorText: failure };
        }
        world.setState(machine, 'Running');
        guestStarted(world, machine);
        return undefined;
      });
      return { returnval: ctx.ref(progress) };
    },
    IMachine_getStorageControllerByName: (args, ctx) => {
      const target = machineSelf(ctx, args);
      const name = str(args['name']);
      if (!settingsOf(target).controllers.some((c) => c.name === name)) {
        throw vboxFault(RC.VBOX_E_OBJECT_NOT_FOUND, `Could not find a storage controller named '${name}'`);
      }
      return { returnval: ctx.ref(subObject(target, 'StorageController', name)) };
    },
    IMachine_addStorageController: (args, ctx) => {
      const target = machineSelf(ctx, args);
      const settings = mutableSettings(target);
      const name = str(args['name']);
      if (settings.controllers.some((c) => c.name === name)) {
        throw vboxFault(RC.VBOX_E_OBJECT_IN_USE, `Storage controller named '${name}' already exists`);
      }
      settings.controllers.push({ name, bus: str(args['connectionType']), portCount: 1 });
      return { returnval: ctx.ref(subObject(target, 'StorageController', name)) };
    },
    IStorageController_setPortCount: (args, ctx) => {
      const controller = self(ctx, args, 'StorageController');
      const found = mutableSettings(controller.view).controllers.find((c) => c.name === controller.name);
      const count = num(args['portCount']);
      if (!found || count < 1 || count > 30)
        throw vboxFault(RC.E_INVALIDARG, `Invalid port count: ${count} (must be in range [1, 30])`);
      found.portCount = count;
      return {};
    },
    IStorageController_getPortCount: (args, ctx) => {
      const controller = self(ctx, args, 'StorageController');
      return {
        returnval:
          settingsOf(controller.view).controllers.find((c) => c.name === controller.name)?.portCount ?? 0,
      };
    },
    IMachine_getMedium: (args, ctx) => {
      const target = machineSelf(ctx, args);
      const [name, port, device] = [str(args['name']), num(args['controllerPort']), num(args['device'])];
      const found = settingsOf(target).attachments.find(
        (a) => a.controller === name && a.port === port && a.device === device,
      );
      if (!found) {
        throw vboxFault(
          RC.VBOX_E_OBJECT_NOT_FOUND,
          `No storage device attached to device slot ${device} on port ${port} of controller '${name}'`,
        );
      }
      const medium = world.media.find((m) => m.id === found.mediumId);
      return { returnval: medium ? ctx.ref(medium) : '' };
    },
    IMachine_attachDevice: (args, ctx) => {
      const settings = mutableSettings(machineSelf(ctx, args));
      const [name, port, device, type] = [
        str(args['name']),
        num(args['controllerPort']),
        num(args['device']),
        str(args['type']),
      ];
      const controller = settings.controllers.find((c) => c.name === name);
      if (!controller)
        throw vboxFault(RC.VBOX_E_OBJECT_NOT_FOUND, `Could not find a storage controller named '${name}'`);
      if (port < 0 || port >= controller.portCount)
        throw vboxFault(RC.E_INVALIDARG, `Invalid controller port: ${port}`);
      if (settings.attachments.some((a) => a.controller === name && a.port === port && a.device === device)) {
        throw vboxFault(
          RC.VBOX_E_OBJECT_IN_USE,
          `Medium is already attached to port ${port}, device ${device} of controller '${name}'`,
        );
      }
      const medium = str(args['medium']) ? arg(ctx, args['medium'], 'Medium') : undefined;
      if (medium && medium.state !== 'Created') {
        throw vboxFault(RC.VBOX_E_INVALID_OBJECT_STATE, `Medium '${medium.location}' is not created`);
      }
      settings.attachments.push({ controller: name, port, device, type, mediumId: medium?.id ?? '' });
      return {};
    },
    IMachine_setBootOrder: (args, ctx) => {
      const settings = mutableSettings(machineSelf(ctx, args));
      const position = num(args['position']);
      if (position < 1 || position > 4)
        throw vboxFault(RC.E_INVALIDARG, `Invalid boot position: ${position} (must be in range [1, 4])`);
      settings.bootOrder[position - 1] = str(args['device']);
      return {};
    },
    IMachine_getBootOrder: (args, ctx) => ({
      returnval: settingsOf(machineSelf(ctx, args)).bootOrder[num(args['position']) - 1] ?? 'Null',
    }),
    IMachine_getNetworkAdapter: (args, ctx) => {
      const target = machineSelf(ctx, args);
      const slot = num(args['slot']);
      if (!settingsOf(target).nics[slot]) throw vboxFault(RC.E_INVALIDARG, `Invalid slot number: ${slot}`);
      return { returnval: ctx.ref(subObject(target, 'NetworkAdapter', slot)) };
    },
    IMachine_getSerialPort: (args, ctx) => {
      const target = machineSelf(ctx, args);
      const slot = num(args['slot']);
      if (!settingsOf(target).serials[slot]) throw vboxFault(RC.E_INVALIDARG, `Invalid slot number: ${slot}`);
      return { returnval: ctx.ref(subObject(target, 'SerialPort', slot)) };
    },
    IMachine_getGuestPropertyValue: (args, ctx) => ({
      returnval: machineOf(machineSelf(ctx, args)).guestProperties.get(str(args['property'])) ?? '',
    }),
    IMachine_getSnapshotCount: (args, ctx) => ({
      returnval: machineOf(machineSelf(ctx, args)).snapshots.length,
    }),
    IMachine_findSnapshot: (args, ctx) => ({
      returnval: ctx.ref(findSnapshot(machineOf(machineSelf(ctx, args)), str(args['nameOrId']))),
    }),
    IMachine_takeSnapshot: (args, ctx) => {
      const target = machineSelf(ctx, args);
      if (target.kind !== 'MachineView' || !target.mutable)
        throw vboxFault(RC.E_ACCESSDENIED, 'The machine is not mutable');
      const machine = target.machine;
      const snapshot: FakeSnapshot = {
        kind: 'Snapshot',
        id: randomUUID(),
        name: str(args['name']),
        description: str(args['description']),
        timeStamp: Date.now(),
        online: world.isRunning(machine),
        settings: cloneSettings(machine.settings),
        parent: machine.currentSnapshot,
        children: [],
        machine,
      };
      const progress = world.startProgress(() => {
        machine.snapshots.push(snapshot);
        machine.currentSnapshot?.children.push(snapshot);
        machine.currentSnapshot = snapshot;
      });
      return { id: snapshot.id, returnval: ctx.ref(progress) };
    },
    IMachine_restoreSnapshot: (args, ctx) => {
      const target = machineSelf(ctx, args);
      const snapshot = arg(ctx, args['snapshot'], 'Snapshot');
      if (target.kind !== 'MachineView' || !target.mutable)
        throw vboxFault(RC.E_ACCESSDENIED, 'The machine is not mutable');
      const machine = target.machine;
      if (world.isRunning(machine)) {
        throw vboxFault(
          RC.VBOX_E_INVALID_VM_STATE,
          `Cannot delete the current state of the running machine (machine state: ${machine.state})`,
        );
      }
      const before = machine.state;
      world.setState(machine, 'RestoringSnapshot');
      const progress = world.startProgress(() => {
        machine.settings = cloneSettings(snapshot.settings);
        target.draft = cloneSettings(snapshot.settings);
        machine.currentSnapshot = snapshot;
        world.setState(machine, snapshot.online ? 'Saved' : before === 'Saved' ? 'PoweredOff' : before);
      });
      return { returnval: ctx.ref(progress) };
    },
    IMachine_deleteSnapshot: (args, ctx) => {
      const target = machineSelf(ctx, args);
      if (target.kind !== 'MachineView' || !target.mutable)
        throw vboxFault(RC.E_ACCESSDENIED, 'The machine is not mutable');
      const machine = target.machine;
      const snapshot = findSnapshot(machine, str(args['id']));
      if (snapshot.children.length > 1) {
        throw vboxFault(
          RC.VBOX_E_INVALID_OBJECT_STATE,
          `Snapshot '${snapshot.name}' has more than one child snapshot`,
        );
      }
      const progress = world.startProgress(() => {
        machine.snapshots.splice(machine.snapshots.indexOf(snapshot), 1);
        const parent = snapshot.parent;
        if (parent) parent.children.splice(parent.children.indexOf(snapshot), 1, ...snapshot.children);
        for (const child of snapshot.children) child.parent = parent;
        if (machine.currentSnapshot === snapshot) machine.currentSnapshot = parent;
      });
      return { returnval: ctx.ref(progress) };
    },
    IMachine_cloneTo: (args, ctx) => {
      const source = machineSelf(ctx, args);
      const targetMachine = arg(ctx, args['target'], 'Machine');
      const options = list(args['options']).map(str);
      if (targetMachine.registered)
        throw vboxFault(RC.E_INVALIDARG, 'The target machine must not be registered');
      if (options.includes('Link') && source.kind !== 'MachineView') {
        throw vboxFault(RC.E_INVALIDARG, 'Linked clone can only be created from a snapshot');
      }
      const progress = world.startProgress(() => {
        const copy = cloneSettings(settingsOf(source));
        copy.name = targetMachine.settings.name;
        copy.groups = targetMachine.settings.groups;
        copy.attachments = copy.attachments.map((a) => {
          const original = world.media.find((m) => m.id === a.mediumId);
          if (!original || a.type !== 'HardDisk') return a;
          const medium: FakeMedium = {
            ...original,
            id: randomUUID(),
            location: `${targetMachine.settingsFilePath.replace(/[^/]+$/, '')}${options.includes('Link') ? 'Snapshots/' : ''}${a.mediumId}.vdi`,
            parentId: options.includes('Link') ? original.id : undefined,
          };
          world.media.push(medium);
          world.disk.set(medium.location, {
            kind: 'medium',
            sizeBytes: original.logicalSize,
            complete: true,
          });
          return { ...a, mediumId: medium.id };
        });
        if (!options.includes('KeepAllMACs')) {
          copy.nics.forEach(
            (nic, slot) =>
              (nic.macAddress = `080027${targetMachine.id.replace(/-/g, '').slice(0, 5).toUpperCase()}${slot}`),
          );
        }
        targetMachine.settings = copy;
      });
      return { returnval: ctx.ref(progress) };
    },
    IMachine_unregister: (args, ctx) => {
      const machine = self(ctx, args, 'Machine');
      const mode = str(args['cleanupMode']);
      if (world.isRunning(machine))
        throw vboxFault(
          RC.VBOX_E_INVALID_VM_STATE,
          `Cannot unregister the machine '${machine.settings.name}' while it is running`,
        );
      if (machine.lock || Date.now() < machine.unlockingUntil) {
        throw vboxFault(
          RC.VBOX_E_INVALID_OBJECT_STATE,
          `Cannot unregister the machine '${machine.settings.name}' while it is locked`,
        );
      }
      if (mode === 'UnregisterOnly' && machine.snapshots.length) {
        throw vboxFault(
          RC.VBOX_E_INVALID_OBJECT_STATE,
          `Cannot unregister the machine '${machine.settings.name}' because it has ${machine.snapshots.length} snapshots`,
        );
      }
      const diskIds = new Set<string>();
      for (const settings of [machine.settings, ...machine.snapshots.map((s) => s.settings)]) {
        for (const a of settings.attachments)
          if (a.type === 'HardDisk' && a.mediumId) diskIds.add(a.mediumId);
      }
      machine.registered = false;
      machine.snapshots = [];
      machine.currentSnapshot = undefined;
      const returned = mode === 'UnregisterOnly' ? [] : world.media.filter((m) => diskIds.has(m.id));
      return { returnval: returned.map((m) => ctx.ref(m)) };
    },
    IMachine_deleteConfig: (args, ctx) => {
      const machine = self(ctx, args, 'Machine');
      if (machine.registered)
        throw vboxFault(RC.VBOX_E_INVALID_VM_STATE, 'Cannot delete settings of a registered machine');
      const media = list(args['media']).map((ref) => arg(ctx, ref, 'Medium'));
      const progress = world.startProgress(() => {
        for (const medium of media) {
          world.media.splice(world.media.indexOf(medium), 1);
          world.disk.delete(medium.location);
        }
        world.disk.delete(machine.settingsFilePath);
        world.machines.splice(world.machines.indexOf(machine), 1);
      });
      return { returnval: ctx.ref(progress) };
    },

    // --- media --------------------------------------------------------------------------------------------
    IMedium_createBaseStorage: (args, ctx) => {
      const medium = self(ctx, args, 'Medium');
      if (medium.state !== 'NotCreated')
        throw vboxFault(
          RC.VBOX_E_INVALID_OBJECT_STATE,
          `Storage for the medium '${medium.location}' is already created`,
        );
      const progress = world.startProgress(() => createStorage(world, medium, num(args['logicalSize'])));
      return { returnval: ctx.ref(progress) };
    },
    IMedium_cloneTo: (args, ctx) => {
      const source = self(ctx, args, 'Medium');
      const target = arg(ctx, args['target'], 'Medium');
      if (source.state !== 'Created')
        throw vboxFault(RC.VBOX_E_INVALID_OBJECT_STATE, `Medium '${source.location}' is not created`);
      if (target.state !== 'NotCreated')
        throw vboxFault(
          RC.VBOX_E_INVALID_OBJECT_STATE,
          `Storage for the medium '${target.location}' is already created`,
        );
      const progress = world.startProgress(() => createStorage(world, target, source.logicalSize));
      return { returnval: ctx.ref(progress) };
    },
    IMedium_resize: (args, ctx) => {
      const medium = self(ctx, args, 'Medium');
      const size = num(args['logicalSize']);
      const progress = world.startProgress(() => {
        if (size < medium.logicalSize)
          return {
            resultCode: RC.VBOX_E_NOT_SUPPORTED,
            errorText: `Shrinking is not supported for medium '${medium.location}'`,
          };
        medium.logicalSize = size;
        const file = world.disk.get(medium.location);
        if (file?.kind === 'medium') file.sizeBytes = size;
        return undefined;
      });
      return { returnval: ctx.ref(progress) };
    },
    IMedium_close: (args, ctx) => {
      const medium = self(ctx, args, 'Medium');
      const inUse = world.machines.some((m) => m.settings.attachments.some((a) => a.mediumId === medium.id));
      if (inUse)
        throw vboxFault(
          RC.VBOX_E_OBJECT_IN_USE,
          `Medium '${medium.location}' cannot be closed because it is still attached`,
        );
      const index = world.media.indexOf(medium);
      if (index >= 0) world.media.splice(index, 1);
      return {};
    },
    IMedium_getId: (args, ctx) => ({ returnval: self(ctx, args, 'Medium').id }),
    IMedium_getLocation: (args, ctx) => ({ returnval: self(ctx, args, 'Medium').location }),
    IMedium_getState: (args, ctx) => ({
      returnval: self(ctx, args, 'Medium').state === 'Created' ? 'Created' : 'NotCreated',
    }),
    IMedium_getLogicalSize: (args, ctx) => ({ returnval: self(ctx, args, 'Medium').logicalSize }),

    // --- network adapters and serial ports ------------------------------------------------------------
    INetworkAdapter_setEnabled: setNicField('enabled', bool),
    INetworkAdapter_getEnabled: (args, ctx) => ({ returnval: nicOf(ctx, args).nic.enabled }),
    INetworkAdapter_setAdapterType: setNicField('adapterType', str),
    INetworkAdapter_getAdapterType: (args, ctx) => ({ returnval: nicOf(ctx, args).nic.adapterType }),
    INetworkAdapter_setAttachmentType: setNicField('attachmentType', str),
    INetworkAdapter_getAttachmentType: (args, ctx) => ({ returnval: nicOf(ctx, args).nic.attachmentType }),
    INetworkAdapter_setHostOnlyInterface: setNicField('hostOnlyInterface', str),
    INetworkAdapter_getHostOnlyInterface: (args, ctx) => ({
      returnval: nicOf(ctx, args).nic.hostOnlyInterface,
    }),
    INetworkAdapter_setHostOnlyNetwork: setNicField('hostOnlyNetwork', str),
    INetworkAdapter_getHostOnlyNetwork: (args, ctx) => ({ returnval: nicOf(ctx, args).nic.hostOnlyNetwork }),
    INetworkAdapter_setInternalNetwork: setNicField('internalNetwork', str),
    INetworkAdapter_setPromiscModePolicy: setNicField('promiscModePolicy', str),
    INetworkAdapter_getPromiscModePolicy: (args, ctx) => ({
      returnval: nicOf(ctx, args).nic.promiscModePolicy,
    }),
    INetworkAdapter_setCableConnected: setNicField('cableConnected', bool, true),
    INetworkAdapter_getCableConnected: (args, ctx) => ({ returnval: nicOf(ctx, args).nic.cableConnected }),
    INetworkAdapter_setMACAddress: setNicField('macAddress', (v) => {
      const mac = str(v);
      if (!/^[0-9A-Fa-f]{12}$/.test(mac))
        throw vboxFault(RC.E_INVALIDARG, `Invalid MAC address format: ${mac}`);
      return mac.toUpperCase();
    }),
    INetworkAdapter_getMACAddress: (args, ctx) => ({ returnval: nicOf(ctx, args).nic.macAddress }),
    ISerialPort_setEnabled: setSerialField('enabled', bool),
    ISerialPort_getEnabled: (args, ctx) => ({ returnval: serialOf(ctx, args).serial.enabled }),
    ISerialPort_setHostMode: setSerialField('hostMode', str),
    ISerialPort_getHostMode: (args, ctx) => ({ returnval: serialOf(ctx, args).serial.hostMode }),
    ISerialPort_setServer: setSerialField('server', bool),
    ISerialPort_getServer: (args, ctx) => ({ returnval: serialOf(ctx, args).serial.server }),
    ISerialPort_setPath: setSerialField('path', str),
    ISerialPort_getPath: (args, ctx) => ({ returnval: serialOf(ctx, args).serial.path }),
    ISerialPort_setIOBase: setSerialField('ioBase', num),
    ISerialPort_setIOAddress: setSerialField('ioBase', num),
    ISerialPort_getIOBase: (args, ctx) => ({ returnval: serialOf(ctx, args).serial.ioBase }),
    ISerialPort_getIOAddress: (args, ctx) => ({ returnval: serialOf(ctx, args).serial.ioBase }),
    ISerialPort_setIRQ: setSerialField('irq', num),

    // --- sessions and console ------------------------------------------------------------------------------
    ISession_getState: (args, ctx) => ({ returnval: self(ctx, args, 'Session').state }),
    ISession_getType: (args, ctx) => ({ returnval: self(ctx, args, 'Session').type }),
    ISession_getMachine: (args, ctx) => {
      const session = self(ctx, args, 'Session');
      if (session.state !== 'Locked')
        throw vboxFault(
          RC.VBOX_E_INVALID_SESSION_STATE,
          'The session is not locked (session state: Unlocked)',
        );
      if (!session.view && session.machine)
        session.view = openView(session.machine, session.machine.settings, true);
      return { returnval: ctx.ref(session.view) };
    },
    ISession_getConsole: (args, ctx) => {
      const session = self(ctx, args, 'Session');
      if (session.state !== 'Locked')
        throw vboxFault(
          RC.VBOX_E_INVALID_SESSION_STATE,
          'The session is not locked (session state: Unlocked)',
        );
      const machine = session.machine;
      if (!machine || !world.isRunning(machine)) return { returnval: '' };
      return { returnval: ctx.ref(consoleOf(machine)) };
    },
    ISession_unlockMachine: (args, ctx) => {
      const session = self(ctx, args, 'Session');
      if (session.state !== 'Locked')
        throw vboxFault(
          RC.VBOX_E_INVALID_SESSION_STATE,
          'The session is not locked (session state: Unlocked)',
        );
      unlockSession(session);
      return {};
    },
    IConsole_getKeyboard: (args, ctx) => {
      const machine = self(ctx, args, 'Console').machine;
      return {
        returnval: ctx.ref(cached(machine, 'Keyboard', () => ({ kind: 'Keyboard' as const, machine }))),
      };
    },
    IKeyboard_putScancodes: (args, ctx) => {
      const machine = self(ctx, args, 'Keyboard').machine;
      if (machine.state !== 'Running')
        throw vboxFault(RC.VBOX_E_INVALID_VM_STATE, `Invalid machine state: ${machine.state}`);
      const codes = list(args['scancodes']).map(num);
      if (codes.some((c) => !Number.isInteger(c) || c < 0 || c > 0xff))
        throw vboxFault(RC.E_INVALIDARG, 'Scancodes must be bytes');
      guestTyped(world, machine, codes);
      return { returnval: codes.length };
    },
    IConsole_getDisplay: (args, ctx) => {
      const machine = self(ctx, args, 'Console').machine;
      return {
        returnval: ctx.ref(cached(machine, 'Display', () => ({ kind: 'Display' as const, machine }))),
      };
    },
    IDisplay_getScreenResolution: (args, ctx) => {
      self(ctx, args, 'Display');
      return {
        width: 720,
        height: 400,
        bitsPerPixel: 32,
        xOrigin: 0,
        yOrigin: 0,
        guestMonitorStatus: 'Enabled',
      };
    },
    IDisplay_takeScreenShotToArray: (args, ctx) => {
      const machine = self(ctx, args, 'Display').machine;
      if (machine.state !== 'Running')
        throw vboxFault(RC.VBOX_E_INVALID_VM_STATE, `Invalid machine state: ${machine.state}`);
      if (str(args['bitmapFormat']) !== 'PNG')
        throw vboxFault(RC.E_NOTIMPL, 'The fake screen only answers in PNG');
      return { returnval: TINY_PNG_BASE64 };
    },
    IMachine_mountMedium: (args, ctx) => {
      const target = machineSelf(ctx, args);
      const settings = mutableSettings(target, true);
      const [name, port, device] = [str(args['name']), num(args['controllerPort']), num(args['device'])];
      const slot = settings.attachments.find(
        (a) => a.controller === name && a.port === port && a.device === device,
      );
      if (!slot || slot.type !== 'DVD')
        throw vboxFault(
          RC.VBOX_E_OBJECT_NOT_FOUND,
          `No drive attached to port ${port}, device ${device} of controller '${name}'`,
        );
      slot.mediumId = str(args['medium']) ? arg(ctx, args['medium'], 'Medium').id : '';
      return {};
    },
    IConsole_getMachine: (args, ctx) => ({ returnval: ctx.ref(self(ctx, args, 'Console').machine) }),
    IConsole_getDebugger: (args, ctx) => ({
      returnval: ctx.ref(
        cached(self(ctx, args, 'Console'), 'Debugger', () => ({ kind: 'Debugger' as const })),
      ),
    }),
    IMachineDebugger_getExecutionEngine: (args, ctx) => {
      self(ctx, args, 'Debugger');
      return { returnval: (o as { executionEngine?: string }).executionEngine ?? 'HwVirt' };
    },
    IConsole_powerDown: (args, ctx) => {
      const machine = self(ctx, args, 'Console').machine;
      if (!['Running', 'Paused', 'Starting'].includes(machine.state)) {
        throw vboxFault(
          RC.VBOX_E_INVALID_VM_STATE,
          `Invalid machine state: ${machine.state} (must be Running, Paused or Stuck)`,
        );
      }
      world.setState(machine, 'Stopping');
      const progress = world.startProgress(() => {
        world.setState(machine, 'PoweredOff');
        vmProcessEnded(world, machine);
      });
      return { returnval: ctx.ref(progress) };
    },
    IConsole_powerButton: (args, ctx) => {
      const machine = self(ctx, args, 'Console').machine;
      if (machine.state !== 'Running')
        throw vboxFault(RC.VBOX_E_INVALID_VM_STATE, `Invalid machine state: ${machine.state}`);
      // The guest reacts to the ACPI event and shuts itself down a little later.
      world.after(o.progressMs * 2, () => {
        world.setState(machine, 'Stopping');
        world.after(o.progressMs, () => {
          world.setState(machine, 'PoweredOff');
          vmProcessEnded(world, machine);
        });
      });
      return {};
    },
    IConsole_reset: (args, ctx) => {
      const machine = self(ctx, args, 'Console').machine;
      if (machine.state !== 'Running')
        throw vboxFault(RC.VBOX_E_INVALID_VM_STATE, `Invalid machine state: ${machine.state}`);
      return {};
    },

    // --- progress --------------------------------------------------------------------------------------
    IProgress_waitForCompletion: async (args, ctx) => {
      await world.waitFor(self(ctx, args, 'Progress'), num(args['timeout']));
      return {};
    },
    IProgress_getCompleted: (args, ctx) => ({ returnval: self(ctx, args, 'Progress').completed }),
    IProgress_getPercent: (args, ctx) => ({ returnval: self(ctx, args, 'Progress').percent }),
    IProgress_getResultCode: (args, ctx) => {
      const progress = self(ctx, args, 'Progress');
      if (!progress.completed)
        throw vboxFault(
          RC.VBOX_E_INVALID_OBJECT_STATE,
          'Result code is not available, operation is still in progress',
        );
      return { returnval: progress.resultCode | 0 };
    },
    IProgress_getErrorInfo: (args, ctx) => {
      const progress = self(ctx, args, 'Progress');
      if (!progress.completed || progress.resultCode === 0) return { returnval: '' };
      return {
        returnval: ctx.ref({ kind: 'ErrorInfo', text: progress.errorText, resultCode: progress.resultCode }),
      };
    },
    IProgress_getCancelable: (args, ctx) => ({ returnval: self(ctx, args, 'Progress').cancelable }),
    IProgress_getCanceled: (args, ctx) => ({ returnval: self(ctx, args, 'Progress').canceled }),
    IProgress_cancel: (args, ctx) => {
      const progress = self(ctx, args, 'Progress');
      if (!progress.cancelable)
        throw vboxFault(RC.VBOX_E_INVALID_OBJECT_STATE, 'Operation cannot be canceled');
      progress.canceled = true;
      progress.onCancel?.();
      world.finishProgress(progress, RC.E_FAIL, 'Operation was canceled by the user');
      return {};
    },
    IVirtualBoxErrorInfo_getText: (args, ctx) => ({ returnval: self(ctx, args, 'ErrorInfo').text }),
    IVirtualBoxErrorInfo_getResultCode: (args, ctx) => ({
      returnval: self(ctx, args, 'ErrorInfo').resultCode | 0,
    }),

    // --- snapshots -----------------------------------------------------------------------------------------
    ISnapshot_getId: (args, ctx) => ({ returnval: self(ctx, args, 'Snapshot').id }),
    ISnapshot_getName: (args, ctx) => ({ returnval: self(ctx, args, 'Snapshot').name }),
    ISnapshot_getDescription: (args, ctx) => ({ returnval: self(ctx, args, 'Snapshot').description }),
    ISnapshot_getTimeStamp: (args, ctx) => ({ returnval: self(ctx, args, 'Snapshot').timeStamp }),
    ISnapshot_getOnline: (args, ctx) => ({ returnval: self(ctx, args, 'Snapshot').online }),
    ISnapshot_getParent: (args, ctx) => ({ returnval: ctx.ref(self(ctx, args, 'Snapshot').parent) }),
    ISnapshot_getChildren: (args, ctx) => ({
      returnval: self(ctx, args, 'Snapshot').children.map((c) => ctx.ref(c)),
    }),
    ISnapshot_getMachine: (args, ctx) => {
      const snapshot = self(ctx, args, 'Snapshot');
      return { returnval: ctx.ref(snapshotView(snapshot)) };
    },

    // --- events -------------------------------------------------------------------------------------------
    IEventSource_createListener: (args, ctx) => {
      self(ctx, args, 'EventSource');
      return {
        returnval: ctx.ref({ kind: 'Listener', id: randomUUID(), interesting: new Set<string>(), queue: [] }),
      };
    },
    IEventSource_registerListener: (args, ctx) => {
      const listener = arg(ctx, args['listener'], 'Listener');
      if (bool(args['active']))
        throw vboxFault(RC.E_INVALIDARG, 'Active listeners cannot be used over the web service');
      listener.interesting = new Set(list(args['interesting']).map(str));
      world.listeners.push(listener);
      return {};
    },
    IEventSource_unregisterListener: (args, ctx) => {
      const listener = arg(ctx, args['listener'], 'Listener');
      const index = world.listeners.indexOf(listener);
      if (index < 0) throw vboxFault(RC.VBOX_E_OBJECT_NOT_FOUND, 'Listener was never registered');
      world.listeners.splice(index, 1);
      listener.wake?.();
      return {};
    },
    IEventSource_getEvent: async (args, ctx) => {
      const listener = arg(ctx, args['listener'], 'Listener');
      if (!world.listeners.includes(listener))
        throw vboxFault(RC.VBOX_E_OBJECT_NOT_FOUND, 'Listener was never registered');
      const event = await world.nextEvent(listener, num(args['timeout']));
      return { returnval: event ? ctx.ref(event) : '' };
    },
    IEventSource_eventProcessed: (args, ctx) => {
      arg(ctx, args['event'], 'Event').processed = true;
      return {};
    },
    IEvent_getType: (args, ctx) => ({ returnval: eventSelf(ctx, args).type }),
    IMachineEvent_getMachineId: (args, ctx) => ({ returnval: eventSelf(ctx, args).machineId }),
    IMachineStateChangedEvent_getState: (args, ctx) => ({ returnval: eventSelf(ctx, args).state ?? 'Null' }),
  };
  return ops;
}

/** Writes a medium's file; a file already there fails the task as VDCreateBase does (VERR_ALREADY_EXISTS). */
function createStorage(
  world: FakeWorld,
  medium: FakeMedium,
  sizeBytes: number,
): { resultCode: number; errorText: string } | undefined {
  if (world.disk.has(medium.location)) {
    return {
      resultCode: RC.VBOX_E_FILE_ERROR,
      errorText: `Could not create the medium storage unit '${medium.location}'.\nVD: error VERR_ALREADY_EXISTS (-105) creating image file '${medium.location}'`,
    };
  }
  world.disk.set(medium.location, { kind: 'medium', sizeBytes, complete: true });
  medium.state = 'Created';
  medium.logicalSize = sizeBytes;
  world.media.push(medium);
  return undefined;
}

function eventSelf(ctx: OperationContext, args: Args): FakeEvent {
  return self(ctx, args, 'Event');
}

// Sub-objects are cached on their owner so the same COM object always maps to the same ref.
const subObjects = new WeakMap<object, Map<string, object>>();
function cached<T extends object>(owner: object, key: string, make: () => T): T {
  let byKey = subObjects.get(owner);
  if (!byKey) subObjects.set(owner, (byKey = new Map()));
  let found = byKey.get(key) as T | undefined;
  if (!found) byKey.set(key, (found = make()));
  return found;
}

function subObject(view: FakeMachine | MachineView, kind: 'StorageController', name: string): FakeObject;
function subObject(
  view: FakeMachine | MachineView,
  kind: 'NetworkAdapter' | 'SerialPort',
  slot: number,
): FakeObject;
function subObject(view: FakeMachine | MachineView, kind: string, key: string | number): FakeObject {
  return cached(view, `${kind}:${key}`, () =>
    kind === 'StorageController'
      ? { kind: 'StorageController' as const, view, name: String(key) }
      : { kind: kind as 'NetworkAdapter' | 'SerialPort', view, slot: Number(key) },
  );
}

function platformOf(view: FakeMachine | MachineView, kind: 'Platform' | 'PlatformX86'): FakeObject {
  return cached(view, kind, () => ({ kind, view }));
}

function consoleOf(machine: FakeMachine): FakeObject {
  return cached(machine, 'Console', () => ({ kind: 'Console' as const, machine }));
}

function snapshotView(snapshot: FakeSnapshot): MachineView {
  return cached(snapshot, 'View', () => openView(snapshot.machine, snapshot.settings, false));
}
