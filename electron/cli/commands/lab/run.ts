/**
 * `nestlab lab run <lab>`: one lab on a backend (the simulator, or --backend virtualbox: Proxmox
 * nodes installed in VirtualBox), opened through LabSession like the app does: shows the
 * instructions and waits for the checks, or with --solve does every step itself and prints the
 * drill timeline.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';

import { backendLabel } from '../../../backends/create-lab-environment.ts';
import type { ClockSpeed } from '../../../backends/lab-environment.ts';
import {
  BACKENDS,
  LANGUAGES,
  type BackendKind,
  type Language,
  type LabRunInfo,
} from '../../../contract/dto.ts';
import { escapeControl } from '../../../lab/script/load-error.ts';
import type { LabFile, LabProfile } from '../../../lab/script/schema.ts';
import { openCliSession, type CliSession } from './cli-session.ts';
import type { LabCliDeps, LabCliIo } from './io.ts';
import { loadAll } from './lab-files.ts';
import { parseTrustAnswers, terminalTrust } from './terminal-trust.ts';

interface RunCommandOptions {
  backend: string;
  trust: string[];
  profile?: string;
  lang: string;
  solve?: boolean;
  json?: boolean;
  shell?: string;
  speed?: string;
}

export function registerRun(lab: Command, io: LabCliIo, deps: LabCliDeps): void {
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
    .action(async (labArg: string, options: RunCommandOptions) => {
      const ok = await runCommand(labArg, options, io, deps);
      if (!ok) io.setExitCode(1);
    });
}

async function runCommand(
  labArg: string,
  options: RunCommandOptions,
  io: LabCliIo,
  deps: LabCliDeps,
): Promise<boolean> {
  const fail = (message: string): false => {
    io.err(message);
    return false;
  };
  if (!LANGUAGES.includes(options.lang as Language)) {
    return fail(`--lang: expected one of ${LANGUAGES.join(', ')}, got "${options.lang}"`);
  }
  if (!BACKENDS.includes(options.backend as BackendKind)) {
    return fail(`--backend: expected ${BACKENDS.join(' or ')}, got "${options.backend}"`);
  }
  const backend = options.backend as BackendKind;
  const answers = parseTrustAnswers(options.trust);
  if (typeof answers === 'string') return fail(answers);
  const asId = /^[a-z0-9-]+$/.test(labArg) && !(await stat(labArg).catch(() => undefined));
  const { loaded, bad } = await loadAll([asId ? join('labs', labArg) : labArg], io);
  const first = loaded[0];
  if (bad > 0 || !first) return false;
  const profile = first.lab.profiles.find(
    (p) => p.backends.includes(backend) && (options.profile === undefined || p.id === options.profile),
  );
  if (!profile) {
    return fail(
      `${first.lab.id}: no profile${options.profile ? ` "${options.profile}"` : ''} runs on ${backendLabel(backend)}`,
    );
  }
  const speedText = options.speed ?? (options.solve ? 'max' : '1');
  if (speedText !== 'max' && !(Number(speedText) > 0)) {
    return fail(`--speed: expected a positive number or 'max', got "${speedText}"`);
  }
  // A terminal's "max" is as fast as the host allows: nobody watches the clock there.
  const speed: ClockSpeed = speedText === 'max' ? 'unbounded' : Number(speedText);
  const nodes = profile.machines.filter((m) => m.kind === 'pve').map((m) => m.name);
  if (options.shell !== undefined && (options.solve || !nodes.includes(options.shell))) {
    return fail(
      options.solve
        ? '--shell and --solve do not go together: with --solve NestLab does every step'
        : `--shell: "${options.shell}" is not a Proxmox node of profile "${profile.id}" (${nodes.join(', ')})`,
    );
  }
  let cli: CliSession | undefined;
  try {
    cli = await openCliSession({
      lab: first.lab,
      profile,
      backend,
      lang: options.lang as Language,
      speed,
      trust: terminalTrust(io, answers),
      ...(deps.virtualBox ? { virtualBox: deps.virtualBox } : {}),
    });
    if (options.speed !== undefined && !cli.session.hasSpeedControl) {
      return fail(`--speed: ${backendLabel(backend)} has no clock to speed up`);
    }
    return await runLab(first.lab, profile, io, cli, {
      backendLabel: cli.session.hasSpeedControl
        ? `${backendLabel(backend)} ${clockLabel(speed)}`
        : backendLabel(backend),
      solve: !!options.solve,
      json: !!options.json,
      ...(options.shell ? { shell: options.shell } : {}),
    });
  } catch (e) {
    // A refused fingerprint or an unreachable VirtualBox: the message names what failed.
    return fail(`${first.lab.id} (profile ${profile.id}): ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await cli?.close();
  }
}

function clockLabel(speed: ClockSpeed): string {
  if (typeof speed !== 'number') return 'at full speed';
  return speed === 1 ? 'in real time' : `at ×${speed}`;
}

interface RunOptions {
  backendLabel: string;
  solve: boolean;
  json: boolean;
  shell?: string;
}

async function runLab(
  lab: LabFile,
  profile: LabProfile,
  io: LabCliIo,
  cli: CliSession,
  o: RunOptions,
): Promise<boolean> {
  const { session, hub } = cli;
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
      // Lab text to a terminal: its control characters shown, not obeyed (issue #10).
      say(
        escapeControl(`\n## ${step.title}\n\n${step.instructions.trim()}\n\n(waiting for the checks…)`, {
          keepLines: true,
        }),
      );
  };
  const onState = (listener: (state: LabRunInfo) => void): (() => void) =>
    hub.subscribe((event, payload) => {
      if (event === 'lab.state' && payload) listener(payload as LabRunInfo);
    });
  const cleanups: (() => void)[] = [onState(show)];
  try {
    const initial = session.state;
    if (!o.json) {
      io.out(`${initial.title} — profile ${profile.id}, ${o.backendLabel}`);
      if (!o.solve) {
        const { endpoints, login } = session.nodes();
        io.out(
          [
            `The nodes (${o.backendLabel}):`,
            ...endpoints.map((e) => `  ${e.name.padEnd(8)} ${e.url}  fingerprint ${e.fingerprint}`),
            `  user ${login.username}  password ${login.password}`,
          ].join('\n'),
        );
      }
    }
    if (initial.notice && !o.json) {
      io.err(
        `Saved progress could not be read; starting again at step 1. The old file was kept at ${initial.notice.file}.`,
      );
    }
    show(initial);
    let final: LabRunInfo;
    if (o.solve) {
      const last = initial.steps.at(-1);
      final = last ? await session.solveUpTo(last.id) : initial;
    } else {
      final = await new Promise<LabRunInfo>((resolveDone) => {
        const finish = (): void => resolveDone(session.state);
        cleanups.push(
          onState((s) => {
            if (s.activeStepId === null) finish();
          }),
        );
        if (terminal && o.shell !== undefined) {
          const node = o.shell;
          // The simulated shell and ssh to a real node are both a terminal's far end.
          session.openTerminal(node).then(
            (opened) => {
              if (opened.scrollback) terminal.write(opened.scrollback);
              cleanups.push(
                hub.subscribe((event, payload) => {
                  const p = payload as { id: string; data?: string };
                  if (p?.id !== opened.id) return;
                  if (event === 'terminal.data' && p.data !== undefined) terminal.write(p.data);
                  if (event === 'terminal.exit') finish();
                }),
              );
              const onData = (data: Buffer | string): void => session.terminal(opened.id).write(String(data));
              terminal.input.on('data', onData);
              cleanups.push(() => terminal.input.removeListener('data', onData));
              terminal.setRaw?.(true);
              cleanups.push(() => terminal.setRaw?.(false));
              cleanups.push(() => session.closeTerminal(opened.id));
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
    const drill = session.drillState().report;
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
            `  ${`T+${(m.at / 1000).toFixed(1)} s`.padStart(10)}  ${m.label[final.lang]}${m.node ? ` (${m.node})` : ''}`,
          );
        }
        for (const p of drill.phases) {
          const range = `expected ${p.expected.min / 1000}–${p.expected.max / 1000} s`;
          io.out(
            `  ${p.label[final.lang].padEnd(34)} ${(p.duration / 1000).toFixed(1).padStart(6)} s  ${range}${p.within ? '' : ' (outside)'}`,
          );
        }
      }
      io.out(`\n${final.progress.passed}/${final.progress.total} steps passed — ${lab.id}`);
    }
    return final.activeStepId === null && !final.error;
  } finally {
    for (const cleanup of cleanups.reverse()) cleanup();
  }
}
