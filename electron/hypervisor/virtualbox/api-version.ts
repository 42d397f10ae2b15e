/**
 * Which VirtualBox web-service API shape to talk: virtualbox-soap's classes are a 7.0 binding, and 7.1
 * reshaped createMachine and moved x86 settings under IPlatformX86; 7.2 kept the 7.1 shape for every
 * call NestLab makes. Pure, so the choice is unit-tested.
 */
import { HypervisorError } from '../driver.ts';

export type VBoxApiFlavor = '7.0' | '7.1' | '7.2';

/** Maps `IVirtualBox.getAPIVersion()` (e.g. "7_1") to the shape we speak. */
export function selectApiFlavor(apiVersion: string, version = ''): VBoxApiFlavor {
  const match = /^(\d+)_(\d+)/.exec(apiVersion.trim());
  const major = Number(match?.[1]);
  const minor = Number(match?.[2]);
  if (!match || major < 7) {
    throw new HypervisorError(
      'unsupported',
      `VirtualBox ${version || apiVersion.replace('_', '.')} is too old: NestLab needs VirtualBox 7.0 or newer. ` +
        'Install the current VirtualBox from virtualbox.org.',
    );
  }
  if (major === 7 && minor === 0) return '7.0';
  if (major === 7 && minor === 1) return '7.1';
  // 7.2 and later 7.x: try the server's own WSDL first, fall back to the 7.1 shape.
  return '7.2';
}

/**
 * A warning for a VirtualBox NestLab was never tested with (8.x and later): it is still driven with the
 * 7.2 shape through the server's own WSDL, but the user and the doctor are told so instead of silence.
 */
export function untestedVersionWarning(apiVersion: string, version = ''): string | undefined {
  const major = Number(/^(\d+)_/.exec(apiVersion.trim())?.[1]);
  if (!(major > 7)) return undefined;
  return (
    `VirtualBox ${version || apiVersion.replace('_', '.')} is an untested version: NestLab was tested with ` +
    'VirtualBox 7.0, 7.1 and 7.2 and talks to it the 7.2 way; if something fails, please report it with ' +
    'the output of `nestlab vbox selftest`'
  );
}

export type WsdlPlan =
  | { source: 'package' }
  | { source: 'vendored'; version: '7.1' }
  | { source: 'server-then-vendored'; fallback: '7.1' };

export function wsdlPlanFor(flavor: VBoxApiFlavor): WsdlPlan {
  switch (flavor) {
    case '7.0':
      return { source: 'package' };
    case '7.1':
      return { source: 'vendored', version: '7.1' };
    case '7.2':
      return { source: 'server-then-vendored', fallback: '7.1' };
  }
}

/** True when x86 CPU settings live on IMachine (7.0) rather than IMachine.platform.x86 (7.1+). */
export function hasPlatformObject(flavor: VBoxApiFlavor): boolean {
  return flavor !== '7.0';
}
