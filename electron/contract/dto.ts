/**
 * Serialisable data crossing the contract: plain objects, ISO strings for dates, no classes.
 * Shared by the engine, both transports and the renderer.
 */

export const LANGUAGES = ['en', 'es', 'ca', 'fr', 'pl'] as const;
export type Language = (typeof LANGUAGES)[number];

/** A text in every interface language: the renderer shows the current one (no stale language after a switch). */
export type LocalizedString = Record<Language, string>;

export const BACKENDS = ['sim', 'virtualbox'] as const;
export type BackendKind = (typeof BACKENDS)[number];

export type Theme = 'light' | 'dark' | 'system';

export interface AppInfo {
  name: string;
  version: string;
  backend: BackendKind;
  /** Where the app runs: desktop (Electron) or browser (browser host). */
  shell: 'electron' | 'browser';
  platform: string;
  dataDir: string;
  labsDir: string;
  /** A terminal on this computer may be opened (desktop; browser host only with --host-terminal). */
  hostTerminal: boolean;
  /** Damaged or unusable data found at start, each said once (settings, trust file, data folder). */
  notices?: DataNotice[];
}

/**
 * A data file NestLab could not use and kept aside (or a folder it could not use): the UI says
 * what happened and where the old file is, in the learner's language.
 */
export interface DataNotice {
  kind: 'progress-damaged' | 'settings-damaged' | 'trust-damaged' | 'trust-unreadable' | 'data-dir-unusable';
  /** Where the old file was kept (or the folder that could not be used). */
  file: string;
}

export interface ProfileSummary {
  id: string;
  backend: BackendKind;
  title: string;
  /** Minimum host RAM in MiB this profile needs. */
  minHostMemoryMiB: number;
}

export interface LabSummary {
  id: string;
  version: string;
  title: string;
  summary: string;
  level: string;
  estimatedMinutes: number;
  languages: Language[];
  profiles: ProfileSummary[];
  stepCount: number;
  /** Place in the course (the library is ordered by it); absent for labs outside the course. */
  course?: { order: number; next?: string; startsFrom?: string };
}

/** A lab file that failed to load: shown in the library so the teacher sees why. */
export interface LabLoadProblem {
  file: string;
  errors: string[];
}

export interface LabLibrary {
  labs: LabSummary[];
  problems: LabLoadProblem[];
}

export type StepStatus = 'locked' | 'active' | 'checking' | 'passed' | 'failed';

export interface CheckResultInfo {
  id: string;
  ok: boolean;
  /** What the check observed, in the learner's language ("2 of 3 nodes online; expected 3"). */
  message: string;
  error?: string;
  /** The node the check could not reach, and why when NestLab knows (shown instead of the raw error). */
  unreachable?: { node: string; reason: NodeDownReason | null };
}

/** Why a node does not answer: its watchdog reset it (self-fence), it is booting, or it is off. */
export type NodeDownReason = 'watchdog' | 'booting' | 'off';

export interface StepInfo {
  id: string;
  title: string;
  status: StepStatus;
  /** Passed because NestLab solved it, not the learner. */
  solvedBy: 'learner' | 'nestlab' | null;
  /** Markdown, not yet rendered (the renderer sanitises it). */
  instructions: string;
  checks: CheckResultInfo[];
  hintsShown: string[];
  hintsTotal: number;
  hasDrill: boolean;
  /** Rebuilds where an earlier lab ended: solved by NestLab when the lab opens. */
  startingPoint?: boolean;
}

export interface LabRunInfo {
  runId: string;
  labId: string;
  title: string;
  profile: string;
  backend: BackendKind;
  lang: Language;
  steps: StepInfo[];
  activeStepId: string | null;
  progress: { passed: number; total: number };
  busy: string | null;
  error: string | null;
  /** Saved progress that was damaged and kept aside: the run started over at step 1. */
  notice?: DataNotice | null;
  /** True when the lab's backend can build its machines (`lab.build`); absent when there is nothing to build. */
  canBuild?: boolean;
}

/** What `lab.build` did: machines installed now, and those already installed before (the build resumes). */
export interface LabBuildInfo {
  installed: string[];
  skipped: string[];
}

export type NodePower = 'on' | 'off' | 'starting' | 'stopping' | 'unknown';

export interface GuestChipInfo {
  sid: string;
  vmid: number;
  name: string;
  status: string;
  haState: string | null;
}

export interface TopologyNodeInfo {
  name: string;
  address: string;
  power: NodePower;
  cable: boolean;
  /** Corosync/API view: online | offline | unknown. */
  online: boolean;
  /** CRM view of the node: online | unknown | fence | maintenance | gone, null when not in HA. */
  haNodeState: string | null;
  isCrmMaster: boolean;
  lrmState: string | null;
  guests: GuestChipInfo[];
  /** Node is a cluster member. */
  inCluster: boolean;
  /** Set while the node does not answer its API, with the reason when known. */
  down?: NodeDownReason;
}

export interface TopologyStorageInfo {
  id: string;
  type: string;
  shared: boolean;
  server?: string;
  /** Nodes on which the storage is active. */
  activeOn: string[];
}

export interface TopologyInfo {
  clusterName: string | null;
  quorum: {
    quorate: boolean;
    votes: number;
    /** Expected votes in force now: the configured count, or lower after `pvecm expected N`. */
    expected: number;
    needed: number;
    /** The configured expected votes when they were lowered at runtime (`pvecm expected`). */
    expectedLoweredFrom?: number;
  } | null;
  nodes: TopologyNodeInfo[];
  nas: { name: string; address: string; power: NodePower; exportAnswering: boolean } | null;
  storages: TopologyStorageInfo[];
  /** No node answered: cluster name and members are the last ones seen. */
  stale?: boolean;
  /** Cluster clock (simulator) in ms since the lab started. */
  clockMs: number;
  observedAt: string;
}

export type MachineAction = 'power-off' | 'power-on' | 'acpi-shutdown' | 'reboot' | 'cable-out' | 'cable-in';

export type SimSpeed = 1 | 10 | 'max';

export interface SimClockInfo {
  ms: number;
  speed: SimSpeed;
}

export interface TerminalInfo {
  id: string;
  /** The lab node, or `@host` for the terminal on this computer. */
  node: string;
  /** Scroll-back replayed after a reload. */
  scrollback: string;
}

export interface DrillMilestoneInfo {
  id: string;
  label: LocalizedString;
  /** ms since the fault was injected. */
  at: number;
  node?: string;
}

export interface DrillPhaseInfo {
  id: string;
  label: LocalizedString;
  from: number;
  to: number;
  duration: number;
  expected: { min: number; max: number };
  within: boolean;
  explanation: LocalizedString;
}

export interface FailoverReportInfo {
  runId: string;
  labId: string;
  startedAt: string;
  target: { node: string; sid: string };
  fault: string;
  milestones: DrillMilestoneInfo[];
  phases: DrillPhaseInfo[];
  /**
   * recovered: the guest runs again elsewhere; observed: the drill ran to its end and nothing was
   * recovered (e.g. a strict rule with no node left); no-quorum: the survivors had no quorum;
   * no-failover: the service stayed put (reboot/freeze); not-recovered: it should have been and was not.
   */
  outcome: 'recovered' | 'observed' | 'not-recovered' | 'no-quorum' | 'no-failover' | 'aborted';
  totalMs: number | null;
  /** The learner's guess of the total, written before the drill. */
  guessMs?: number;
  /** A classmate's run imported from this file. */
  importedFrom?: string;
}

export interface DrillStateInfo {
  running: boolean;
  /** The latest milestone's name while running. */
  phase: LocalizedString | null;
  elapsedMs: number;
  milestones: DrillMilestoneInfo[];
  report: FailoverReportInfo | null;
}

export interface DrillHistoryEntry {
  runId: string;
  startedAt: string;
  target: string;
  fault: string;
  totalMs: number | null;
  outcome: FailoverReportInfo['outcome'];
  guessMs?: number;
  importedFrom?: string;
}

export type FindingSeverity = 'ok' | 'info' | 'warning' | 'error';

export interface HostFindingInfo {
  id: string;
  severity: FindingSeverity;
  title: string;
  detail: string;
  fix: string | null;
  /** The same texts in every language, where NestLab has them (the UI then follows a language switch). */
  localized?: { title: LocalizedString; detail: LocalizedString; fix: LocalizedString | null };
}

export interface HostCheckInfo {
  backend: BackendKind;
  ok: boolean;
  findings: HostFindingInfo[];
}

export interface SettingsInfo {
  lang: Language;
  theme: Theme;
  backend: BackendKind;
  /** The data folder in use (progress, drill history, trusted fingerprints). */
  dataDir: string;
  /** A folder chosen in Settings that is used from the next start; null when none differs. */
  nextDataDir: string | null;
}

export interface TaskInfo {
  id: string;
  title: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  message: string | null;
  fraction: number | null;
}

/** A fingerprint the learner must confirm before NestLab talks to a real node (trust on first use). */
export interface TrustRequestInfo {
  id: string;
  lab: string;
  node: string;
  /** tls: the node's Proxmox API certificate; ssh: its SSH host key. */
  kind: 'tls' | 'ssh';
  fingerprint: string;
  /** The fingerprint trusted before, when it changed; null the first time. */
  previous: string | null;
}
