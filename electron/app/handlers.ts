/**
 * The handler table: every contract method, grouped by what it is about. Each group is a plain
 * object built from the app context, so a new group is one more spread in `createHandlers`
 * (e.g. `...pveHandlers(ctx)`). Every handler maps backend failures the same way
 * (`mapBackendFailures`): VirtualBox or an unreachable node reads as `backend-unavailable`.
 */
import type { AppInfo, BackendKind, Language, LabRunInfo, SettingsInfo } from '../contract/dto.ts';
import { ApiError } from '../contract/errors.ts';
import { HypervisorError } from '../hypervisor/driver.ts';
import type { Handlers } from '../ipc/router.ts';
import { toDrillHistoryEntry, toFailoverReportInfo } from '../lab/drill/drill-dto.ts';
import type { DrillHistory } from '../lab/drill/history.ts';
import { reportToCsv } from '../lab/drill/report-csv.ts';
import type { LabFile, LabProfile } from '../lab/script/schema.ts';
import { PveError } from '../pve/api.ts';
import { chooseDataDir } from './data-location.ts';
import type { AppDeps } from './deps.ts';
import type { EventHub } from './event-hub.ts';
import { checkHost } from '../backends/host-check.ts';
import { importRun, RunImportError } from '../lab/drill/import-run.ts';
import { HOST_TERMINAL_NODE, type HostTerminals } from './host-terminals.ts';
import type { LabCatalog } from './lab-catalog.ts';
import type { LabSession } from './lab-session.ts';
import { createPveHandlers } from './pve-handlers.ts';
import type { SettingsStore } from './settings-store.ts';
import type { TaskService } from '../lab/task-service.ts';
import { taskTitle } from './task-titles.ts';
import type { TrustBroker } from './trust-broker.ts';

/** What the handlers share; built once by the composition root (create-app.ts). */
export interface AppContext {
  readonly deps: AppDeps;
  readonly info: AppInfo;
  /** Where progress, drills and trust live (may differ from `deps.dataDir`, which keeps the settings). */
  readonly dataDir: string;
  readonly hub: EventHub;
  readonly settings: SettingsStore;
  readonly catalog: LabCatalog;
  readonly trust: TrustBroker;
  readonly history: DrillHistory;
  readonly sessions: SessionSlot;
  /** The terminal on this computer (refuses when the shell does not allow it). */
  readonly hostTerminals: HostTerminals;
  /** Long work shown in the renderer's task tray (`task.updated`). */
  readonly tasks: TaskService;
  /** A backend named by the shell wins; otherwise the saved setting, which may change. */
  currentBackend(): BackendKind;
  settingsInfo(): SettingsInfo;
  /** The data folder chosen for the next start (null: unchanged). */
  setNextDataDir(dir: string | null): void;
  /** Starts over a lab's saved progress (lab.reset). */
  clearProgress(lab: LabFile, profile: LabProfile): Promise<void>;
}

/** The one open lab, if any. `open` replaces it; `current` throws when none is open. */
export interface SessionSlot {
  readonly active: LabSession | null;
  current(): LabSession;
  open(choice: {
    lab: LabFile;
    profile: LabProfile;
    lang: Language;
    backend: BackendKind;
  }): Promise<LabSession>;
  close(): Promise<void>;
}

/** A group of handlers: some of the contract's methods. */
export type HandlerGroup<M extends keyof Handlers> = Pick<Handlers, M>;

export function createHandlers(ctx: AppContext): Handlers {
  return mapBackendFailures({
    ...appHandlers(ctx),
    ...labHandlers(ctx),
    ...terminalHandlers(ctx),
    ...drillHandlers(ctx),
    ...trustHandlers(ctx),
    ...createPveHandlers({
      session: () => ctx.sessions.current(),
      dataDir: ctx.dataDir,
      ...(ctx.deps.openNodeWindow ? { openNodeWindow: ctx.deps.openNodeWindow } : {}),
    }),
  });
}

function language(ctx: AppContext): Language {
  return ctx.sessions.active?.state.lang ?? ctx.settings.get().lang;
}

export function appHandlers(
  ctx: AppContext,
): HandlerGroup<'app.info' | 'settings.get' | 'settings.set' | 'host.check'> {
  return {
    'app.info': () => ({ ...ctx.info, backend: ctx.currentBackend() }),
    'settings.get': () => ctx.settingsInfo(),
    'settings.set': async ({ dataDir: chosen, ...patch }) => {
      if (chosen !== undefined) {
        const target = await chooseDataDir(ctx.deps.dataDir, chosen);
        ctx.setNextDataDir(target === ctx.dataDir ? null : target);
      }
      if (Object.keys(patch).length > 0) await ctx.settings.update(patch);
      return ctx.settingsInfo();
    },
    'host.check': ({ backend }) => checkHost(backend ?? ctx.currentBackend()),
  };
}

export function labHandlers(
  ctx: AppContext,
): HandlerGroup<
  | 'lab.list'
  | 'lab.open'
  | 'lab.getState'
  | 'lab.close'
  | 'lab.check'
  | 'lab.solveStep'
  | 'lab.solveUpTo'
  | 'lab.reset'
  | 'lab.build'
  | 'lab.showHint'
  | 'lab.setLanguage'
  | 'topology.getState'
  | 'machine.act'
  | 'sim.getClock'
  | 'sim.setSpeed'
> {
  const { sessions, hub } = ctx;
  const opened = (session: LabSession): LabRunInfo => {
    hub.emit('lab.state', session.state);
    return session.state;
  };
  return {
    'lab.list': ({ lang }) => ctx.catalog.list(lang ?? ctx.settings.get().lang, ctx.currentBackend()),
    'lab.open': async ({ labId, profile, lang }) => {
      const lab = await ctx.catalog.get(labId);
      if (!lab) throw new ApiError('not-found', `No lab "${labId}" in ${ctx.deps.labsDir}.`);
      const backend = ctx.currentBackend();
      const chosen = profile
        ? lab.profiles.find((p) => p.id === profile)
        : lab.profiles.find((p) => p.backends.includes(backend));
      if (!chosen) {
        throw new ApiError(
          'not-found',
          profile
            ? `Lab "${labId}" has no profile "${profile}".`
            : `Lab "${labId}" has no profile for the ${backend} backend.`,
        );
      }
      const session = await sessions.open({
        lab,
        profile: chosen,
        lang: lang ?? ctx.settings.get().lang,
        backend,
      });
      // A lab that "starts where another ends" does: NestLab rebuilds that state, marked as its own.
      session.applyStartingPoint();
      return opened(session);
    },
    'lab.getState': () => sessions.active?.state ?? null,
    'lab.close': async () => {
      await sessions.close();
      hub.emit('lab.state', null);
      hub.emit('topology.state', null);
      return null;
    },
    'lab.check': () => sessions.current().check(),
    'lab.solveStep': ({ stepId }) => sessions.current().solveStep(stepId),
    'lab.solveUpTo': ({ stepId }) => sessions.current().solveUpTo(stepId),
    'lab.reset': async () => {
      // Progress and the lab's cluster start over together.
      const session = sessions.current();
      const { lab, profile, state } = session;
      return ctx.tasks.withTask(taskTitle('reset', state.lang), async (task) => {
        try {
          // A real cluster keeps its state: its machines go back to their checkpoints first.
          await session.resetMachines();
        } catch (error) {
          // The lab cannot go on half reset: it closes, and says why.
          await sessions.close();
          hub.emit('lab.state', null);
          hub.emit('topology.state', null);
          throw error;
        }
        task.progress(0.1, lab.id);
        await sessions.close();
        task.progress(0.3, lab.id);
        await ctx.clearProgress(lab, profile);
        task.progress(0.5, lab.id);
        return opened(await sessions.open({ lab, profile, lang: state.lang, backend: state.backend }));
      });
    },
    'lab.build': () => sessions.current().build(),
    'lab.showHint': ({ stepId }) => sessions.current().showHint(stepId),
    'lab.setLanguage': ({ lang }) => sessions.active?.setLanguage(lang) ?? null,
    'topology.getState': () => sessions.active?.topology ?? null,
    'machine.act': ({ machine, action }) => sessions.current().act(machine, action),
    'sim.getClock': () => sessions.active?.clockInfo() ?? null,
    'sim.setSpeed': ({ speed }) => sessions.current().setSpeed(speed),
  };
}

export function terminalHandlers(
  ctx: AppContext,
): HandlerGroup<'terminal.open' | 'terminal.input' | 'terminal.resize' | 'terminal.close'> {
  const { sessions, hostTerminals } = ctx;
  const terminal = (id: string) =>
    hostTerminals.owns(id) ? hostTerminals.get(id) : sessions.current().terminal(id);
  return {
    'terminal.open': async (params) => {
      if (!('host' in params)) return sessions.current().openTerminal(params.node);
      const session = await hostTerminals.open();
      return { id: session.id, node: HOST_TERMINAL_NODE, scrollback: session.scrollback };
    },
    'terminal.input': ({ id, data }) => {
      terminal(id).write(data);
      return null;
    },
    'terminal.resize': ({ id, cols, rows }) => {
      terminal(id).resize(cols, rows);
      return null;
    },
    'terminal.close': ({ id }) => {
      if (hostTerminals.owns(id)) hostTerminals.close(id);
      else sessions.active?.closeTerminal(id);
      return null;
    },
  };
}

export function drillHandlers(
  ctx: AppContext,
): HandlerGroup<
  'drill.start' | 'drill.getState' | 'drill.history' | 'drill.report' | 'drill.export' | 'drill.import'
> {
  const { sessions, history } = ctx;
  return {
    'drill.start': ({ stepId, guessSeconds }) => sessions.current().startDrill(stepId, guessSeconds),
    'drill.import': async ({ labId, fileName, content }) => {
      let report;
      try {
        report = importRun(labId, fileName, content);
      } catch (error) {
        if (error instanceof RunImportError) throw new ApiError('bad-request', error.message);
        throw error;
      }
      await history.save(report);
      return toDrillHistoryEntry(report);
    },
    'drill.getState': () =>
      sessions.active?.drillState() ?? {
        running: false,
        phase: null,
        elapsedMs: 0,
        milestones: [],
        report: null,
      },
    // Drill history is readable without an open lab (the library shows past runs).
    'drill.history': async ({ labId }) => (await history.list(labId)).map(toDrillHistoryEntry),
    'drill.report': ({ labId, runId }) =>
      wrapNotFound(async () => toFailoverReportInfo(await history.load(labId, runId))),
    'drill.export': ({ labId, runId, format }) =>
      wrapNotFound(async () => {
        const report = await history.load(labId, runId);
        const base = `${labId}-${runId}`;
        return format === 'csv'
          ? { filename: `${base}.csv`, mime: 'text/csv', content: reportToCsv(report, language(ctx)) }
          : {
              filename: `${base}.json`,
              mime: 'application/json',
              content: JSON.stringify(report, null, 2) + '\n',
            };
      }),
  };
}

export function trustHandlers(ctx: AppContext): HandlerGroup<'trust.pending' | 'trust.answer'> {
  return {
    'trust.pending': () => ctx.trust.pending(),
    'trust.answer': ({ id, accept }) => {
      ctx.trust.answer(id, accept);
      return null;
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
export function asBackendError(error: unknown): unknown {
  if (error instanceof HypervisorError || error instanceof PveError) {
    return new ApiError('backend-unavailable', error.message);
  }
  return error;
}

/** Wraps every handler so a backend failure reaches the caller as `backend-unavailable`, never `internal`. */
export function mapBackendFailures(handlers: Handlers): Handlers {
  const mapped: Record<string, (params: never) => unknown> = {};
  for (const [method, handler] of Object.entries(handlers) as [string, (params: never) => unknown][]) {
    mapped[method] = async (params: never) => {
      try {
        return await handler(params);
      } catch (error) {
        throw asBackendError(error);
      }
    };
  }
  return mapped as unknown as Handlers;
}
