/**
 * The version-aware VirtualBox adapter: logs on to vboxwebsrv, reads the API version, and builds
 * virtualbox-soap's classes over a port made from the matching WSDL. Implements the calls that changed
 * between 7.0 and 7.1+ and re-logs on when the server forgets our references (watchdog, VBoxSVC restart).
 */
import {
  IMachine,
  IWebsessionManager,
  RootClass,
  type ISerialPort,
  type ISession,
  type IVirtualBox,
} from 'virtualbox-soap';
import type { Clock } from '../../clock/clock.ts';
import { HypervisorError } from '../driver.ts';
import {
  hasPlatformObject,
  selectApiFlavor,
  untestedVersionWarning,
  type VBoxApiFlavor,
} from './api-version.ts';
import { createVBoxPort, type SoapTraffic, type VBoxPort } from './soap-port.ts';
import { probeVBoxWebService, SoapProbeError } from './soap-probe.ts';
import {
  hasResultCode,
  logonFailureMessage,
  readVBoxFault,
  toHypervisorError,
  VBOX_RC,
} from './vbox-fault.ts';
import type { CPUPropertyType, HWVirtExPropertyType, LockType } from 'virtualbox-soap';

export interface VBoxCredentials {
  url: string;
  username: string;
  password: string;
}

/** Calls an operation by WSDL name, for the ones virtualbox-soap's 7.0 classes do not know. */
class RawCall extends RootClass {
  call(
    operation: string,
    args: Record<string, unknown>,
  ): Promise<{ returnval?: unknown } & Record<string, unknown>> {
    return this.__invoke(operation, args);
  }
}

export function refOf(object: unknown): string {
  return String((object as { __object?: unknown } | null | undefined)?.__object ?? '');
}

/**
 * Frees server-side references we are done with (IManagedObjectRef_release). With `--timeout 0` a
 * websession lives as long as the app, so per-operation objects (sessions, session machines, consoles,
 * progress and error objects) would otherwise pile up in vboxwebsrv for ever. Best effort.
 */
export async function releaseRefs(...objects: unknown[]): Promise<void> {
  for (const object of objects) {
    const client = (object as { __client?: unknown } | null | undefined)?.__client;
    const ref = refOf(object);
    if (!client || !ref) continue;
    await new RawCall(client, ref).call('IManagedObjectRef_release', { _this: ref }).catch(() => undefined);
  }
}

export class VBoxConnection {
  private current?: Promise<IVirtualBox>;
  private wsm: IWebsessionManager;

  private constructor(
    private credentials: VBoxCredentials,
    readonly flavor: VBoxApiFlavor,
    readonly version: string,
    readonly wsdl: string,
    private port: VBoxPort,
    private readonly setEndpoint: (url: string) => VBoxPort,
    private readonly clock: Clock,
    /** SOAP calls this connection made (for the benchmarks). */
    readonly traffic: SoapTraffic,
    /** Set when the server is a version NestLab was never tested with (8.x). */
    readonly warning?: string,
  ) {
    this.wsm = new IWebsessionManager(port);
  }

  /** Probes the server, picks the API shape, loads the WSDL and logs on. */
  static async open(credentials: VBoxCredentials, clock: Clock): Promise<VBoxConnection> {
    let probe;
    try {
      probe = await probeVBoxWebService(credentials.url, credentials.username, credentials.password);
    } catch (error) {
      if (error instanceof SoapProbeError) {
        throw new HypervisorError(error.kind === 'protocol' ? 'failed' : error.kind, error.message);
      }
      throw error;
    }
    const flavor = selectApiFlavor(probe.apiVersion, probe.version);
    const traffic: SoapTraffic = { calls: 0, retries: 0 };
    const { port, wsdl, setEndpoint } = await createVBoxPort(flavor, credentials.url, traffic);
    const connection = new VBoxConnection(
      credentials,
      flavor,
      probe.version,
      wsdl,
      port,
      setEndpoint,
      clock,
      traffic,
      untestedVersionWarning(probe.apiVersion, probe.version),
    );
    await connection.vbox();
    return connection;
  }

  /** Follows a restarted vboxwebsrv to its new address; the old websession died with it. */
  retarget(credentials: VBoxCredentials): void {
    this.credentials = credentials;
    this.port = this.setEndpoint(credentials.url);
    this.wsm = new IWebsessionManager(this.port);
    this.current = undefined;
  }

  vbox(): Promise<IVirtualBox> {
    if (!this.current) {
      this.current = this.wsm
        .logon(this.credentials.username, this.credentials.password)
        .catch((error: unknown) => {
          this.current = undefined;
          const facts = readVBoxFault(error);
          if (facts.connectionRefused || facts.connectionReset)
            throw new HypervisorError('unreachable', `IWebsessionManager.logon: ${facts.text}`);
          throw new HypervisorError(
            'auth-failed',
            `IWebsessionManager.logon: ${logonFailureMessage(facts.text)}`,
          );
        });
    }
    return this.current;
  }

  /**
   * Runs `work` from the root object. When the server says our references are gone, logs on again and
   * runs it once more from scratch (work must look things up by name, never reuse old objects).
   */
  async run<T>(call: string, work: (vbox: IVirtualBox) => Promise<T>, machine?: string): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const vbox = await this.vbox();
      try {
        return await work(vbox);
      } catch (error) {
        if (attempt === 0 && readVBoxFault(error).invalidReference) {
          await this.forget(vbox);
          continue;
        }
        throw toHypervisorError(error, call, machine);
      }
    }
  }

  /** Drops the cached logon when the server no longer knows it, so the next call logs on again. */
  async forget(vbox: IVirtualBox): Promise<void> {
    if (this.current && (await this.current.catch(() => undefined)) === vbox) this.current = undefined;
  }

  newSession(vbox: IVirtualBox): Promise<ISession> {
    return this.wsm.getSessionObject(vbox);
  }

  /**
   * Locks the machine, hands the session's mutable machine to `work`, and always unlocks. A machine that
   * was just powered off stays locked for a moment, so a busy lock is retried a few times.
   */
  async withLock<T>(
    vbox: IVirtualBox,
    machine: IMachine,
    lockType: 'Write' | 'Shared',
    work: (mutable: IMachine, session: ISession) => Promise<T>,
  ): Promise<T> {
    const session = await this.newSession(vbox);
    for (let attempt = 0; ; attempt++) {
      try {
        await machine.lockMachine(session, lockType as LockType);
        break;
      } catch (error) {
        if (attempt >= 20 || !hasResultCode(error, VBOX_RC.VBOX_E_INVALID_OBJECT_STATE)) throw error;
        await this.clock.sleep(100 + attempt * 50);
      }
    }
    let mutable: IMachine | undefined;
    try {
      mutable = await session.getMachine();
      return await work(mutable, session);
    } finally {
      await session.unlockMachine().catch(() => undefined);
      await releaseRefs(mutable, session);
    }
  }

  /** Retries a call that fails only because the VM process is still letting go of the machine. */
  async retryWhileBusy<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= 20 || !hasResultCode(error, VBOX_RC.VBOX_E_INVALID_OBJECT_STATE)) throw error;
        await this.clock.sleep(100 + attempt * 50);
      }
    }
  }

  private raw(object: unknown): RawCall {
    return new RawCall(this.port, refOf(object));
  }

  /** IVirtualBox.createMachine: 7.1+ takes the platform architecture after the name. */
  async createMachine(
    vbox: IVirtualBox,
    name: string,
    groups: string[],
    osTypeId: string,
    flags = '',
  ): Promise<IMachine> {
    if (!hasPlatformObject(this.flavor))
      return vbox.createMachine('', name, groups, osTypeId, flags, '', '', '');
    const result = await this.raw(vbox).call('IVirtualBox_createMachine', {
      _this: refOf(vbox),
      settingsFile: '',
      name,
      platform: 'x86',
      groups,
      osTypeId,
      flags,
      cipher: '',
      passwordId: '',
      password: '',
    });
    return new IMachine(this.port, String(result.returnval));
  }

  /** Nested VT-x/AMD-V plus the paging features it needs: IMachine (7.0) or IPlatformX86 (7.1+). */
  async setNestedVirtualization(mutable: IMachine, enabled: boolean): Promise<void> {
    if (!hasPlatformObject(this.flavor)) {
      await mutable.setCPUProperty('HWVirt' as CPUPropertyType, enabled);
      await mutable.setHWVirtExProperty('NestedPaging' as HWVirtExPropertyType, true);
      await mutable.setHWVirtExProperty('UnrestrictedExecution' as HWVirtExPropertyType, true);
      return;
    }
    const platform = await this.raw(mutable).call('IMachine_getPlatform', { _this: refOf(mutable) });
    const x86 = await this.raw(platform.returnval).call('IPlatform_getX86', {
      _this: String(platform.returnval),
    });
    const x86Ref = String(x86.returnval);
    const call = (operation: string, property: string, value: boolean): Promise<unknown> =>
      this.raw(x86Ref).call(operation, { _this: x86Ref, property, value });
    await call('IPlatformX86_setCPUProperty', 'HWVirt', enabled);
    await call('IPlatformX86_setHWVirtExProperty', 'NestedPaging', true);
    await call('IPlatformX86_setHWVirtExProperty', 'UnrestrictedExecution', true);
  }

  async nestedVirtualization(machine: IMachine): Promise<boolean> {
    if (!hasPlatformObject(this.flavor))
      return Boolean(await machine.getCPUProperty('HWVirt' as CPUPropertyType));
    const platform = await this.raw(machine).call('IMachine_getPlatform', { _this: refOf(machine) });
    const x86 = await this.raw(platform.returnval).call('IPlatform_getX86', {
      _this: String(platform.returnval),
    });
    const result = await this.raw(x86.returnval).call('IPlatformX86_getCPUProperty', {
      _this: String(x86.returnval),
      property: 'HWVirt',
    });
    return result.returnval === true || result.returnval === 'true';
  }

  /** COM1 at 0x3f8: ISerialPort.IOBase (7.0) was renamed IOAddress (7.1+). */
  async setSerialPortAddress(port: ISerialPort, address: number): Promise<void> {
    if (!hasPlatformObject(this.flavor)) {
      await port.setIOBase(address);
      return;
    }
    await this.raw(port).call('ISerialPort_setIOAddress', { _this: refOf(port), IOAddress: address });
  }

  /** Frees one server-side reference (events are new objects each time and would pile up). */
  async release(object: unknown): Promise<void> {
    await this.raw(object)
      .call('IManagedObjectRef_release', { _this: refOf(object) })
      .catch(() => undefined);
  }

  async close(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    const vbox = await current?.catch(() => undefined);
    if (vbox) await this.wsm.logoff(vbox).catch(() => undefined);
  }
}
