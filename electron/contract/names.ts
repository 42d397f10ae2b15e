/**
 * The method and event names as runtime lists, with no dependency, for the preload and the
 * renderer (which must not bundle the schemas). A test keeps them equal to the maps.
 */
import type { EventName } from './events.ts';
import type { MethodName } from './schemas.ts';

export const METHOD_NAMES = [
  'app.info',
  'settings.get',
  'settings.set',
  'host.check',
  'lab.list',
  'lab.open',
  'lab.getState',
  'lab.close',
  'lab.check',
  'lab.solveStep',
  'lab.solveUpTo',
  'lab.reset',
  'lab.build',
  'lab.showHint',
  'lab.setLanguage',
  'topology.getState',
  'machine.act',
  'sim.getClock',
  'sim.setSpeed',
  'terminal.open',
  'terminal.input',
  'terminal.resize',
  'terminal.close',
  'drill.start',
  'drill.getState',
  'drill.history',
  'drill.report',
  'drill.export',
  'drill.import',
  'trust.pending',
  'trust.answer',
  'pve.info',
  'pve.call',
  'pve.uploadBegin',
  'pve.uploadChunk',
  'pve.uploadFinish',
  'pve.uploadCancel',
  'pve.openWebUi',
] as const satisfies readonly MethodName[];

export const EVENT_NAMES = [
  'lab.state',
  'topology.state',
  'sim.clock',
  'terminal.data',
  'terminal.exit',
  'drill.state',
  'task.updated',
  'trust.requests',
] as const satisfies readonly EventName[];

const methodSet: ReadonlySet<string> = new Set(METHOD_NAMES);
const eventSet: ReadonlySet<string> = new Set(EVENT_NAMES);

export const isMethodName = (name: unknown): name is MethodName =>
  typeof name === 'string' && methodSet.has(name);
export const isEventName = (name: unknown): name is EventName =>
  typeof name === 'string' && eventSet.has(name);

/** The one object the preload exposes as `window.labApi`. */
export interface LabApiBridge {
  invoke(method: string, params: unknown): Promise<unknown>;
  on(event: string, listener: (payload: unknown) => void): () => void;
}

/** Transport-level envelopes (WebSocket and IPC carry the same shapes). */
export interface RequestMessage {
  id: number;
  method: string;
  params: unknown;
}
export type ResponseMessage =
  | { id: number; result: unknown }
  | { id: number; error: { code: string; message: string; details?: unknown } };
export interface EventMessage {
  event: string;
  payload: unknown;
}
