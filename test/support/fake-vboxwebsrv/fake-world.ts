/**
 * The in-memory VirtualBox behind the fake vboxwebsrv: machines with settings drafts (changes only stick
 * on saveSettings, as with a real session machine), media, host networks, progress objects and a passive
 * event queue. Object references follow vboxweb.cpp: `%016x-%016x`, one ref per object per websession.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { RC, invalidRefFault, vboxFault } from './fake-faults.ts';

export type FakeMachineState =
  'PoweredOff' | 'Saved' | 'Aborted' | 'Running' | 'Paused' | 'Starting' | 'Stopping' | 'RestoringSnapshot';

export interface FakeNic {
  enabled: boolean;
  adapterType: string;
  attachmentType: string;
  hostOnlyInterface: string;
  hostOnlyNetwork: string;
  internalNetwork: string;
  promiscModePolicy: string;
  cableConnected: boolean;
  macAddress: string;
}

export interface FakeSerial {
  enabled: boolean;
  hostMode: string;
  server: boolean;
  path: string;
  ioBase: number;
  irq: number;
}

export interface FakeAttachment {
  controller: string;
  port: number;
  device: number;
  type: string;
  mediumId: string;
}

export interface MachineSettings {
  name: string;
  groups: string[];
  osTypeId: string;
  memorySize: number;
  cpuCount: number;
  cpuProperties: Record<string, boolean>;
  hwVirtExProperties: Record<string, boolean>;
  controllers: { name: string; bus: string; portCount: number }[];
  attachments: FakeAttachment[];
  nics: FakeNic[];
  serials: FakeSerial[];
  bootOrder: string[];
}

export interface FakeSnapshot {
  kind: 'Snapshot';
  id: string;
  name: string;
  description: string;
  timeStamp: number;
  online: boolean;
  settings: MachineSettings;
  parent?: FakeSnapshot;
  children: FakeSnapshot[];
  machine: FakeMachine;
}

export interface FakeMachine {
  kind: 'Machine';
  id: string;
  settingsFilePath: string;
  platformArchitecture: string;
  registered: boolean;
  state: FakeMachineState;
  lastStateChange: number;
  settings: MachineSettings;
  lock?: FakeSession;
  /** Session lock still being released after power-off (real VirtualBox lags here too). */
  unlockingUntil: number;
  snapshots: FakeSnapshot[];
  currentSnapshot?: FakeSnapshot;
  guestProperties: Map<string, string>;
}

/** A machine seen through a lock (mutable draft) or a snapshot (read-only copy). */
export interface MachineView {
  kind: 'MachineView';
  machine: FakeMachine;
  draft: MachineSettings;
  mutable: boolean;
  viewId: string;
}

export interface FakeSession {
  kind: 'Session';
  id: string;
  state: 'Unlocked' | 'Locked';
  type: 'Null' | 'Write' | 'Shared' | 'Remote';
  machine?: FakeMachine;
  view?: MachineView;
}

export interface FakeMedium {
  kind: 'Medium';
  id: string;
  location: string;
  format: string;
  deviceType: string;
  state: 'NotCreated' | 'Created';
  logicalSize: number;
  parentId?: string;
}

export interface FakeProgress {
  kind: 'Progress';
  id: string;
  completed: boolean;
  canceled: boolean;
  cancelable: boolean;
  percent: number;
  resultCode: number;
  errorText: string;
  waiters: (() => void)[];
  onCancel?: () => void;
}

export interface FakeHostInterface {
  kind: 'HostInterface';
  id: string;
  name: string;
  ipAddress: string;
  networkMask: string;
}

export interface FakeHostOnlyNetwork {
  kind: 'HostOnlyNetwork';
  id: string;
  name: string;
  networkMask: string;
  lowerIP: string;
  upperIP: string;
  enabled: boolean;
}

export interface FakeEvent {
  kind: 'Event';
  type: string;
  machineId: string;
  state?: string;
  processed: boolean;
}

export interface FakeListener {
  kind: 'Listener';
  id: string;
  interesting: Set<string>;
  queue: FakeEvent[];
  wake?: () => void;
}

export interface FakeErrorInfo {
  kind: 'ErrorInfo';
  text: string;
  resultCode: number;
}

export type FakeObject =
  | { kind: 'VirtualBox' }
  | { kind: 'Host' }
  | { kind: 'EventSource' }
  | { kind: 'Debugger' }
  | { kind: 'DhcpServer'; networkName: string }
  | { kind: 'Console'; machine: FakeMachine }
  | { kind: 'Keyboard'; machine: FakeMachine }
  | { kind: 'Display'; machine: FakeMachine }
  | { kind: 'Platform'; view: MachineView | FakeMachine }
  | { kind: 'PlatformX86'; view: MachineView | FakeMachine }
  | { kind: 'StorageController'; view: MachineView | FakeMachine; name: string }
  | { kind: 'NetworkAdapter'; view: MachineView | FakeMachine; slot: number }
  | { kind: 'SerialPort'; view: MachineView | FakeMachine; slot: number }
  | FakeMachine
  | MachineView
  | FakeSession
  | FakeMedium
  | FakeProgress
  | FakeSnapshot
  | FakeHostInterface
  | FakeHostOnlyNetwork
  | FakeListener
  | FakeEvent
  | FakeErrorInfo;

/** What the fake's "disk" holds at a path: settings files and media files, which outlive registrations. */
export type FakeFile =
  | {
      kind: 'vbox';
      machineId: string;
      settings: MachineSettings;
      platformArchitecture: string;
      /** The machine's media registry (since VirtualBox 4.0 it lives in the .vbox file). */
      media: FakeMedium[];
    }
  | { kind: 'medium'; sizeBytes: number; complete: boolean };

/**
 * A scripted guest: each step waits for text typed on the keyboard (scancodes, decoded) or received on
 * the serial console, then writes `output` to the serial console; `powerOff` ends the VM like an
 * installer with `reboot-mode = "power-off"`.
 */
export interface FakeGuestStep {
  whenTyped?: string;
  whenSerial?: string;
  output?: string;
  powerOff?: boolean;
}
export interface FakeGuestScript {
  /** Serial output as soon as a console client is connected. */
  banner?: string;
  steps: FakeGuestStep[];
}

export interface FakeWorldOptions {
  version: string;
  apiVersion: string;
  users: Record<string, string>;
  hostOs: string;
  processorFeatures: Record<string, boolean>;
  memorySizeMiB: number;
  /** How long progress objects take to finish (ms). */
  progressMs: number;
  /** How long a machine stays locked after power-off. */
  unlockLagMs: number;
  machineFolder: string;
  /** VirtualBox's home (~/.config/VirtualBox): relative media and settings paths resolve against it. */
  homeFolder: string;
  /** DHCP servers that exist but have handed out no lease yet, so their leases file does not exist. */
  dhcpServersWithoutLeases: string[];
  /** The logon fault's text; vboxwebsrv sends none (a bare E_FAIL). */
  logonFaultText: string;
  /** gSOAP's keep-alive limit: after this many requests on one connection the server closes it. */
  maxRequestsPerConnection: number;
  /** What each machine's guest does on its serial console and screen, by VirtualBox machine name. */
  serialScripts: Record<string, FakeGuestScript>;
  /** DHCP servers by network name ("HostInterfaceNetworking-vboxnet0"), each MAC (aa:bb:…) → leased address. */
  dhcpLeases: Record<string, Record<string, string>>;
  /** IPv4 addresses the Guest Additions of each machine report once it runs. */
  guestAddresses: Record<string, string[]>;
  /** What IMachineDebugger reports: HwVirt, or NativeApi on a Hyper-V host. */
  executionEngine?: string;
  /** Start failures by machine name, with the VERR text the real VM process would report. */
  startFailures: Record<string, string>;
}

interface Websession {
  id: string;
  refsByKey: Map<object, string>;
  objects: Map<string, FakeObject>;
  counter: number;
}

const SINGLETONS = {
  virtualBox: { kind: 'VirtualBox' as const },
  host: { kind: 'Host' as const },
  eventSource: { kind: 'EventSource' as const },
};

export class FakeWorld {
  readonly machines: FakeMachine[] = [];
  /** Registered media (created or opened). Media from createMedium join only once their storage exists. */
  readonly media: FakeMedium[] = [];
  /** Files on the fake's disk by absolute path; they survive crashes, unregistering and restarts. */
  readonly disk: Map<string, FakeFile>;
  readonly hostInterfaces: FakeHostInterface[] = [];
  readonly hostOnlyNetworks: FakeHostOnlyNetwork[] = [];
  readonly listeners: FakeListener[] = [];
  /** Every ISession handed out, to release their locks when a VM process ends. */
  readonly clientSessions: FakeSession[] = [];
  readonly sessions = new Map<string, Websession>();
  /** Text typed on each machine's keyboard (decoded scancodes), and the raw scancodes, by machine name. */
  readonly typed: Record<string, string> = {};
  readonly scancodes: Record<string, number[]> = {};
  /** The guest powered itself off (an installer's reboot-mode = "power-off"); set by the operations. */
  guestPoweredOff?: (machine: FakeMachine) => void;
  readonly singletons = SINGLETONS;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly options: FakeWorldOptions,
    disk?: Map<string, FakeFile>,
  ) {
    this.disk = disk ?? new Map();
  }

  /** Relative paths are relative to VirtualBox's home, not to anyone's working directory (VirtualBoxImpl.cpp). */
  resolvePath(location: string): string {
    return path.posix.isAbsolute(location) || /^[A-Za-z]:[\\/]/.test(location)
      ? location
      : path.posix.join(this.options.homeFolder, location);
  }

  composeSettingsPath(name: string, group: string): string {
    const folder = group && group !== '/' ? group : '';
    return `${this.options.machineFolder}${folder}/${name}/${name}.vbox`;
  }

  /** The settings file as saveSettings writes it. */
  writeSettingsFile(machine: FakeMachine): void {
    this.disk.set(machine.settingsFilePath, {
      kind: 'vbox',
      machineId: machine.id,
      settings: cloneSettings(machine.settings),
      platformArchitecture: machine.platformArchitecture,
      media: machine.settings.attachments.flatMap((a) => {
        const medium = this.media.find((m) => m.id === a.mediumId);
        return medium ? [{ ...medium }] : [];
      }),
    });
  }

  /**
   * The app (and its vboxwebsrv) died: websessions are gone and their locks released, unsaved drafts and
   * unregistered machines are lost, media not attached to a registered machine drop out of the registry.
   * Files on disk, registered machines and running VMs (they belong to VBoxSVC) stay.
   */
  crash(): void {
    this.sessions.clear();
    this.listeners.splice(0);
    for (const session of this.clientSessions.splice(0)) {
      if (session.type === 'Remote') continue;
      if (session.machine?.lock === session) session.machine.lock = undefined;
      if (session.view) session.view.mutable = false;
    }
    for (const machine of this.machines.filter((m) => !m.registered))
      this.machines.splice(this.machines.indexOf(machine), 1);
    const attached = new Set(
      this.machines.flatMap((m) =>
        [m.settings, ...m.snapshots.map((s) => s.settings)].flatMap((st) =>
          st.attachments.map((a) => a.mediumId),
        ),
      ),
    );
    for (const medium of this.media.filter((m) => !attached.has(m.id)))
      this.media.splice(this.media.indexOf(medium), 1);
  }

  // --- websessions and refs -------------------------------------------------------------------------

  openWebsession(): Websession {
    const ws: Websession = {
      id: randomBytes(8).toString('hex'),
      refsByKey: new Map(),
      objects: new Map(),
      counter: 0,
    };
    this.sessions.set(ws.id, ws);
    return ws;
  }

  /** Drops every websession, as the watchdog or a VBoxSVC restart does. */
  expireAllWebsessions(): void {
    this.sessions.clear();
  }

  /** The websession a request belongs to, from its `_this` (or logoff's) reference. */
  resolveWebsessionOf(args: Record<string, unknown>): Websession | undefined {
    const ref = args['_this'] ?? args['refIVirtualBox'];
    return typeof ref === 'string' ? this.sessions.get(ref.split('-')[0] ?? '') : undefined;
  }

  refFor(ws: Websession, object: object): string {
    const existing = ws.refsByKey.get(object);
    if (existing) return existing;
    ws.counter += 1;
    const ref = `${ws.id}-${ws.counter.toString(16).padStart(16, '0')}`;
    ws.refsByKey.set(object, ref);
    ws.objects.set(ref, object as FakeObject);
    return ref;
  }

  resolve(ref: unknown): { ws: Websession; object: FakeObject } {
    const text = typeof ref === 'string' ? ref : '';
    const ws = this.sessions.get(text.split('-')[0] ?? '');
    const object = ws?.objects.get(text);
    if (!ws || !object) throw invalidRefFault(text);
    return { ws, object };
  }

  release(ref: string): void {
    const { ws, object } = this.resolve(ref);
    ws.objects.delete(ref);
    ws.refsByKey.delete(object);
  }

  // --- machines -------------------------------------------------------------------------------------

  newMachine(name: string, groups: string[], osTypeId: string, platformArchitecture: string): FakeMachine {
    const id = randomUUID();
    const group = groups[0] && groups[0] !== '/' ? groups[0] : '';
    const settings: MachineSettings = {
      name,
      groups: groups.length ? groups : ['/'],
      osTypeId,
      memorySize: 128,
      cpuCount: 1,
      cpuProperties: { PAE: false, LongMode: osTypeId.endsWith('_64'), HWVirt: false },
      hwVirtExProperties: { Enabled: true, NestedPaging: true, UnrestrictedExecution: true },
      controllers: [],
      attachments: [],
      nics: Array.from({ length: 8 }, (_, slot) => defaultNic(id, slot)),
      serials: Array.from({ length: 4 }, () => ({
        enabled: false,
        hostMode: 'Disconnected',
        server: false,
        path: '',
        ioBase: 0x3f8,
        irq: 4,
      })),
      bootOrder: ['Floppy', 'DVD', 'HardDisk', 'Null'],
    };
    return {
      kind: 'Machine',
      id,
      settingsFilePath: this.composeSettingsPath(name, group),
      platformArchitecture,
      registered: false,
      state: 'PoweredOff',
      lastStateChange: Date.now(),
      settings,
      unlockingUntil: 0,
      snapshots: [],
      guestProperties: new Map(),
    };
  }

  findMachine(nameOrId: string): FakeMachine {
    const machine = this.machines.find(
      (m) => m.registered && (m.id === nameOrId || m.settings.name === nameOrId),
    );
    if (!machine)
      throw vboxFault(RC.VBOX_E_OBJECT_NOT_FOUND, `Could not find a registered machine named '${nameOrId}'`);
    return machine;
  }

  setState(machine: FakeMachine, state: FakeMachineState): void {
    if (machine.state === state) return;
    machine.state = state;
    machine.lastStateChange = Date.now();
    this.emit({
      kind: 'Event',
      type: 'OnMachineStateChanged',
      machineId: machine.id,
      state,
      processed: false,
    });
  }

  isRunning(machine: FakeMachine): boolean {
    return ['Running', 'Paused', 'Starting', 'Stopping'].includes(machine.state);
  }

  // --- progress ---------------------------------------------------------------------------------------

  /** A progress that finishes after `progressMs`; `work` runs at completion and may fail it. */
  startProgress(
    work: () => { resultCode: number; errorText: string } | void,
    cancelable = false,
  ): FakeProgress {
    const progress: FakeProgress = {
      kind: 'Progress',
      id: randomUUID(),
      completed: false,
      canceled: false,
      cancelable,
      percent: 0,
      resultCode: 0,
      errorText: '',
      waiters: [],
    };
    // Operations take time: half way through, the percentage moves, as VirtualBox's tasks report it.
    this.after(Math.floor(this.options.progressMs / 2), () => {
      if (!progress.completed) progress.percent = 50;
    });
    this.after(this.options.progressMs, () => {
      if (progress.completed) return;
      const outcome = work();
      this.finishProgress(progress, outcome?.resultCode ?? 0, outcome?.errorText ?? '');
    });
    return progress;
  }

  finishProgress(progress: FakeProgress, resultCode: number, errorText: string): void {
    progress.completed = true;
    progress.percent = 100;
    progress.resultCode = resultCode;
    progress.errorText = errorText;
    for (const wake of progress.waiters.splice(0)) wake();
  }

  waitFor(progress: FakeProgress, timeoutMs: number): Promise<void> {
    if (progress.completed || timeoutMs === 0) return Promise.resolve();
    return new Promise((resolve) => {
      progress.waiters.push(resolve);
      if (timeoutMs > 0) this.after(timeoutMs, resolve);
    });
  }

  // --- events -----------------------------------------------------------------------------------------

  emit(event: FakeEvent): void {
    for (const listener of this.listeners) {
      if (!listener.interesting.has(event.type) && !listener.interesting.has('Any')) continue;
      listener.queue.push({ ...event });
      listener.wake?.();
    }
  }

  async nextEvent(listener: FakeListener, timeoutMs: number): Promise<FakeEvent | undefined> {
    if (!listener.queue.length && timeoutMs !== 0) {
      await new Promise<void>((resolve) => {
        listener.wake = resolve;
        if (timeoutMs > 0) this.after(timeoutMs, resolve);
      });
      listener.wake = undefined;
    }
    return listener.queue.shift();
  }

  // --- timers -----------------------------------------------------------------------------------------

  after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const listener of this.listeners) listener.wake?.();
  }
}

function defaultNic(machineId: string, slot: number): FakeNic {
  const suffix = machineId.replace(/-/g, '').slice(0, 5).toUpperCase();
  return {
    enabled: slot === 0,
    adapterType: 'I82540EM',
    attachmentType: slot === 0 ? 'NAT' : 'Null',
    hostOnlyInterface: '',
    hostOnlyNetwork: '',
    internalNetwork: '',
    promiscModePolicy: 'Deny',
    cableConnected: true,
    macAddress: `080027${suffix}${slot}`,
  };
}

export function cloneSettings(settings: MachineSettings): MachineSettings {
  return structuredClone(settings);
}
