/**
 * `nestlab lab test <file|dir>…`: on the simulator at full speed, each step's checks fail, its
 * solve runs, its checks pass; a table; exit 1 on any failure (a teacher's CI).
 */
import type { Command } from 'commander';

import type { DrillStateInfo } from '../../../contract/dto.ts';
import type { StepTestResult, TestVia } from '../../../lab/lab-test.ts';
import { stepApplies } from '../../../lab/script/applicability.ts';
import type { LabFile, LabProfile } from '../../../lab/script/schema.ts';
import { openCliSession } from './cli-session.ts';
import type { LabCliIo } from './io.ts';
import { loadAll } from './lab-files.ts';

export function registerTest(lab: Command, io: LabCliIo): void {
  lab
    .command('test')
    .description(
      'For every step on the simulator at full speed: checks fail, solve runs, checks pass; exit 1 on failure',
    )
    .argument('<paths...>', 'lab.yaml files, lab folders, or a folder of lab folders (e.g. labs/)')
    .option('--profile <id>', 'test only this profile (default: every profile that runs on the simulator)')
    .option('--json', 'print the results as JSON')
    .option(
      '--via <ways>',
      'solve, gui (the Datacenter view path), shell (the shell path), comma-separated; each on a fresh simulator. ' +
        'gui and shell run only for labs that declare such paths',
      'solve,gui,shell',
    )
    .action(async (paths: string[], options: { profile?: string; json?: boolean; via: string }) => {
      const { loaded, bad } = await loadAll(paths, io);
      let failures = bad;
      const ways = options.via.split(',').map((w) => w.trim());
      const unknownWay = ways.find((w) => !['solve', 'gui', 'shell'].includes(w));
      if (unknownWay !== undefined) {
        io.err(`--via: unknown way "${unknownWay}" (use solve, gui, shell)`);
        io.setExitCode(1);
        return;
      }
      const report: {
        lab: string;
        profile: string;
        via: TestVia;
        steps: StepTestResult[];
        wallMs: number;
      }[] = [];
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
        const declared = (way: string): boolean =>
          way === 'solve' || l.steps.some((s) => (way === 'gui' ? s.gui : s.shell) !== undefined);
        for (const profile of profiles)
          for (const via of ways.filter(declared) as TestVia[]) {
            const label = via === 'solve' ? '' : via === 'gui' ? ', Datacenter view path' : ', shell path';
            if (!options.json) io.out(`\n${l.id} (profile ${profile.id}${label})`);
            const started = performance.now();
            let steps: StepTestResult[];
            try {
              steps = await testOnSimulator(l, profile, via, (r, drill) => {
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
            report.push({ lab: l.id, profile: profile.id, via, steps, wallMs });
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
}

function countSimSteps(lab: LabFile, profile: LabProfile): number {
  return lab.steps.filter((s) => stepApplies(s, profile, 'sim')).length;
}

function formatStepRow(r: StepTestResult): string {
  const mark = (b: boolean): string => (b ? 'yes' : 'NO ');
  return (
    `  ${r.ok ? 'ok  ' : 'FAIL'}  ${r.step.padEnd(28)} fails-before ${mark(r.failedBefore)}  ` +
    `passes-after ${mark(r.passedAfter)}  ${(r.clockMs / 1000).toFixed(1).padStart(7)} s sim  ` +
    `${r.wallMs.toFixed(0).padStart(5)} ms wall${r.via === 'solve' ? '' : `  via ${r.via}`}${r.problem ? `\n        ${r.problem}` : ''}`
  );
}

/** A drill's result in one line: outcome and the time from the fault to each milestone. */
function drillLine(report: NonNullable<DrillStateInfo['report']>): string {
  const milestones = report.milestones.map((m) => `${m.id} ${(m.at / 1000).toFixed(0)} s`).join(', ');
  return `        drill ${report.fault} → ${report.outcome}: ${milestones}`;
}

async function testOnSimulator(
  lab: LabFile,
  profile: LabProfile,
  via: TestVia,
  onStep: (r: StepTestResult, drill?: string) => void,
): Promise<StepTestResult[]> {
  const cli = await openCliSession({ lab, profile, backend: 'sim', lang: 'en', speed: 'unbounded' });
  try {
    return await cli.session.test((r) => {
      const hasDrill = lab.steps.find((s) => s.id === r.step)?.drill !== undefined;
      const report = hasDrill ? cli.session.drillState().report : null;
      onStep(r, report ? drillLine(report) : undefined);
    }, via);
  } finally {
    await cli.close();
  }
}
