/** What the composition root needs from its shell (Electron, CLI, browser host, tests). */
import type { BackendKind } from '../contract/dto.ts';
import type { PtySpawner } from '../terminal/pty.ts';
import type { VirtualBoxReach } from '../backends/lab-environment.ts';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export interface AppDeps {
  shell: 'electron' | 'browser';
  /** Backend requested by the shell (flag or env); falls back to the saved setting, then `sim`. */
  backend?: BackendKind;
  dataDir: string;
  labsDir: string;
  log: Logger;
  /**
   * Allow `terminal.open {host: true}`: a shell on this computer. The desktop allows it; the
   * browser host is a WebSocket server, where it would be a remote shell: off unless asked for.
   */
  hostTerminal?: boolean;
  /** The host terminal's far end (tests pass a harmless command). */
  hostPty?: PtySpawner;
  /** VirtualBox only: where VirtualBox and the lab's nodes are reached (tests pass stand-ins). */
  virtualBox?: VirtualBoxReach;
  /** Desktop only: opens a real node's own web interface in a window trusting only its pinned certificate. */
  openNodeWindow?: (target: { node: string; url: string; fingerprint: string }) => void;
}

export const consoleLogger: Logger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(m),
  error: (m, e) => console.error(m, e instanceof Error ? e.message : (e ?? '')),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
