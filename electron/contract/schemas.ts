/** Runtime validation of every method's params. The single source of the params' types. */
import { z } from 'zod';

import { BACKENDS, LANGUAGES } from './dto.ts';
import { pveParamSchemas } from './pve-schemas.ts';

const language = z.enum(LANGUAGES);
const id = z.string().min(1).max(200);
const empty = z.object({}).strict();

export const paramSchemas = {
  'app.info': empty,
  'settings.get': empty,
  'settings.set': z
    .object({
      lang: language.optional(),
      theme: z.enum(['light', 'dark', 'system']).optional(),
      backend: z.enum(BACKENDS).optional(),
      dataDir: z.string().min(1).max(1024).optional(),
    })
    .strict(),
  // `backend`: check for that backend (e.g. right after choosing VirtualBox), not the one running.
  'host.check': z.object({ backend: z.enum(BACKENDS).optional() }).strict(),
  'lab.list': z.object({ lang: language.optional() }).strict(),
  'lab.open': z.object({ labId: id, profile: id.optional(), lang: language.optional() }).strict(),
  'lab.getState': empty,
  'lab.close': empty,
  'lab.check': empty,
  'lab.solveStep': z.object({ stepId: id }).strict(),
  'lab.solveUpTo': z.object({ stepId: id }).strict(),
  'lab.reset': empty,
  'lab.build': empty,
  'lab.showHint': z.object({ stepId: id }).strict(),
  'lab.setLanguage': z.object({ lang: language }).strict(),
  'topology.getState': empty,
  'machine.act': z
    .object({
      machine: id,
      action: z.enum(['power-off', 'power-on', 'acpi-shutdown', 'reboot', 'cable-out', 'cable-in']),
    })
    .strict(),
  'sim.getClock': empty,
  'sim.setSpeed': z.object({ speed: z.union([z.literal(1), z.literal(10), z.literal('max')]) }).strict(),
  // Either a lab node's shell, or (`host: true`) a shell on the learner's own computer.
  'terminal.open': z.union([z.object({ node: id }).strict(), z.object({ host: z.literal(true) }).strict()]),
  'terminal.input': z.object({ id, data: z.string().max(65_536) }).strict(),
  'terminal.resize': z
    .object({ id, cols: z.number().int().min(10).max(1000), rows: z.number().int().min(2).max(500) })
    .strict(),
  'terminal.close': z.object({ id }).strict(),
  'drill.start': z
    .object({ stepId: id.optional(), guessSeconds: z.number().finite().min(0).max(3600).optional() })
    .strict(),
  'drill.getState': empty,
  'drill.history': z.object({ labId: id }).strict(),
  'drill.report': z.object({ labId: id, runId: id }).strict(),
  'drill.export': z.object({ labId: id, runId: id, format: z.enum(['csv', 'json']) }).strict(),
  'drill.import': z
    .object({ labId: id, fileName: z.string().min(1).max(300), content: z.string().max(2_000_000) })
    .strict(),
  'trust.pending': empty,
  'trust.answer': z.object({ id, accept: z.boolean() }).strict(),
  ...pveParamSchemas,
} as const;

export type MethodName = keyof typeof paramSchemas;
export type ParamsOf<M extends MethodName> = z.input<(typeof paramSchemas)[M]>;
