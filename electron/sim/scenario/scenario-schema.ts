/**
 * The scenario file format (`nestlab sim run <file>`): a formed cluster, HA services, rules or
 * groups, hardware state and timed fault events. Validated with zod; see scenario-load.ts for
 * how errors are mapped to file lines.
 */
import { z } from 'zod';

const nodeName = z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/, 'not a valid node name');
const sid = z.string().regex(/^(vm|ct):\d+$/, "service ids look like 'vm:100' or 'ct:101'");
const onOff = z.enum(['on', 'off']);

export const serviceSchema = z
  .object({
    sid,
    node: nodeName,
    state: z.enum(['started', 'stopped', 'disabled', 'ignored', 'enabled']).default('started'),
    max_restart: z.number().int().min(0).default(1),
    max_relocate: z.number().int().min(0).default(1),
    failback: z.boolean().default(true),
    group: z.string().optional(),
    storage: z.enum(['shared', 'local']).default('shared'),
    /** Injected faults: the first N starts / migrations fail; stop: every stop fails. */
    fail: z
      .object({
        start: z.number().int().min(0).optional(),
        migrate: z.number().int().min(0).optional(),
        stop: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const nodePriorities = z.record(nodeName, z.number().int().min(0));

export const ruleSchema = z.discriminatedUnion('type', [
  z
    .object({
      id: z.string().min(1),
      type: z.literal('node-affinity'),
      resources: z.array(sid).min(1),
      nodes: nodePriorities,
      strict: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      id: z.string().min(1),
      type: z.literal('resource-affinity'),
      resources: z.array(sid).min(2),
      affinity: z.enum(['positive', 'negative']),
    })
    .strict(),
]);

export const groupSchema = z
  .object({
    id: z.string().min(1),
    nodes: nodePriorities,
    restricted: z.boolean().default(false),
    nofailback: z.boolean().default(false),
  })
  .strict();

export const eventSchema = z
  .object({
    at: z.number().min(0),
    do: z.string().min(1),
  })
  .strict();

export const scenarioSchema = z
  .object({
    pve: z.union([z.literal(8), z.literal(9)]).default(9),
    nodes: z.array(nodeName).min(1).max(32),
    hardware: z
      .record(nodeName, z.object({ power: onOff.optional(), network: onOff.optional() }).strict())
      .default({}),
    services: z.array(serviceSchema).default([]),
    rules: z.array(ruleSchema).default([]),
    groups: z.array(groupSchema).default([]),
    datacenter: z
      .object({
        shutdown_policy: z.enum(['conditional', 'freeze', 'failover', 'migrate']).default('conditional'),
      })
      .strict()
      .default({ shutdown_policy: 'conditional' }),
    events: z.array(eventSchema).default([]),
    until: z.number().min(0).optional(),
  })
  .strict();

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioService = z.infer<typeof serviceSchema>;
