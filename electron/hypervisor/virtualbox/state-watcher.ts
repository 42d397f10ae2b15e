/**
 * Machine state changes from VirtualBox's passive event listener (SOAP cannot call us back), turned into
 * PowerEvents stamped with the driver's clock. Each event object is released after use; when the
 * websession is lost the listener is registered again.
 */
import {
  IMachineStateChangedEvent,
  type IEventListener,
  type IEventSource,
  type IVirtualBox,
  type VBoxEventType,
} from 'virtualbox-soap';
import type { Clock } from '../../clock/clock.ts';
import type { PowerEvent, PowerState } from '../driver.ts';
import { mapMachineState } from './map-state.ts';
import { readVBoxFault } from './vbox-fault.ts';
import { refOf, type VBoxConnection } from './vbox-connection.ts';

export interface StateWatcherOptions {
  connection: VBoxConnection;
  clock: Clock;
  /** Lab machine name for a VirtualBox machine id, or undefined for machines not in the lab. */
  nameOf: (machineId: string) => string | undefined;
  emit: (event: PowerEvent) => void;
  /**
   * Current power of the lab's machines. Read after every (re-)registration: changes that happened
   * while no listener was registered (websession lost, service restarted) are emitted from it.
   */
  currentStates?: () => Promise<Map<string, PowerState>>;
  /** Longest single getEvent wait, ms; also how long close() may take. */
  pollMs?: number;
  onError?: (error: unknown) => void;
}

export class StateWatcher {
  private stopped = false;
  private readonly loop: Promise<void>;
  private registration?: { vbox: IVirtualBox; source: IEventSource; listener: IEventListener };
  private readyResolve!: () => void;
  private readonly lastPower = new Map<string, PowerState>();
  /** Resolves once the listener is registered, so no state change after it can be missed. */
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));

  constructor(private readonly options: StateWatcherOptions) {
    this.loop = this.run();
  }

  private async register(): Promise<{ vbox: IVirtualBox; source: IEventSource; listener: IEventListener }> {
    const vbox = await this.options.connection.vbox();
    const source = await vbox.getEventSource();
    const listener = await source.createListener();
    await source.registerListener(listener, ['OnMachineStateChanged' as VBoxEventType], false);
    await this.catchUp();
    this.readyResolve();
    return { vbox, source, listener };
  }

  private async catchUp(): Promise<void> {
    const states = await this.options.currentStates?.();
    if (!states) return;
    const at = this.options.clock.now();
    for (const [machine, power] of states) {
      const last = this.lastPower.get(machine);
      this.lastPower.set(machine, power);
      if (last !== undefined && last !== power) this.options.emit({ machine, power, at });
    }
  }

  private async run(): Promise<void> {
    const pollMs = this.options.pollMs ?? 500;
    while (!this.stopped) {
      try {
        this.registration ??= await this.register();
        const { source, listener } = this.registration;
        const event = await source.getEvent(listener, pollMs);
        if (!event || this.stopped) continue;
        const at = this.options.clock.now();
        if (String(await event.getType()) === 'OnMachineStateChanged') {
          const changed = new IMachineStateChangedEvent(
            (event as unknown as { __client: unknown }).__client,
            refOf(event),
          );
          const name = this.options.nameOf(String(await changed.getMachineId()));
          const state = String(await changed.getState());
          if (name) {
            const power = mapMachineState(state);
            this.lastPower.set(name, power);
            this.options.emit({ machine: name, power, at });
          }
        }
        await source.eventProcessed(listener, event).catch(() => undefined);
        await this.options.connection.release(event);
      } catch (error) {
        if (this.stopped) break;
        this.options.onError?.(error);
        // Our websession is gone: forget it so the next registration logs on again.
        if (readVBoxFault(error).invalidReference && this.registration)
          await this.options.connection.forget(this.registration.vbox);
        this.registration = undefined;
        await this.options.clock.sleep(pollMs).catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    await this.loop;
    const registration = this.registration;
    this.registration = undefined;
    if (registration)
      await registration.source.unregisterListener(registration.listener).catch(() => undefined);
  }
}
