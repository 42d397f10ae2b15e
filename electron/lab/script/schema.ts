/**
 * The lab file format (labs/<id>/lab.yaml): the single source of truth. The loader validates
 * with it, the engine's types are inferred from it, and labs/schema/lab.schema.json is generated
 * from it (emit-json-schema.ts). Objects are strict so a misspelt key is an error, not a silent no-op.
 *
 * Expressions are JSONata. Strings in `solve` parameters and commands may embed `{{ expr }}`
 * templates evaluated over `{ results, vars, machines }`; check messages use `{{name}}`
 * placeholders filled from the check's named `observe` expressions.
 */
import { BACKENDS, type BackendKind } from '../../contract/dto.ts';
import { POWER_OPERATIONS } from '../../hypervisor/power-operations.ts';
import { z } from 'zod';

// The language and backend lists are the contract's, declared once there.
export { BACKENDS, LANGUAGES, type Language } from '../../contract/dto.ts';
export type Backend = BackendKind;
import { DATACENTER_ACTION_NAMES } from '../../contract/datacenter-actions.ts';

const nonEmpty = z.string().min(1, 'must not be empty');

/** English is required; the others fall back to English. */
export const localizedText = z
  .strictObject({
    en: nonEmpty,
    es: nonEmpty.optional(),
    ca: nonEmpty.optional(),
    fr: nonEmpty.optional(),
    pl: nonEmpty.optional(),
  })
  .meta({
    id: 'LocalizedText',
    description: 'Text per language: en (required), es, ca, fr, pl. Missing languages fall back to en.',
  });

const kebabId = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case: lower-case letters, digits and single hyphens');

/** A JSONata expression (compiled and checked by the loader). */
const expression = nonEmpty.meta({ description: 'A JSONata expression.' });

/** A string that may embed `{{ JSONata }}` templates over { results, vars, machines }. */
const templateString = z.string().meta({
  description:
    'Text that may embed {{ JSONata }} templates evaluated over { results, vars, machines }. ' +
    'A value that is exactly one template keeps the type of its result.',
});

const ipv4 = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}`;
const ipv4Cidr = z
  .string()
  .regex(
    new RegExp(`^${ipv4}/(?:3[0-2]|[12]?\\d)$`),
    'must be an IPv4 address with prefix, e.g. 192.168.56.11/24',
  );

// ---------------------------------------------------------------- topology

export const MACHINE_KINDS = ['pve', 'truenas', 'nfs', 'tinycore'] as const;

export const networkSchema = z.strictObject({
  name: kebabId,
  cidr: ipv4Cidr.meta({ description: 'Host side of the network, e.g. 192.168.56.1/24.' }),
});

export const diskSchema = z.strictObject({
  name: kebabId,
  sizeGiB: z.number().int().min(1).max(2048),
});

export const nicSchema = z.strictObject({
  network: kebabId.meta({ description: 'Name of a network of this profile.' }),
  address: ipv4Cidr.optional().meta({ description: 'Static address of the guest on this NIC.' }),
});

export const machineSchema = z
  .strictObject({
    name: kebabId.meta({ description: 'Machine name; also the Proxmox node name for kind pve.' }),
    kind: z.enum(MACHINE_KINDS),
    memoryMiB: z.number().int().min(64).max(65536),
    cpus: z.number().int().min(1).max(16),
    nestedVirtualization: z.boolean().optional().meta({ description: 'Defaults to true for kind pve.' }),
    disks: z.array(diskSchema).default([]),
    nics: z.array(nicSchema).min(1),
    image: kebabId
      .optional()
      .meta({ description: 'Image id from the NestLab catalog to boot or install from.' }),
  })
  .meta({ id: 'Machine' });

export const profileSchema = z
  .strictObject({
    id: kebabId,
    title: localizedText,
    backends: z
      .array(z.enum(BACKENDS))
      .min(1)
      .meta({ description: 'Backends this profile runs on: sim, virtualbox.' }),
    pveVersion: z
      .string()
      .regex(/^\d+\.\d+$/, 'must be major.minor, e.g. 9.1')
      .optional()
      .meta({ description: 'Proxmox VE release the profile targets, e.g. 9.1 or 8.4.' }),
    minHostMemoryMiB: z.number().int().min(512).meta({ description: 'Minimum host RAM this profile needs.' }),
    networks: z.array(networkSchema).min(1),
    machines: z.array(machineSchema).min(1),
    images: z.array(kebabId).default([]).meta({
      description: 'Extra catalog images the lab needs besides machine images (e.g. an ISO to upload).',
    }),
  })
  .meta({ id: 'Profile' });

// ---------------------------------------------------------------- checks

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;

const paramValue = z.union([templateString, z.number(), z.boolean()]);

export const apiQuerySchema = z
  .strictObject({
    node: kebabId.optional().meta({ description: 'Ask this node only; otherwise any live node.' }),
    method: z.enum(HTTP_METHODS).default('GET'),
    path: z
      .string()
      .regex(/^\/[^\s]*$/, 'must be an API path below /api2/json starting with /, e.g. /cluster/status'),
    params: z.record(z.string(), paramValue).optional(),
  })
  .meta({ id: 'ApiQuery' });

const placeholderName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier');

export const checkSchema = z
  .strictObject({
    id: kebabId,
    query: apiQuerySchema,
    expect: expression.meta({
      description:
        'JSONata over the JSON result (the `data` of the reply); the check passes when it is true.',
    }),
    observe: z.record(placeholderName, expression).optional().meta({
      description: 'Named JSONata expressions over the result, shown through {{name}} in `observed`.',
    }),
    message: localizedText.meta({
      description: 'What the check verifies, e.g. "The cluster has three nodes".',
    }),
    observed: localizedText.optional().meta({
      description:
        'What was seen, with {{name}} placeholders from `observe`, e.g. "{{online}} of {{total}} online".',
    }),
  })
  .meta({ id: 'Check' });

// ---------------------------------------------------------------- solve actions

const seconds = (max: number) => z.number().positive().max(max);
export const MIN_WAIT_INTERVAL_SECONDS = 0.5;

export const apiActionSchema = z.strictObject({
  action: z.literal('api'),
  node: kebabId.optional(),
  method: z.enum(HTTP_METHODS),
  path: z.string().regex(/^\/[^\s]*$/, 'must be an API path starting with /'),
  params: z.record(z.string(), paramValue).optional(),
  save: placeholderName
    .optional()
    .meta({ description: 'Keep the result as results.<save> for later templates.' }),
  waitTask: z
    .boolean()
    .default(false)
    .meta({ description: 'The call returns a task id (UPID): wait until it stops and fail if it failed.' }),
  timeoutSeconds: seconds(3600).default(120),
});

export const shellActionSchema = z.strictObject({
  action: z.literal('shell'),
  node: kebabId,
  command: templateString.pipe(nonEmpty),
  input: z
    .array(templateString)
    .default([])
    .meta({ description: 'Lines typed in order at the prompts the command asks (e.g. "yes", a password).' }),
  expectExitCode: z.number().int().min(0).max(255).default(0),
  save: placeholderName.optional().meta({ description: 'Keep { output, exitCode } as results.<save>.' }),
});

/** The power vocabulary of hypervisor/power-operations.ts. */
export const HYPERVISOR_OPERATIONS = POWER_OPERATIONS;

export const hypervisorActionSchema = z.strictObject({
  action: z.literal('hypervisor'),
  machine: kebabId,
  operation: z.enum(HYPERVISOR_OPERATIONS),
});

export const waitActionSchema = z.strictObject({
  action: z.literal('wait'),
  query: apiQuerySchema,
  until: expression.meta({ description: 'JSONata over the query result; the wait ends when it is true.' }),
  timeoutSeconds: seconds(3600),
  // A floor on the poll interval: 1e-9 would spin a core (and the API) for the whole timeout.
  intervalSeconds: z
    .number()
    .min(MIN_WAIT_INTERVAL_SECONDS)
    .max(60)
    .default(1)
    .meta({ description: `Seconds between polls, at least ${MIN_WAIT_INTERVAL_SECONDS}.` }),
});

export const taskActionSchema = z.strictObject({
  action: z.literal('task'),
  upid: templateString
    .pipe(nonEmpty)
    .meta({ description: 'Task id, usually a template like {{ results.create }}.' }),
  timeoutSeconds: seconds(3600).default(120),
});

export const solveActionSchema = z
  .discriminatedUnion('action', [
    apiActionSchema,
    shellActionSchema,
    hypervisorActionSchema,
    waitActionSchema,
    taskActionSchema,
  ])
  .meta({ id: 'SolveAction' });

// ---------------------------------------------------------------- the learner's two paths

/** One action of the Datacenter view, as the view does it (contract/datacenter-actions.ts). */
export const guiActionSchema = z
  .strictObject({
    action: z
      .enum(DATACENTER_ACTION_NAMES)
      .meta({ description: 'A Datacenter view action, e.g. create-cluster.' }),
    params: z
      .record(z.string(), paramValue)
      .default({})
      .meta({ description: "The dialog's fields (templates allowed); lists as comma-separated text." }),
    save: placeholderName
      .optional()
      .meta({ description: 'Keep what the action returned as results.<save>.' }),
    waitTask: z.boolean().default(true).meta({
      description: 'Wait for the task the action started, as the learner watches it in the task log.',
    }),
    timeoutSeconds: seconds(3600).default(600),
  })
  .meta({ id: 'GuiAction' });

/** One command the learner types in a node's shell. */
export const shellCommandSchema = z
  .strictObject({
    node: kebabId,
    command: templateString.pipe(nonEmpty),
    input: z
      .array(templateString)
      .default([])
      .meta({ description: 'Lines typed at the prompts the command asks (e.g. "yes", a password).' }),
    expectExitCode: z.number().int().min(0).max(255).default(0),
  })
  .meta({ id: 'ShellCommand' });

// ---------------------------------------------------------------- drill

/** Milestones a drill records, in their usual order (pve-ha.md §2.1); the same ids as drill/detect-milestones.ts. */
export const DRILL_MILESTONES = [
  'fault-injected',
  'node-offline',
  'quorum-recomputed',
  'quorum-lost',
  'ha-node-unknown',
  'service-frozen',
  'fence',
  'fenced',
  'recovery',
  'node-online',
  'quorum-regained',
  'storage-offline',
  'service-started',
  'guest-running',
  'guest-answering',
] as const;

export const DRILL_FAULTS = ['power-off', 'cable-out', 'acpi-shutdown', 'reset'] as const;

const secondsRange = z
  .strictObject({ minSeconds: z.number().min(0), maxSeconds: z.number().min(0) })
  .refine((r) => r.minSeconds <= r.maxSeconds, { message: 'minSeconds must not exceed maxSeconds' });

export const drillTargetSchema = z.discriminatedUnion('select', [
  z.strictObject({
    select: z.literal('node-running'),
    resource: z
      .string()
      .regex(/^(vm|ct):\d+$/, 'must be an HA resource id like vm:100')
      .meta({ description: 'The node currently running this HA resource is the target.' }),
  }),
  z.strictObject({
    select: z.literal('machine'),
    machine: kebabId.meta({ description: 'A machine of the profile, e.g. the NAS.' }),
  }),
]);

export const drillSchema = z
  .strictObject({
    target: drillTargetSchema,
    fault: z.enum(DRILL_FAULTS),
    resource: z
      .string()
      .regex(/^(vm|ct):\d+$/, 'must be an HA resource id like vm:100')
      .optional()
      .meta({
        description:
          'HA resource whose recovery is timed; defaults to the target resource, required for a machine target.',
      }),
    observeIntervalSeconds: z.number().min(0.1).max(1).default(1),
    until: z
      .strictObject({ milestone: z.enum(DRILL_MILESTONES), timeoutSeconds: seconds(3600) })
      .meta({ description: 'Observation ends when this milestone is seen, or fails after the timeout.' }),
    expected: z
      .partialRecord(z.enum(DRILL_MILESTONES), secondsRange)
      .default({})
      .meta({ description: 'Expected time from the fault to each milestone, compared in the report.' }),
  })
  .meta({ id: 'Drill' });

// ---------------------------------------------------------------- steps and lab

export const appliesToSchema = z.strictObject({
  profiles: z.array(kebabId).min(1).optional(),
  backends: z.array(z.enum(BACKENDS)).min(1).optional(),
});

export const stepSchema = z
  .strictObject({
    id: kebabId,
    title: localizedText,
    appliesTo: appliesToSchema.optional().meta({
      description: 'Only for these profiles/backends (e.g. VirtualBox install steps); all when absent.',
    }),
    instructions: localizedText.meta({ description: 'Markdown.' }),
    checks: z.array(checkSchema).min(1),
    solve: z.array(solveActionSchema).default([]),
    gui: z.array(guiActionSchema).optional().meta({
      description:
        'How the learner does the step in the Datacenter view; `nestlab lab test` proves it on a fresh simulator.',
    }),
    shell: z.array(shellCommandSchema).optional().meta({
      description: "How the learner does the step in the nodes' shells; `nestlab lab test` proves it too.",
    }),
    hints: z
      .array(localizedText)
      .default([])
      .meta({ description: 'Progressive hints, revealed one at a time.' }),
    drill: drillSchema.optional(),
  })
  .meta({ id: 'Step' });

/** Where the lab sits in a course: the library orders labs by it and offers the next one. */
const courseSchema = z
  .strictObject({
    order: z
      .number()
      .int()
      .min(1)
      .meta({ description: 'Position in the course; 1 is the lab to start with.' }),
    next: kebabId.optional().meta({ description: 'The id of the lab to take after this one.' }),
    startsFrom: z
      .strictObject({
        lab: kebabId.meta({ description: 'The lab whose end state this lab starts from.' }),
        throughStep: kebabId.meta({
          description: 'The last step that rebuilds that state: NestLab solves up to it when the lab opens.',
        }),
      })
      .optional(),
  })
  .meta({ id: 'Course' });

export const labSchema = z
  .strictObject({
    $schema: z.string().optional(),
    id: kebabId,
    version: z
      .number()
      .int()
      .min(1)
      .meta({ description: 'Bump when steps change; older saved progress is dropped.' }),
    title: localizedText,
    summary: localizedText,
    estimatedTime: localizedText.meta({ description: 'e.g. { en: "about 45 minutes" }' }),
    level: localizedText.meta({ description: 'e.g. { en: Beginner }' }),
    vars: z
      .record(placeholderName, z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .meta({
        description: 'Values templates can use as vars.<name>, e.g. the root password the lab installs.',
      }),
    course: courseSchema.optional(),
    profiles: z.array(profileSchema).min(1),
    steps: z.array(stepSchema).min(1),
  })
  .meta({ title: 'NestLab lab', description: 'A NestLab lab file (labs/<id>/lab.yaml).' });

export type LabFile = z.infer<typeof labSchema>;
export type LabCourse = z.infer<typeof courseSchema>;
export type LabProfile = z.infer<typeof profileSchema>;
export type LabMachine = z.infer<typeof machineSchema>;
export type LabStep = z.infer<typeof stepSchema>;
export type LabCheck = z.infer<typeof checkSchema>;
export type ApiQuery = z.infer<typeof apiQuerySchema>;
export type SolveAction = z.infer<typeof solveActionSchema>;
export type ApiAction = z.infer<typeof apiActionSchema>;
export type ShellAction = z.infer<typeof shellActionSchema>;
export type HypervisorAction = z.infer<typeof hypervisorActionSchema>;
export type WaitAction = z.infer<typeof waitActionSchema>;
export type TaskAction = z.infer<typeof taskActionSchema>;
export type GuiAction = z.infer<typeof guiActionSchema>;
export type ShellCommand = z.infer<typeof shellCommandSchema>;
export type LabDrill = z.infer<typeof drillSchema>;
export type DrillMilestone = (typeof DRILL_MILESTONES)[number];
export type DrillFault = (typeof DRILL_FAULTS)[number];
export type LocalizedText = z.infer<typeof localizedText>;
export type HypervisorOperation = (typeof HYPERVISOR_OPERATIONS)[number];
