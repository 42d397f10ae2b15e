/**
 * `nestlab lab …`: teachers' and headless commands for lab files.
 *   validate <file|dir>…  positioned errors, exit 1 when any file is wrong
 *   test <file|dir>…      on the simulator at full speed: each step's checks fail, its solve runs,
 *                         its checks pass; a table; exit 1 on any failure (a teacher's CI)
 *   run <lab>             one lab on the simulator (or, --backend virtualbox, on Proxmox nodes installed
 *                         in VirtualBox): shows the instructions and waits for the checks, or with
 *                         --solve does every step itself and prints the drill timeline
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';

import type { TrustCallback, TrustKind, VirtualBoxReach } from '../../backends/lab-environment.ts';

import type { Clock } from '../../clock/clock.ts';
import { LANGUAGES, type Language, type LabRunInfo } from '../../contract/dto.ts';
import type { HypervisorDriver } from '../../hypervisor/driver.ts';
import type { DrillService } from '../../lab/drill/drill-service.ts';
import type { StepTestResult } from '../../lab/lab-test.ts';
import { stepApplies } from '../../lab/script/applicability.ts';
import { formatLoadError } from '../../lab/script/load-error.ts';
import { loadLabFile, type LoadResult } from '../../lab/script/load.ts';
import type { LabFile, LabProfile } from '../../lab/script/schema.ts';
import type { ShellRunner } from '../../lab/shell-runner.ts';
import type { PveApi } from '../../pve/api.ts';
import { normalizeFingerprint } from '../../pve/tls-pinning.ts';
import type { PtyLike } from '../../terminal/pty.ts';

/** A terminal for `lab run --shell`: keystrokes in, shell output out. */
export interface LabCliTerminal {
  input: NodeJS.ReadableStream;
  write(text: string): void;
  /** Put the input in raw mode (a TTY), so Ctrl-C and arrows reach the simulated shell. */
  setRaw?(raw: boolean): void;
}

/** Where a command writes; tests pass their own. */
export interface LabCliIo {
  out(line: string): void;
  err(line: string): void;
  setExitCode(code: number): void;
  terminal?: LabCliTerminal;
  /** Asks one question and returns the typed answer; absent without a TTY (nothing can be asked). */
  ask?(question: string): Promise<string>;
}

export interface LabCliDeps {
  /** Where `lab run --backend virtualbox` finds VirtualBox and the nodes; tests put fakes here. */
  virtualBox?: VirtualBoxReach;
}

const processIo: LabCliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  setExitCode: (code) => {
    process.exitCode = code;
  },
  terminal: {
    input: process.stdin,
    write: (text) => process.stdout.write(text),
    setRaw: (raw) => {
      if (process.stdin.isTTY) process.stdin.setRawMode(raw);
    },
  },
  ...(process.stdin.isTTY
    ? {
        ask: (question: string) =>
          new Promise<string>((resolveAnswer) => {
            const rl = createInterface({ input: process.stdin, output: process.stdout });
            rl.question(question, (answer) => {
              rl.close();
              resolveAnswer(answer);
            });
          }),
      }
    : {}),
};

/** `--trust pve1=AB:CD:…` (a certificate) or `--trust pve1=SHA256:…` (an ssh host key). */
export function parseTrustAnswers(values: string[]): Map<string, string[]> | string {
  const answers = new Map<string, string[]>();
  for (const value of values) {
    const at = value.indexOf('=');
    const node = value.slice(0, at).trim();
    const fingerprint = value.slice(at + 1).trim();
    if (at <= 0 || fingerprint === '') return `--trust: expected <node>=<fingerprint>, got "${value}"`;
    answers.set(node, [...(answers.get(node) ?? []), fingerprint]);
  }
  return answers;
}

const isSshFingerprint = (fingerprint: string): boolean => fingerprint.startsWith('SHA256:');

/**
 * Trust on first use from a terminal: `--trust` answers in advance; otherwise the fingerprint is
 * shown and the user asked; with nothing to ask (no TTY) the node is refused.
 */
export function terminalTrust(io: LabCliIo, answers: Map<string, string[]>): TrustCallback {
  return async (node: string, fingerprint: string, kind: TrustKind) => {
    const ssh = kind === 'ssh-host-key';
    const what = ssh ? 'ssh host key' : 'TLS certificate';
    const given = (answers.get(node) ?? []).filter((f) => isSshFingerprint(f) === ssh);
    if (given.length > 0) {
      const same = (f: string): boolean =>
        ssh ? f === fingerprint : normalizeFingerprint(f) === normalizeFingerprint(fingerprint);
      if (given.some(same)) return true;
      io.err(`${node}: its ${what} has fingerprint ${fingerprint}, not the one given with --trust`);
      return false;
    }
    if (!io.ask) {
      io.err(
        `${node}: its ${what} (fingerprint ${fingerprint}) cannot be confirmed without a terminal; ` +
          `if it is right, pass --trust ${node}=${fingerprint}`,
      );
      return false;
    }
    io.out(`${node} presents this ${what}:\n  ${fingerprint}`);
    const answer = await io.ask(ssh ? 'Trust this host key? [y/N] ' : 'Trust this certificate? [y/N] ');
    return /^y(es)?$/i.test(answer.trim());
  };
}

/** Lab files named by a path: a lab.yaml (or any .yaml), a lab folder, or a folder of lab folders. */
export async function collectLabFiles(path: string): Promise<string[]> {
  const full = resolve(path);
  const info = await stat(full).catch(() => undefined);
  if (!info) return [full]; // the loader reports it as unreadable, with its name
  if (info.isFile()) return [full];
  const own = join(full, 'lab.yaml');
  if (await stat(own).catch(() => undefined)) return [own];
  const { readdir } = await import('node:fs/promises');
  const entries = await readdir(full, { withFileTypes: true });
  const files: string[] = [];
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const candidate = join(full, e.name, 'lab.yaml');
    if (await stat(candidate).catch(() => undefined)) files.push(candidate);
  }
  return files;
}

async function loadAll(
  paths: string[],
  io: LabCliIo,
): Promise<{ loaded: { file: string; lab: LabFile }[]; bad: number }> {
  const loaded: { file: string; lab: LabFile }[] = [];
  let bad = 0;
  for (const path of paths) {
    const files = await collectLabFiles(path);
    if (files.length === 0) {
      io.err(`${resolve(path)}: no lab.yaml here or in its sub-folders`);
      bad++;
    }
    for (const file of files) {
      const result: LoadResult = await loadLabFile(file);
      if (result.ok) loaded.push({ file, lab: result.lab });
      else {
        bad++;
        for (const e of result.errors) io.err(formatLoadError(e));
      }
    }
  }
  return { loaded, bad };
}

export function registerLab(program: Command, io: LabCliIo = processIo, deps: LabCliDeps = {}): void {
  const lab = program
    .command('lab')
    .description('Lab files: validate them, test them on the simulator, run one');

  lab
    .command('validate')
    .description('Check lab files against the lab format; prints file:line:column errors, exit 1 if any')
    .argument('<paths...>', 'lab.yaml files, lab folders, or a folder of lab folders (e.g. labs/)')
    .action(async (paths: string[]) => {
      const { loaded, bad } = await loadAll(paths, io);
      for (const { file, lab: l } of loaded)
        io.out(`ok  ${file}  (${l.id} v${l.version}, ${l.steps.length} steps)`);
      if (bad > 0) {
        io.err(`${bad} lab file(s) with errors`);
        io.setExitCode(1);
      }
    });

  lab
    .command('test')
    .description(
      'For every step on the simulator at full speed: checks fail, solve runs, checks pass; exit 1 on failure',
    )
    .argument('<paths...>', 'lab.yaml files, lab folders, or a folder of lab folders (e.g. labs/)')
    .option('--profile <id>', 'test only this profile (default: every profile that runs on the simulator)')
    .option('--json', 'print the results as JSON')
    .action(async (paths: string[], options: { profile?: string; json?: boolean }) => {
      const { loaded, bad } = await loadAll(paths, io);
      let failures = bad;
      const report: { lab: string; profile: string; steps: StepTestResult[]; wallMs: number }[] = [];
      for (const { lab: l } of loaded) {
        const profiles = l.profiles.filter(
          (p) => p.backends.includes('sim') && (options.profile === undefined || p.id === options.profile),
        );
        if (profiles.length === 0) {
          io.err(
            `${l.id}: no profile runs on the simulator${options.profile ? ` with id "${options.profile}"` : ''}`,
          );
          failures++;
          continue;
        }
        for (const profile of profiles) {
          if (!options.json) io.out(`\n${l.id} (profile ${profile.id})`);
          const started = performance.now();
          let steps: StepTestResult[];
          try {
            steps = await testOnSimulator(l, profile, (r, drill) => {
              if (options.json) return;
              io.out(formatStepRow(r));
              if (drill) io.out(drill);
            });
          } catch (e) {
            io.err(`${l.id} (profile ${profile.id}): ${e instanceof Error ? e.message : String(e)}`);
            failures++;
            continue;
          }
          const wallMs = performance.now() - started;
          const applicable = countSimSteps(l, profile);
          const failed = steps.filter((s) => !s.ok).length + (applicable - steps.length);
          failures += failed;
          report.push({ lab: l.id, profile: profile.id, steps, wallMs });
          if (!options.json) {
            io.out(
              `${failed === 0 ? 'PASS' : 'FAIL'}  ${steps.filter((s) => s.ok).length}/${applicable} steps  ` +
                `(${(wallMs / 1000).toFixed(2)} s wall)`,
            );
          }
        }
      }
      if (options.json) io.out(JSON.stringify(report, null, 2));
      if (failures > 0) io.setExitCode(1);
    });

  lab
    .command('run')
    .description('Run one lab: show the instructions and wait for the checks, or --solve it')
    .argument('<lab>', 'a lab id (in ./labs), a lab folder or a lab.yaml')
    .option(
      '--backend <backend>',
      'sim (the simulator) or virtualbox (Proxmox nodes installed in VirtualBox)',
      'sim',
    )
    .option('--profile <id>', 'profile to run (default: the first that runs on the backend)')
    .option('--lang <lang>', `language: ${LANGUAGES.join(', ')}`, 'en')
    .option('--solve', 'solve every step (full speed) and print the drill timeline')
    .option('--shell <node>', "attach this node's shell to the terminal (Ctrl-D ends the run)")
    .option('--speed <x>', "simulator clock: a factor of real time or 'max' (default 1, or max with --solve)")
    .option('--json', 'print the final state (and drill report) as JSON')
    .option(
      '--trust <node=fingerprint>',
      "VirtualBox: confirm a node's certificate (AB:CD:…) or ssh host key (SHA256:…) in advance; repeatable",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .action(
      async (
        labArg: string,
        options: {
          backend: string;
          trust: string[];
          profile?: string;
          lang: string;
          solve?: boolean;
          json?: boolean;
          shell?: string;
          speed?: string;
        },
      ) => {
        if (!LANGUAGES.includes(options.lang as Language)) {
          io.err(`--lang: expected one of ${LANGUAGES.join(', ')}, got "${options.lang}"`);
          io.setExitCode(1);
          return;
        }
        if (options.backend !== 'sim' && options.backend !== 'virtualbox') {
          io.err(`--backend: expected sim or virtualbox, got "${options.backend}"`);
          io.setExitCode(1);
          return;
        }
        const backend = options.backend;
        const answers = parseTrustAnswers(options.trust);
        if (typeof answers === 'string') {
          io.err(answers);
          io.setExitCode(1);
          return;
        }
        if (backend === 'virtualbox' && options.speed !== undefined) {
          io.err('--speed: only the simulator has a clock to speed up');
          io.setExitCode(1);
          return;
        }
        const asId = /^[a-z0-9-]+$/.test(labArg) && !(await stat(labArg).catch(() => undefined));
        const { loaded, bad } = await loadAll([asId ? join('labs', labArg) : labArg], io);
        const first = loaded[0];
        if (bad > 0 || !first) {
          io.setExitCode(1);
          return;
        }
        const profile = first.lab.profiles.find(
          (p) => p.backends.includes(backend) && (options.profile === undefined || p.id === options.profile),
        );
        if (!profile) {
          const where = backend === 'sim' ? 'the simulator' : 'VirtualBox';
          io.err(
            `${first.lab.id}: no profile${options.profile ? ` "${options.profile}"` : ''} runs on ${where}`,
          );
          io.setExitCode(1);
          return;
        }
        const speed = options.speed ?? (options.solve ? 'max' : '1');
        if (speed !== 'max' && !(Number(speed) > 0)) {
          io.err(`--speed: expected a positive number or 'max', got "${speed}"`);
          io.setExitCode(1);
          return;
        }
        const nodes = profile.machines.filter((m) => m.kind === 'pve').map((m) => m.name);
        if (options.shell !== undefined && (options.solve || !nodes.includes(options.shell))) {
          io.err(
            options.solve
              ? '--shell and --solve do not go together: with --solve NestLab does every step'
              : `--shell: "${options.shell}" is not a Proxmox node of profile "${profile.id}" (${nodes.join(', ')})`,
          );
          io.setExitCode(1);
          return;
        }
        const start =
          backend === 'sim'
            ? () => startSimulatorFor(first.lab, profile, speed === 'max' ? 'max' : Number(speed))
            : () => startVirtualBoxFor(first.lab, profile, terminalTrust(io, answers), deps.virtualBox ?? {});
        let ok: boolean;
        try {
          ok = await runLab(first.lab, profile, io, start, {
            lang: options.lang as Language,
            solve: !!options.solve,
            json: !!options.json,
            ...(options.shell ? { shell: options.shell } : {}),
          });
        } catch (e) {
          // A refused fingerprint or an unreachable VirtualBox: the message names what failed.
          io.err(`${first.lab.id} (profile ${profile.id}): ${e instanceof Error ? e.message : String(e)}`);
          ok = false;
        }
        if (!ok) io.setExitCode(1);
      },
    );
}

function countSimSteps(lab: LabFile, profile: LabProfile): number {
  return lab.steps.filter((s) => stepApplies(s, profile, 'sim')).length;
}

function formatStepRow(r: StepTestResult): string {
  const mark = (b: boolean): string => (b ? 'yes' : 'NO ');
  return (
    `  ${r.ok ? 'ok  ' : 'FAIL'}  ${r.step.padEnd(28)} fails-before ${mark(r.failedBefore)}  ` +
    `passes-after ${mark(r.passedAfter)}  ${(r.clockMs / 1000).toFixed(1).padStart(7)} s sim  ` +
    `${r.wallMs.toFixed(0).padStart(5)} ms wall${r.problem ? `\n        ${r.problem}` : ''}`
  );
}

// ---------------------------------------------------------------- the simulator, configured from a profile

interface SimSession {
  lab: LabFile;
  pve: PveApi;
  hypervisor: HypervisorDriver;
  shell: ShellRunner;
  clock: Clock;
  drills: DrillService;
  /** What the run uses: the simulator at a speed, or real nodes in real time. */
  backendLabel: string;
  /** A terminal on the node: the simulated shell, or ssh to a real node. */
  openTerminal(node: string): Promise<PtyLike>;
  describe(): string[];
  close(): Promise<void>;
}

async function startSimulatorFor(
  lab: LabFile,
  profile: LabProfile,
  speed: number | 'max',
): Promise<SimSession> {
  const [{ createLabEnvironment }, { DrillService }, { DrillHistory }] = await Promise.all([
    import('../../backends/create-lab-environment.ts'),
    import('../../lab/drill/drill-service.ts'),
    import('../../lab/drill/history.ts'),
  ]);
  // The same simulated datacenter the desktop app builds for this profile.
  const env = await createLabEnvironment({
    lab,
    profile,
    backend: 'sim',
    speed: speed === 'max' ? 'unbounded' : speed,
  });
  const historyDir = await mkdtemp(join(tmpdir(), 'nestlab-lab-'));
  const drills = new DrillService({
    pve: env.pve,
    hypervisor: env.driver,
    clock: env.clock,
    history: new DrillHistory(historyDir),
    language: () => 'en',
  });
  const clockLabel = speed === 'max' ? 'at full speed' : speed === 1 ? 'in real time' : `at ×${speed}`;
  return {
    lab,
    pve: env.pve,
    hypervisor: env.driver,
    clock: env.clock,
    drills,
    shell: env.shell,
    backendLabel: `simulator ${clockLabel}`,
    openTerminal: (node) => env.ptys.open(node, { cols: 80, rows: 24 }),
    describe: () => [
      ...env.nodeEndpoints().map((e) => `  ${e.name.padEnd(8)} ${e.url}  fingerprint ${e.fingerprint}`),
      `  user ${env.login.username}  password ${env.login.password}`,
    ],
    async close() {
      await env.close();
      await rm(historyDir, { recursive: true, force: true });
    },
  };
}

/** Installed Proxmox nodes in VirtualBox, every certificate and host key confirmed through `trust`. */
async function startVirtualBoxFor(
  lab: LabFile,
  profile: LabProfile,
  trust: TrustCallback,
  reach: VirtualBoxReach,
): Promise<SimSession> {
  const [{ createLabEnvironment }, { DrillService }, { DrillHistory }] = await Promise.all([
    import('../../backends/create-lab-environment.ts'),
    import('../../lab/drill/drill-service.ts'),
    import('../../lab/drill/history.ts'),
  ]);
  const env = await createLabEnvironment({ lab, profile, backend: 'virtualbox', trust, virtualBox: reach });
  const historyDir = await mkdtemp(join(tmpdir(), 'nestlab-lab-'));
  const drills = new DrillService({
    pve: env.pve,
    hypervisor: env.driver,
    clock: env.clock,
    history: new DrillHistory(historyDir),
    language: () => 'en',
  });
  return {
    lab,
    pve: env.pve,
    hypervisor: env.driver,
    clock: env.clock,
    drills,
    shell: env.shell,
    backendLabel: 'VirtualBox',
    openTerminal: (node) => env.ptys.open(node, { cols: 80, rows: 24 }),
    describe: () => [
      ...env.nodeEndpoints().map((e) => `  ${e.name.padEnd(8)} ${e.url}  fingerprint ${e.fingerprint}`),
      `  user ${env.login.username}  password ${env.login.password}`,
    ],
    async close() {
      await env.close();
      await rm(historyDir, { recursive: true, force: true });
    },
  };
}

/** A drill's result in one line: outcome and the time from the fault to each milestone. */
function drillLine(report: NonNullable<ReturnType<DrillService['getState']>['report']>): string {
  const milestones = report.milestones.map((m) => `${m.id} ${(m.at / 1000).toFixed(0)} s`).join(', ');
  return `        drill ${report.fault} → ${report.outcome}: ${milestones}`;
}

async function testOnSimulator(
  lab: LabFile,
  profile: LabProfile,
  onStep: (r: StepTestResult, drill?: string) => void,
): Promise<StepTestResult[]> {
  const { testLab } = await import('../../lab/lab-test.ts');
  const sim = await startSimulatorFor(lab, profile, 'max');
  try {
    return await testLab({
      ...sim,
      profile: profile.id,
      onStep: (r) => {
        const hasDrill = lab.steps.find((s) => s.id === r.step)?.drill !== undefined;
        const report = hasDrill ? sim.drills.getState().report : null;
        onStep(r, report ? drillLine(report) : undefined);
      },
    });
  } finally {
    await sim.close();
  }
}

interface RunOptions {
  lang: Language;
  solve: boolean;
  json: boolean;
  shell?: string;
}

async function runLab(
  lab: LabFile,
  profile: LabProfile,
  io: LabCliIo,
  start: () => Promise<SimSession>,
  o: RunOptions,
): Promise<boolean> {
  const [{ LabRunner }, { MemoryProgressStore }] = await Promise.all([
    import('../../lab/runner.ts'),
    import('../../lab/memory-progress-store.ts'),
  ]);
  const sim = await start();
  const runner = new LabRunner({
    ...sim,
    profile: profile.id,
    store: new MemoryProgressStore(),
    lang: o.lang,
  });
  const terminal = o.shell !== undefined ? io.terminal : undefined;
  if (o.shell !== undefined && !terminal) throw new Error('--shell needs a terminal');
  // With a shell attached the terminal may be raw: lines need CR LF, and go between prompts.
  const say = (text: string): void => {
    if (terminal) terminal.write(`\r\n${text.replace(/\n/g, '\r\n')}\r\n`);
    else io.out(text);
  };
  let shownStep: string | null = null;
  const show = (state: LabRunInfo): void => {
    if (o.json || state.activeStepId === shownStep) return;
    if (shownStep) {
      const passed = state.steps.find((s) => s.id === shownStep);
      if (passed?.status === 'passed') {
        say(`✓ ${passed.title}${passed.solvedBy === 'nestlab' ? ' (solved by NestLab)' : ''}`);
      }
    }
    shownStep = state.activeStepId;
    const step = state.steps.find((s) => s.id === state.activeStepId);
    if (step && !o.solve)
      say(`\n## ${step.title}\n\n${step.instructions.trim()}\n\n(waiting for the checks…)`);
  };
  const unsubscribe = runner.onState(show);
  const cleanups: (() => void)[] = [unsubscribe];
  try {
    if (!o.json) {
      io.out(`${runner.getState().title} — profile ${profile.id}, ${sim.backendLabel}`);
      if (!o.solve)
        io.out([`The nodes (${sim.backendLabel}):`, ...sim.describe()].join('\n'));
    }
    const initial = await runner.start();
    show(initial);
    let final: LabRunInfo;
    if (o.solve) {
      const last = initial.steps.at(-1);
      final = last ? await runner.solveUpTo(last.id) : initial;
    } else {
      final = await new Promise<LabRunInfo>((resolveDone) => {
        const finish = (): void => resolveDone(runner.getState());
        cleanups.push(
          runner.onState((s) => {
            if (s.activeStepId === null) finish();
          }),
        );
        if (terminal && o.shell !== undefined) {
          const node = o.shell;
          // The simulated shell and ssh to a real node are both a terminal's far end (PtyLike).
          sim.openTerminal(node).then(
            (pty) => {
              cleanups.push(pty.onData((data) => terminal.write(data)));
              cleanups.push(pty.onExit(finish));
              const onData = (data: Buffer | string): void => pty.write(String(data));
              terminal.input.on('data', onData);
              cleanups.push(() => terminal.input.removeListener('data', onData));
              terminal.setRaw?.(true);
              cleanups.push(() => terminal.setRaw?.(false));
              cleanups.push(() => pty.kill());
            },
            (e: unknown) => {
              io.err(`--shell ${node}: ${e instanceof Error ? e.message : String(e)}`);
              finish();
            },
          );
        } else {
          process.once('SIGINT', finish);
          cleanups.push(() => process.removeListener('SIGINT', finish));
        }
      });
    }
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
    await runner.stop();
    const drill = sim.drills.getState().report;
    if (o.json) {
      io.out(JSON.stringify({ state: final, drill }, null, 2));
    } else {
      if (final.error) io.err(final.error);
      if (drill) {
        io.out(
          `\nDrill: ${drill.fault} on ${drill.target.node} (${drill.target.sid}), outcome ${drill.outcome}`,
        );
        for (const m of drill.milestones) {
          io.out(
            `  ${`T+${(m.at / 1000).toFixed(1)} s`.padStart(10)}  ${m.label[o.lang]}${m.node ? ` (${m.node})` : ''}`,
          );
        }
        for (const p of drill.phases) {
          const range = `expected ${p.expected.min / 1000}–${p.expected.max / 1000} s`;
          io.out(
            `  ${p.label[o.lang].padEnd(34)} ${(p.duration / 1000).toFixed(1).padStart(6)} s  ${range}${p.within ? '' : ' (outside)'}`,
          );
        }
      }
      io.out(`\n${final.progress.passed}/${final.progress.total} steps passed — ${lab.id}`);
    }
    return final.activeStepId === null && !final.error;
  } finally {
    for (const cleanup of cleanups.reverse()) cleanup();
    await runner.stop();
    await sim.close();
  }
}
