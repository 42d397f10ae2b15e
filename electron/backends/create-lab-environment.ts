/**
 * The one factory: picks the backend a lab runs on. Each backend is a module of its own
 * (sim/, virtualbox/; a school's Proxmox server will be proxmox-server/), loaded only when used.
 */
import { BACKENDS } from '../contract/dto.ts';
import { ApiError } from '../contract/errors.ts';
import type { LabEnvironment, LabEnvironmentOptions } from './lab-environment.ts';

export async function createLabEnvironment(options: LabEnvironmentOptions): Promise<LabEnvironment> {
  const { lab, profile, backend } = options;
  if (!BACKENDS.includes(backend)) {
    throw new ApiError(
      'backend-unavailable',
      `Unknown backend "${String(backend)}": use ${BACKENDS.join(' or ')}.`,
    );
  }
  if (!profile.backends.includes(backend)) {
    throw new ApiError(
      'conflict',
      `Profile "${profile.id}" of lab "${lab.id}" does not run on ${backendLabel(backend)}.`,
    );
  }
  switch (backend) {
    case 'sim': {
      const { createSimLabEnvironment } = await import('./sim/sim-environment.ts');
      return createSimLabEnvironment(options);
    }
    case 'virtualbox': {
      if (!options.trust) {
        // Real nodes are trusted only after someone confirms their fingerprints (the app's dialog, the CLI's prompt).
        throw new ApiError(
          'backend-unavailable',
          "Lab runs on VirtualBox need each node's certificate and ssh host key confirmed, and nothing here can ask. " +
            'Use the desktop app or `nestlab lab run <lab> --backend virtualbox` in a terminal.',
        );
      }
      const { createVirtualBoxLabEnvironment } = await import('./virtualbox/virtualbox-environment.ts');
      return createVirtualBoxLabEnvironment({
        lab,
        profile,
        trust: options.trust,
        ...options.virtualBox,
        ...(options.pins ? { pins: options.pins } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    }
  }
}

/** How a backend is named in messages. */
export function backendLabel(backend: LabEnvironmentOptions['backend']): string {
  return backend === 'sim' ? 'the simulator' : 'VirtualBox';
}
