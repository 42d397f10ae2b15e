/**
 * A console per machine for the app: the serial console as a text stream (for the terminal pane) and
 * the screen as PNG frames from IDisplay.takeScreenShotToArray a few times a second. Frames that did
 * not change are not passed on, so an idle installer screen costs one SOAP call per tick and no IPC.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../../clock/clock.ts';
import { openSerialConsole, type SerialConsole } from './serial-console.ts';
import type { VirtualBoxDriver } from './virtualbox-driver.ts';

export interface ConsoleFrame {
  machine: string;
  width: number;
  height: number;
  png: Buffer;
  /** Monotonic time of the capture (driver clock). */
  at: number;
}

export interface MachineConsole {
  serial: SerialConsole;
  /** Stops the screen polling and closes the serial connection. */
  close(): Promise<void>;
}

export async function openMachineConsole(
  driver: Pick<VirtualBoxDriver, 'screenshot' | 'consolePath'>,
  machine: string,
  clock: Clock,
  handlers: {
    onSerial: (text: string) => void;
    onFrame: (frame: ConsoleFrame) => void;
    onError?: (error: Error) => void;
  },
  options: { framesPerSecond?: number; signal?: AbortSignal } = {},
): Promise<MachineConsole> {
  const serial = await openSerialConsole(machine, driver.consolePath(machine), clock, {
    signal: options.signal,
  });
  if (serial.transcript) handlers.onSerial(serial.transcript);
  const stopSerial = serial.onOutput((text) => text && handlers.onSerial(text));
  const stop = new AbortController();
  const intervalMs = Math.round(1000 / Math.min(10, Math.max(0.2, options.framesPerSecond ?? 3)));
  let lastDigest = '';
  const polling = (async () => {
    while (!stop.signal.aborted) {
      try {
        const shot = await driver.screenshot(machine);
        const digest = createHash('sha1').update(shot.png).digest('hex');
        if (digest !== lastDigest) {
          lastDigest = digest;
          handlers.onFrame({ machine, ...shot, at: clock.now() });
        }
      } catch (error) {
        handlers.onError?.(error as Error);
      }
      await clock.sleep(intervalMs, stop.signal).catch(() => undefined);
    }
  })();
  return {
    serial,
    close: async () => {
      stop.abort();
      await polling;
      stopSerial();
      serial.close();
    },
  };
}
