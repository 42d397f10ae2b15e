/**
 * The one composition root: builds the services from injected deps and wires them into the
 * handler table (handlers.ts). Shells and tests call it; nothing else wires services together.
 * The backend is chosen by the factory in backends/create-lab-environment.ts, through LabSession.
 */
import { join } from 'node:path';

import type { AppInfo, BackendKind, DataNotice } from '../contract/dto.ts';
import { ApiError } from '../contract/errors.ts';
import type { Handlers } from '../ipc/router.ts';
import { DrillHistory } from '../lab/drill/history.ts';
import { FileProgressStore } from '../lab/progress-store.ts';
import { TaskService } from '../lab/task-service.ts';
import { checkedDataDir } from './data-location.ts';
import type { AppDeps } from './deps.ts';
import { EventHub } from './event-hub.ts';
import { HostTerminals } from './host-terminals.ts';
import { acquireInstanceLock, type InstanceLock } from './instance-lock.ts';
import { createHandlers, type AppContext, type SessionSlot } from './handlers.ts';
import { LabCatalog } from './lab-catalog.ts';
import { LabSession } from './lab-session.ts';
import { SettingsStore } from './settings-store.ts';
import { removeStaleTempFiles } from './stale-temp-files.ts';
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
  try {
    return await composeApp(deps, lock);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function composeApp(deps: AppDeps, lock: InstanceLock): Promise<App> {
  // Settings stay in the default folder; the data (progress, drills, trust) may live elsewhere.
  const settings = await SettingsStore.open(deps.dataDir);
  const located = await checkedDataDir(deps.dataDir);
  const dataDir = located.dataDir;
  let nextDataDir: string | null = null;
  const currentBackend = (): BackendKind => deps.backend ?? settings.get().backend;
  const hub = new EventHub();
  const warn = (line: string): void => deps.log.warn(line);
  const trust = await new TrustBroker(dataDir, (pending) => hub.emit('trust.requests', pending), warn).open();
  for (const file of await removeStaleTempFiles([deps.dataDir, dataDir]))
    warn(`removed a temporary file left by an interrupted save: ${file}`);
  // Damaged or unusable data, said once: in the log now and in app.info for the UI.
  const notices: DataNotice[] = [];
  if (settings.damagedKeptAt) {
    notices.push({ kind: 'settings-damaged', file: settings.damagedKeptAt });
    warn(`settings could not be read; using the defaults (the old file is ${settings.damagedKeptAt})`);
  }
  if (located.unusable) {
    notices.push({ kind: 'data-dir-unusable', file: located.unusable });
    warn(`the chosen data folder cannot be used (${located.problem ?? 'unknown'}); using ${dataDir}`);
  }
  if (trust.notice) notices.push(trust.notice);
  const progress = new FileProgressStore(join(dataDir, 'progress'));
  const tasks = new TaskService((task) => hub.emit('task.updated', task));
  // Drill history is readable without an open lab (the library shows past runs).
  const history = new DrillHistory(dataDir, (line) => deps.log.warn(line));

  let session: LabSession | null = null;
  const sessions: SessionSlot = {
    get active() {
      return session;
    },
    current() {
      if (!session) throw new ApiError('conflict', 'No lab is open. Open a lab from the library first.');
      return session;
    },
    async open(choice) {
      await sessions.close();
      session = await LabSession.open({
        ...choice,
        hub,
        log: deps.log,
        store: progress,
        history,
        tasks,
        // Real nodes: each certificate and ssh host key is confirmed by the learner in the UI, once.
        trust: trust.callbackFor(choice.lab.id),
        // The VirtualBox build keeps its image cache and seeds in the data folder in use.
        virtualBox: { ...deps.virtualBox, dataDir },
      });
      return session;
    },
    async close() {
      const current = session;
      session = null;
      await current?.close();
    },
  };

  const info: AppInfo = {
    name: 'NestLab',
    version: readAppVersion(),
    backend: currentBackend(),
    shell: deps.shell,
    platform: `${process.platform}-${process.arch}`,
    dataDir,
    labsDir: deps.labsDir,
    hostTerminal: deps.hostTerminal === true,
    ...(notices.length > 0 ? { notices } : {}),
  };
  const hostTerminals = new HostTerminals(deps.hostTerminal === true, hub, deps.hostPty);

  const ctx: AppContext = {
    deps,
    info,
    dataDir,
    hub,
    settings,
    catalog: new LabCatalog(deps.labsDir),
    trust,
    history,
    sessions,
    hostTerminals,
    tasks,
    currentBackend,
    settingsInfo: () => ({ ...settings.get(), dataDir, nextDataDir }),
    setNextDataDir: (dir) => {
      nextDataDir = dir;
    },
    clearProgress: (lab, profile) => progress.clear(lab.id, profile.id),
  };

  return {
    info,
    hub,
    handlers: createHandlers(ctx),
    async close() {
      try {
        hostTerminals.closeAll();
        await sessions.close();
      } finally {
        await lock.release();
      }
    },
  };
}
