import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';

import type { ClassFile } from '../../../electron/classroom/class-file.ts';
import { classResultsCsv, collectClassResults } from '../../../electron/classroom/class-results.ts';
import type { ConnectionFile } from '../../../electron/classroom/connection-file.ts';
import { buildResultBundle } from '../../../electron/classroom/result-bundle.ts';
import { generateStudentKey } from '../../../electron/classroom/student-key.ts';

const STUDENTS = ['ana', 'bob', 'eva'];

describe('class results', () => {
  let dir: string;
  let classFile: ClassFile;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nestlab-class-results-'));
    const keys = new Map(STUDENTS.map((id) => [id, generateStudentKey()]));
    classFile = {
      format: 1,
      kind: 'nestlab-class',
      classId: 'smx1',
      createdAt: '2026-12-01T08:00:00.000Z',
      server: { url: 'https://pve:8006', fingerprint: 'AA' },
      limits: { memoryMiB: 12288, diskGiB: 100, labs: ['proxmox-ha-basics'] },
      students: STUDENTS.map((id) => ({
        id,
        name: id.toUpperCase(),
        keyId: `${id}-k`,
        publicKeyPem: keys.get(id)!.publicKeyPem,
        userId: `${id}@pve`,
        tokenId: `${id}@pve!nestlab`,
        pool: `nl-smx1-${id}`,
        network: `n${id}`,
      })),
    };
    const connection = (id: string): ConnectionFile => ({
      format: 1,
      kind: 'nestlab-class-connection',
      classId: 'smx1',
      student: { id, name: id },
      server: { url: 'https://pve:8006', fingerprint: Array(32).fill('AA').join(':') },
      credentials: { tokenId: 't', secret: 's' },
      pool: 'p',
      network: 'n',
      limits: classFile.limits,
      signing: { keyId: `${id}-k`, privateKeyPem: keys.get(id)!.privateKeyPem },
    });
    const bundle = (id: string, totalMs: number) =>
      buildResultBundle(
        {
          lab: { id: 'proxmox-ha-basics', version: 1, profile: 'light', steps: ['a', 'b'] },
          progress: {
            steps: { a: { passedBy: 'learner', passedAt: 't1' }, b: { passedBy: 'nestlab', passedAt: 't2' } },
            hintsShown: { a: 1, b: 2 },
          },
          drills: [
            {
              runId: 'old',
              startedAt: '2026-12-04T09:00:00Z',
              fault: 'power-off',
              outcome: 'recovered',
              target: 'pve1',
              totalMs: 999_000,
            },
            {
              runId: 'new',
              startedAt: '2026-12-04T10:00:00Z',
              fault: 'power-off',
              outcome: 'recovered',
              target: 'pve2',
              totalMs,
              guessMs: 60_000,
            },
          ],
          exportedAt: '2026-12-04T11:00:00Z',
          nestlabVersion: '0.1.0',
        },
        connection(id),
      );
    await writeFile(join(dir, 'ana.json'), JSON.stringify(bundle('ana', 150_000)));
    const altered = bundle('bob', 170_000);
    altered.payload.drills[1]!.totalMs = 90_000;
    await writeFile(join(dir, 'bob.json'), JSON.stringify(altered));
    await writeFile(join(dir, 'junk.json'), '{not json');
    await mkdir(join(dir, 'folder.json'));
    await symlink('/etc/hostname', join(dir, 'link.json'));
    await writeFile(join(dir, 'notes.txt'), 'ignored: not a .json file');
  });

  it('counts only verified bundles and says why each other file was refused', async () => {
    const results = await collectClassResults(dir, classFile);
    expect(results.rows.map((r) => r.studentId)).toEqual(['ana']);
    expect(results.rows[0]).toMatchObject({
      stepsByLearner: 1,
      stepsBySolve: 1,
      hintsUsed: 3,
      drillRuns: 2,
      lastFailoverMs: 150_000,
      lastGuessMs: 60_000,
    });
    expect(Object.fromEntries(results.refused.map((r) => [r.file, r.reason]))).toEqual({
      'bob.json': expect.stringMatching(/changed after the student exported it/),
      'folder.json': 'not a regular file',
      'junk.json': 'not valid JSON',
      'link.json': 'not a regular file',
    });
    expect(results.missing).toEqual(['bob', 'eva']);
  });

  it('exports a gradebook CSV that a CSV reader reads back', async () => {
    const csv = classResultsCsv(await collectClassResults(dir, classFile));
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      expect.objectContaining({
        studentId: 'ana',
        studentName: 'ANA',
        lab: 'proxmox-ha-basics',
        lastFailoverMs: '150000',
        stepsBySolve: '1',
      }),
    ]);
  });
});
