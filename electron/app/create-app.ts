/**
 * The one composition root: builds the services from injected deps and chooses implementations
 * (simulator or VirtualBox). Shells and tests call it; nothing else wires services together.
 */
import type { AppInfo, BackendKind } from '../contract/dto.ts';
import { ApiError } from '../contract/errors.ts';
import type { Handlers } from '../ipc/router.ts';
import type { AppDeps } from './deps.ts';
import { EventHub } from './event-hub.ts';
import { LabCatalog } from './lab-catalog.ts';
import { SettingsStore } from './settings-store.ts';
import { readAppVersion } from './version.ts';

export interface App {
  readonly info: AppInfo;
  readonly hub: EventHub;
  readonly handlers: Handlers;
  close(): Promise<void>;
}

const noLab = (): never => {
  throw new ApiError('conflict', 'No lab is open. Open a lab from the library first.');
};

export async function createApp(deps: AppDeps): Promise<App> {
  const settings = await SettingsStore.open(deps.dataDir);
  const backend: BackendKind = deps.backend ?? settings.get().backend;
  const hub = new EventHub();
  const catalog = new LabCatalog(deps.labsDir);

  const info: AppInfo = {
    name: 'NestLab',
    version: readAppVersion(),
    backend,
    shell: deps.shell,
    platform: `${process.platform}-${process.arch}`,
    dataDir: deps.dataDir,
    labsDir: deps.labsDir,
  };

  const handlers: Handlers = {
    'app.info': () => info,
    'settings.get': () => settings.get(),
    'settings.set': (patch) => settings.update(patch),
    'host.check': () => ({
      backend,
      ok: backend === 'sim',
      findings:
        backend === 'sim'
          ? [
              {
                id: 'sim',
                severity: 'ok',
                title: 'Embedded simulator',
                detail: 'The simulated datacenter runs inside NestLab and needs nothing from this machine.',
                fix: null,
              },
            ]
          : [
              {
                id: 'virtualbox-not-wired',
                severity: 'error',
                title: 'VirtualBox backend not available in this build',
                detail: 'The VirtualBox host check is not connected to the app yet.',
                fix: 'Use the embedded simulator (Settings → Backend → Simulator).',
              },
            ],
    }),
    'lab.list': ({ lang }) => catalog.list(lang ?? settings.get().lang),
    'lab.open': noLab,
    'lab.getState': () => null,
    'lab.close': () => null,
    'lab.check': noLab,
    'lab.solveStep': noLab,
    'lab.solveUpTo': noLab,
    'lab.reset': noLab,
    'lab.showHint': noLab,
    'lab.setLanguage': () => null,
    'topology.getState': () => null,
    'machine.act': noLab,
    'sim.getClock': () => null,
    'sim.setSpeed': noLab,
    'terminal.open': noLab,
    'terminal.input': noLab,
    'terminal.resize': noLab,
    'terminal.close': () => null,
    'drill.start': noLab,
    'drill.getState': () => ({ running: false, phase: null, elapsedMs: 0, milestones: [], report: null }),
    'drill.history': () => [],
    'drill.report': () => {
      throw new ApiError('not-found', 'No such drill run.');
    },
    'drill.export': () => {
      throw new ApiError('not-found', 'No such drill run.');
    },
  };

  return {
    info,
    hub,
    handlers,
    async close() {},
  };
}
