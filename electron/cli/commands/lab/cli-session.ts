/**
 * How the CLI opens a lab: through LabSession like the desktop app and the browser host, with
 * progress in memory (a CLI run starts fresh and leaves nothing behind) and drill reports in a
 * throwaway folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ClockSpeed, TrustCallback, VirtualBoxReach } from '../../../backends/lab-environment.ts';
import { silentLogger } from '../../../app/deps.ts';
import { EventHub } from '../../../app/event-hub.ts';
import { LabSession } from '../../../app/lab-session.ts';
import type { BackendKind, Language } from '../../../contract/dto.ts';
import { DrillHistory } from '../../../lab/drill/history.ts';
import { MemoryProgressStore } from '../../../lab/memory-progress-store.ts';
import type { LabFile, LabProfile } from '../../../lab/script/schema.ts';

export interface CliSession {
  session: LabSession;
  /** The session's events (lab.state, terminal.data, …), for the command to show. */
  hub: EventHub;
  close(): Promise<void>;
}

export async function openCliSession(o: {
  lab: LabFile;
  profile: LabProfile;
  backend: BackendKind;
  lang: Language;
  speed: ClockSpeed;
  trust?: TrustCallback;
  virtualBox?: VirtualBoxReach;
}): Promise<CliSession> {
  const hub = new EventHub();
  const historyDir = await mkdtemp(join(tmpdir(), 'nestlab-lab-'));
  let session: LabSession;
  try {
    session = await LabSession.open({
      lab: o.lab,
      profile: o.profile,
      backend: o.backend,
      lang: o.lang,
      speed: o.speed,
      hub,
      log: silentLogger,
      store: new MemoryProgressStore(),
      history: new DrillHistory(historyDir),
      // Nobody watches a topology in a terminal.
      refreshMs: null,
      ...(o.trust ? { trust: o.trust } : {}),
      ...(o.virtualBox ? { virtualBox: o.virtualBox } : {}),
    });
  } catch (error) {
    await rm(historyDir, { recursive: true, force: true });
    throw error;
  }
  return {
    session,
    hub,
    async close() {
      await session.close();
      await rm(historyDir, { recursive: true, force: true });
    },
  };
}
