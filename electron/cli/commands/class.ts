/**
 * `nestlab class …`: the teacher's side of a classroom (results; prepare/status/teardown come with
 * the proxmox-server backend) and the student's `class export`, which signs one lab's results.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';

import { defaultDataDir } from '../../app/data-dir.ts';
import { resolveDataDir } from '../../app/data-location.ts';
import { LabCatalog } from '../../app/lab-catalog.ts';
import { readAppVersion, repoRoot } from '../../app/version.ts';
import { readClassFile } from '../../classroom/class-file.ts';
import { classResultsCsv, collectClassResults, type ClassResults } from '../../classroom/class-results.ts';
import { readConnectionFile } from '../../classroom/connection-file.ts';
import { exportLabResult } from '../../classroom/export-result.ts';

export interface ClassCliIo {
  out(line: string): void;
  err(line: string): void;
  setExitCode(code: number): void;
}

const processIo: ClassCliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

function seconds(ms: number | undefined): string {
  return ms === undefined ? '—' : `${(ms / 1000).toFixed(0)} s`;
}

export function formatClassResults(results: ClassResults): string[] {
  const lines = [
    ['student', 'lab', 'steps (own / Solve)', 'hints', 'drills', 'last failover', 'guess'].join('\t'),
  ];
  for (const row of results.rows) {
    lines.push(
      [
        `${row.studentId} (${row.studentName})`,
        row.lab,
        `${row.stepsByLearner + row.stepsBySolve}/${row.stepsTotal} (${row.stepsByLearner} / ${row.stepsBySolve})`,
        String(row.hintsUsed),
        String(row.drillRuns),
        seconds(row.lastFailoverMs),
        seconds(row.lastGuessMs),
      ].join('\t'),
    );
  }
  for (const refused of results.refused) lines.push(`REFUSED ${refused.file}: ${refused.reason}`);
  if (results.missing.length > 0) lines.push(`No verified results yet from: ${results.missing.join(', ')}`);
  return lines;
}

export function registerClass(program: Command, io: ClassCliIo = processIo): void {
  const group = program
    .command('class')
    .description("A classroom on the school's Proxmox VE server: students' results");

  group
    .command('results')
    .argument('<dir>', 'folder with the result files the students handed in')
    .requiredOption(
      '--class <file>',
      "the class file `class prepare` wrote (holds the students' public keys)",
    )
    .option('--csv <file>', 'also write a gradebook CSV')
    .option('--json', 'print the results as JSON')
    .description('Verify every result file against the class and show the class as a table')
    .action(async (dir: string, options: { class: string; csv?: string; json?: boolean }) => {
      const classFile = await readClassFile(options.class);
      const results = await collectClassResults(dir, classFile);
      if (options.json) io.out(JSON.stringify(results, null, 2));
      else for (const line of formatClassResults(results)) io.out(line);
      if (options.csv) {
        await writeFile(options.csv, classResultsCsv(results));
        io.err(`Gradebook written to ${options.csv}`);
      }
      // Refused files are the teacher's business: say so in the exit code too.
      io.setExitCode(results.refused.length > 0 ? 1 : 0);
    });

  group
    .command('export')
    .argument('<lab>', 'the lab id, e.g. proxmox-ha-basics')
    .requiredOption('--connection <file>', 'the connection file your teacher gave you')
    .option('--profile <id>', "the lab's profile you ran (default: the lab's first)")
    .option('--out <file>', 'where to write the signed result (default: <student>-<lab>.json here)')
    .description("Sign this lab's results (steps, hints, drill runs) for the teacher")
    .action(async (labId: string, options: { connection: string; profile?: string; out?: string }) => {
      const connection = await readConnectionFile(options.connection);
      const lab = await new LabCatalog(join(repoRoot(), 'labs')).get(labId);
      if (!lab) throw new Error(`No lab "${labId}".`);
      const profile = options.profile ? lab.profiles.find((p) => p.id === options.profile) : lab.profiles[0];
      if (!profile) throw new Error(`Lab "${labId}" has no profile "${options.profile ?? ''}".`);
      const bundle = await exportLabResult({
        dataDir: await resolveDataDir(defaultDataDir()),
        connection,
        lab: { id: lab.id, version: lab.version, profile: profile.id, steps: lab.steps.map((s) => s.id) },
        nestlabVersion: readAppVersion(),
      });
      const out = options.out ?? `${connection.student.id}-${lab.id}.json`;
      await writeFile(out, `${JSON.stringify(bundle, null, 2)}\n`);
      io.out(
        `Signed results for ${lab.id} written to ${out}: ${bundle.payload.steps.length} of ${lab.steps.length} steps, ${bundle.payload.drills.length} drill runs.`,
      );
    });
}
