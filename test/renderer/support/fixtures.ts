/** Contract-shaped snapshots for component tests. */
import type {
  AppInfo,
  FailoverReportInfo,
  LabLibrary,
  LabRunInfo,
  LocalizedString,
  SettingsInfo,
  StepInfo,
  TopologyInfo,
  TopologyNodeInfo,
} from '@contract/dto.ts';

export const appInfo: AppInfo = {
  name: 'NestLab',
  version: '0.1.0',
  backend: 'sim',
  shell: 'browser',
  platform: 'linux-x64',
  dataDir: '/tmp/nestlab',
  labsDir: '/tmp/labs',
  hostTerminal: false,
};

export const settings: SettingsInfo = {
  lang: 'en',
  theme: 'light',
  backend: 'sim',
  dataDir: '/tmp/nestlab',
  nextDataDir: null,
};

export const library: LabLibrary = {
  labs: [
    {
      id: 'proxmox-ha-basics',
      version: '1',
      title: 'Proxmox HA basics',
      summary: 'Build a cluster, add NFS, make a guest HA and time a failover.',
      level: 'beginner',
      estimatedMinutes: 45,
      languages: ['en', 'es'],
      profiles: [
        { id: 'sim', backend: 'sim', title: 'Simulator', minHostMemoryMiB: 512 },
        { id: 'vbox', backend: 'virtualbox', title: 'VirtualBox', minHostMemoryMiB: 7168 },
      ],
      stepCount: 3,
    },
  ],
  problems: [],
};

export function step(id: string, overrides: Partial<StepInfo> = {}): StepInfo {
  return {
    id,
    title: `Step ${id}`,
    status: 'locked',
    solvedBy: null,
    instructions: `Do **${id}**.`,
    checks: [],
    hintsShown: [],
    hintsTotal: 0,
    hasDrill: false,
    ...overrides,
  };
}

export function labRun(overrides: Partial<LabRunInfo> = {}): LabRunInfo {
  const steps = overrides.steps ?? [
    step('create-cluster', { title: 'Create the cluster', status: 'active', hintsTotal: 2 }),
    step('join-nodes', { title: 'Join the nodes' }),
    step('failover', { title: 'Pull the plug', hasDrill: true }),
  ];
  return {
    runId: 'run-1',
    labId: 'proxmox-ha-basics',
    title: 'Proxmox HA basics',
    profile: 'sim',
    backend: 'sim',
    lang: 'en',
    steps,
    activeStepId: steps.find((s) => s.status === 'active')?.id ?? null,
    progress: { passed: steps.filter((s) => s.status === 'passed').length, total: steps.length },
    busy: null,
    error: null,
    ...overrides,
  };
}

export function pveNode(name: string, overrides: Partial<TopologyNodeInfo> = {}): TopologyNodeInfo {
  return {
    name,
    address: `10.10.10.${name.slice(-1)}`,
    power: 'on',
    cable: true,
    online: true,
    haNodeState: 'online',
    isCrmMaster: false,
    lrmState: 'idle',
    guests: [],
    inCluster: true,
    ...overrides,
  };
}

export const healthyTopology: TopologyInfo = {
  clusterName: 'lab',
  quorum: { quorate: true, votes: 3, expected: 3, needed: 2 },
  nodes: [
    pveNode('pve1', {
      isCrmMaster: true,
      lrmState: 'active',
      guests: [{ sid: 'vm:100', vmid: 100, name: 'tiny', status: 'running', haState: 'started' }],
    }),
    pveNode('pve2'),
    pveNode('pve3'),
  ],
  nas: { name: 'nas', address: '10.10.10.20', power: 'on', exportAnswering: true },
  storages: [
    { id: 'shared', type: 'nfs', shared: true, server: '10.10.10.20', activeOn: ['pve1', 'pve2', 'pve3'] },
  ],
  clockMs: 1000,
  observedAt: '2026-01-01T00:00:00.000Z',
};

/** pve1 lost: no quorum change (2 of 3), vm:100 recovered onto pve2, the NFS export silent. */
export const afterFailover: TopologyInfo = {
  ...healthyTopology,
  quorum: { quorate: true, votes: 2, expected: 3, needed: 2 },
  nodes: [
    pveNode('pve1', { power: 'off', online: false, haNodeState: 'fence', lrmState: null }),
    pveNode('pve2', {
      isCrmMaster: true,
      lrmState: 'active',
      guests: [{ sid: 'vm:100', vmid: 100, name: 'tiny', status: 'running', haState: 'started' }],
    }),
    pveNode('pve3'),
  ],
  nas: { name: 'nas', address: '10.10.10.20', power: 'on', exportAnswering: false },
};

/** Engine texts come in every language; fixtures use one text for all. */
export function allLanguages(text: string): LocalizedString {
  return { en: text, es: text, ca: text, fr: text, pl: text };
}

export const report: FailoverReportInfo = {
  runId: 'drill-1',
  labId: 'proxmox-ha-basics',
  startedAt: '2026-01-01T10:00:00.000Z',
  target: { node: 'pve1', sid: 'vm:100' },
  fault: 'power-off',
  milestones: [
    { id: 'fault-injected', label: allLanguages('Power pulled'), at: 0, node: 'pve1' },
    { id: 'node-unknown', label: allLanguages('Node unknown'), at: 20_000 },
    { id: 'fence', label: allLanguages('Fencing'), at: 65_000 },
    { id: 'service-started', label: allLanguages('Started on pve2'), at: 185_000, node: 'pve2' },
  ],
  phases: [
    {
      id: 'detect',
      label: allLanguages('Detect the loss'),
      from: 0,
      to: 20_000,
      duration: 20_000,
      expected: { min: 5_000, max: 30_000 },
      within: true,
      explanation: allLanguages('Corosync notices the missing node.'),
    },
    {
      id: 'fence-delay',
      label: allLanguages('Fence delay'),
      from: 20_000,
      to: 65_000,
      duration: 45_000,
      expected: { min: 50_000, max: 70_000 },
      within: false,
      explanation: allLanguages('The CRM waits before fencing.'),
    },
    {
      id: 'lock',
      label: allLanguages('Lock expiry'),
      from: 65_000,
      to: 185_000,
      duration: 120_000,
      expected: { min: 110_000, max: 130_000 },
      within: true,
      explanation: allLanguages('The dead node’s watchdog lock must expire.'),
    },
  ],
  outcome: 'recovered',
  totalMs: 185_000,
};
