import { join } from 'node:path';

/**
 * The one composition root: builds the services from injected deps and chooses implementations
 * (simulator or VirtualBox). Shells and tests call it; nothing else wires services together.
 */
import type { AppInfo, BackendKind } from '../contract/dto.ts';
import { ApiError } from '../contract/errors.ts';
import { HypervisorError } from '../hypervisor/driver.ts';
import { PveError } from '../pve/api.ts';
import type { Handlers } from '../ipc/router.ts';
import type { AppDeps } from './deps.ts';
import { EventHub } from './event-hub.ts';
import { chooseDataDir, resolveDataDir } from './data-location.ts';
import { checkHost } from './host-check.ts';
import { acquireInstanceLock } from './instance-lock.ts';
import { HostPtySpawner } from '../terminal/host-pty.ts';
import { TerminalManager } from '../terminal/manager.ts';

/** The host terminal's session ids and node name; `@` cannot start a lab node's name. */
const HOST_TERMINAL_PREFIX = 'host';
export const HOST_TERMINAL_NODE = '@host';
import { LabCatalog } from './lab-catalog.ts';
import { LabSession } from './lab-session.ts';
import { toDrillHistoryEntry, toFailoverReportInfo } from '../lab/drill/drill-dto.ts';
import { DrillHistory } from '../lab/drill/history.ts';
import { reportToCsv } from '../lab/drill/report-csv.ts';
import { FileProgressStore } from '../lab/progress-store.ts';
import { SettingsStore } from './settings-store.ts';
import { TrustBroker } from './trust-broker.ts';
import { readAppVersion } from './version.ts';

export interface App {
  readonly info: AppInfo;
  readonly hub: EventHub;
  readonly handlers: Handlers;
  close(): Promise<void>;
}

export async function createApp(deps: AppDeps): Promise<App> {
  // One instance per data folder: a second one would rewrite this one's settings and progress.
  const lock = await acquireInstanceLock(deps.dataDir);
  // Settings stay in the default folder; the data (progress, drills, trust) may live elsewhere.
  const settings = await SettingsStore.open(deps.dataDir).catch(async (error: unknown) => {
    await lock.release();
    throw error;
  });
  const dataDir = await resolveDataDir(deps.dataDir);
  let nextDataDir: string | null = null;
  const settingsInfo = () => ({ ...settings.get(), dataDir, nextDataDir });
  // A backend named by the shell (flag, LAB_BACKEND) wins; otherwise the saved setting, which may change.
  const currentBackend = (): BackendKind => deps.backend ?? settings.get().backend;
  const hub = new EventHub();
  const catalog = new LabCatalog(deps.labsDir);
  const trust = new TrustBroker(dataDir, (pending) => hub.emit('trust.requests', pending));

  let session: LabSession | null = null;
  const open = (): LabSession => {
    if (!session) throw new ApiError('conflict', 'No lab is open. Open a lab from the library first.');
    return session;
  };
  const closeSession = async (): Promise<void> => {
    const current = session;
    session = null;
    await current?.close();
  };
  // Drill history is readable without an open lab (the library shows past runs).
  const history = new DrillHistory(dataDir);
  const language = () => session?.state.lang ?? settings.get().lang;

  const info: AppInfo = {
    name: 'NestLab',
    version: readAppVersion(),
    backend: currentBackend(),
    shell: deps.shell,
    platform: `${process.platform}-${process.arch}`,
    dataDir,
    labsDir: deps.labsDir,
    hostTerminal: deps.hostTerminal === true,
  };
  // The learner's own computer: one manager for the app's lifetime (it outlives labs).
  let hostTerminals: TerminalManager | null = null;
  const hostTerminal = (): TerminalManager => {
    if (!deps.hostTerminal) {
      throw new ApiError(
        'forbidden',
        'The terminal on this computer is off in the browser host (it would be a shell reachable over its WebSocket). Start NestLab with --host-terminal to allow it.',
      );
    }
    hostTerminals ??= new TerminalManager(
      deps.hostPty ?? new HostPtySpawner(),
      {
        data: (id, data) => hub.emit('terminal.data', { id, data }),
        exit: (id, code) => hub.emit('terminal.exit', { id, code }),
      },
      HOST_TERMINAL_PREFIX,
    );
    return hostTerminals;
  };
  const terminalById = (id: string) => {
    if (!id.startsWith(`${HOST_TERMINAL_PREFIX}-`)) return open().terminal(id);
    const session = hostTerminal().get(id);
    if (!session) throw new ApiError('not-found', `No terminal "${id}" (it may have been closed).`);
    return session;
  };

  const handlers: Handlers = {
    'app.info': () => ({ ...info, backend: currentBackend() }),
    'settings.get': () => settingsInfo(),
    'settings.set': async ({ dataDir: chosen, ...patch }) => {
      if (chosen !== undefined) {
        const target = await chooseDataDir(deps.dataDir, chosen);
        nextDataDir = target === dataDir ? null : target;
      }
      if (Object.keys(patch).length > 0) await settings.update(patch);
      return settingsInfo();
    },
    'host.check': () => checkHost(currentBackend()),
    'lab.list': ({ lang }) => catalog.list(lang ?? settings.get().lang, currentBackend()),

    'lab.open': async ({ labId, profile, lang }) => {
      const lab = await catalog.get(labId);
      if (!lab) throw new ApiError('not-found', `No lab "${labId}" in ${deps.labsDir}.`);
      const backend = currentBackend();
      const chosen = profile
        ? lab.profiles.find((p) => p.id === profile)
        : lab.profiles.find((p) => p.backends.includes(backend));
      if (!chosen) {
        throw new ApiError(
          'not-found',
          profile ? `Lab "${labId}" has no profile "${profile}".` : `Lab "${labId}" has no profile for the ${backend} backend.`,
        );
      }
      await closeSession();
      const language = lang ?? settings.get().lang;
      session = await asBackendError(() => LabSession.open({ lab, profile: chosen, lang: language, backend, dataDir, hub, log: deps.log, trust, ...(deps.virtualBox ? { virtualBox: deps.virtualBox } : {}) }));
      hub.emit('lab.state', session.state);
      return session.state;
    },
    'lab.getState': () => session?.state ?? null,
    'lab.close': async () => {
      await closeSession();
      hub.emit('lab.state', null);
      hub.emit('topology.state', null);
      return null;
    },
    'lab.check': () => open().check(),
    'lab.solveStep': ({ stepId }) => open().solveStep(stepId),
    'lab.solveUpTo': ({ stepId }) => open().solveUpTo(stepId),
    'lab.reset': async () => {
      // Progress and the simulated cluster start over together.
      const current = open();
      const { lab, profile } = current;
      const { lang, backend } = current.state;
      await closeSession();
      await new FileProgressStore(join(dataDir, 'progress')).clear(lab.id, profile.id);
      session = await LabSession.open({ lab, profile, lang, backend, dataDir, hub, log: deps.log, trust, ...(deps.virtualBox ? { virtualBox: deps.virtualBox } : {}) });
      hub.emit('lab.state', session.state);
      return session.state;
    },
    'lab.showHint': ({ stepId }) => open().showHint(stepId),
    'lab.setLanguage': ({ lang }) => session?.setLanguage(lang) ?? null,
    'topology.getState': () => session?.topology ?? null,
    'machine.act': ({ machine, action }) => open().act(machine, action),
    'sim.getClock': () => session?.clockInfo() ?? null,
    'sim.setSpeed': ({ speed }) => open().setSpeed(speed),
    'terminal.open': async (params) => {
      if ('host' in params) {
        const session = await hostTerminal().open(HOST_TERMINAL_NODE);
        return { id: session.id, node: HOST_TERMINAL_NODE, scrollback: session.scrollback };
      }
      return open().openTerminal(params.node);
    },
    'terminal.input': ({ id, data }) => {
      terminalById(id).write(data);
      return null;
    },
    'terminal.resize': ({ id, cols, rows }) => {
      terminalById(id).resize(cols, rows);
      return null;
    },
    'terminal.close': ({ id }) => {
      if (id.startsWith(`${HOST_TERMINAL_PREFIX}-`)) hostTerminals?.close(id);
      else session?.closeTerminal(id);
      return null;
    },
    'drill.start': ({ stepId }) => open().startDrill(stepId),
    'drill.getState': () =>
      session?.drillState() ?? { running: false, phase: null, elapsedMs: 0, milestones: [], report: null },
    'drill.history': async ({ labId }) => (await history.list(labId)).map(toDrillHistoryEntry),
    'drill.report': ({ labId, runId }) =>
      wrapNotFound(async () => toFailoverReportInfo(await history.load(labId, runId))),
    'drill.export': ({ labId, runId, format }) =>
      wrapNotFound(async () => {
        const report = await history.load(labId, runId);
        const base = `${labId}-${runId}`;
        return format === 'csv'
          ? { filename: `${base}.csv`, mime: 'text/csv', content: reportToCsv(report, language()) }
          : { filename: `${base}.json`, mime: 'application/json', content: JSON.stringify(report, null, 2) + '\n' };
      }),
    'trust.pending': () => trust.pending(),
    'trust.answer': ({ id, accept }) => {
      trust.answer(id, accept);
      return null;
    },
  };

  return {
    info,
    hub,
    handlers,
    async close() {
      try {
        hostTerminals?.closeAll();
        await closeSession();
      } finally {
        await lock.release();
      }
    },
  };
}

async function wrapNotFound<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ApiError('not-found', 'No such drill run.');
    throw error;
  }
}

/** VirtualBox or a node that cannot be reached is the backend's problem, said in its own words. */
async function asBackendError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HypervisorError || error instanceof PveError) {
      throw new ApiError('backend-unavailable', error.message);
    }
    throw error;
  }
}
