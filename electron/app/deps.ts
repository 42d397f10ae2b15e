/** What the composition root needs from its shell (Electron, CLI, browser host, tests). */
import type { BackendKind } from '../contract/dto.ts';
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
  /** VirtualBox only: where VirtualBox and the lab's nodes are reached (tests pass stand-ins). */
  virtualBox?: VirtualBoxReach;
}

export const consoleLogger: Logger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(m),
  error: (m, e) => console.error(m, e instanceof Error ? e.message : (e ?? '')),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
