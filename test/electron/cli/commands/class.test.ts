import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { ClassFile } from '../../../../electron/classroom/class-file.ts';
import type { ConnectionFile } from '../../../../electron/classroom/connection-file.ts';
import { generateStudentKey } from '../../../../electron/classroom/student-key.ts';
import { registerClass } from '../../../../electron/cli/commands/class.ts';
import { FileProgressStore } from '../../../../electron/lab/progress-store.ts';

async function run(args: string[]): Promise<{ out: string[]; err: string[]; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  let code = 0;
  const program = new Command('nestlab').exitOverride();
  registerClass(program, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    setExitCode: (c) => (code = c),
  });
  await program.parseAsync(['node', 'nestlab', 'class', ...args]);
  return { out, err, code };
}

describe('nestlab class export → class results', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nestlab-class-cli-'));
    vi.stubEnv('NESTLAB_DATA_DIR', join(dir, 'student-data'));
  });
  afterEach(() => vi.unstubAllEnvs());

  it("signs the student's progress and the teacher's results verify it; an edited copy is refused", async () => {
    const key = generateStudentKey();
    const limits = { memoryMiB: 12288, diskGiB: 100, labs: ['proxmox-ha-basics'] };
    const connection: ConnectionFile = {
      format: 1,
      kind: 'nestlab-class-connection',
      classId: 'asir2',
      student: { id: 'ana', name: 'Ana' },
      server: { url: 'https://pve.school:8006', fingerprint: Array(32).fill('0F').join(':') },
      credentials: { tokenId: 'ana@pve!nestlab', secret: 's' },
      pool: 'nl-asir2-ana',
      network: 'nla1',
      limits,
      signing: { keyId: 'ana-1', privateKeyPem: key.privateKeyPem },
    };
    const classFile: ClassFile = {
      format: 1,
      kind: 'nestlab-class',
      classId: 'asir2',
      createdAt: 'x',
      server: connection.server,
      limits,
      students: [
        {
          id: 'ana',
          name: 'Ana',
          keyId: 'ana-1',
          publicKeyPem: key.publicKeyPem,
          userId: 'ana@pve',
          tokenId: 'ana@pve!nestlab',
          pool: 'nl-asir2-ana',
          network: 'nla1',
        },
      ],
    };
    await writeFile(join(dir, 'ana.connection.json'), JSON.stringify(connection));
    await writeFile(join(dir, 'class.json'), JSON.stringify(classFile));
    await new FileProgressStore(join(dir, 'student-data', 'progress')).save({
      format: 1,
      labId: 'proxmox-ha-basics',
      labVersion: 1,
      profile: 'sim',
      savedAt: 'now',
      steps: {
        'create-cluster': { passedBy: 'learner', passedAt: '2026-12-04T10:00:00Z' },
        'join-nodes': { passedBy: 'nestlab', passedAt: '2026-12-04T10:10:00Z' },
      },
      hintsShown: { 'join-nodes': 1 },
    });

    const handedIn = join(dir, 'handed-in');
    await import('node:fs/promises').then((fs) => fs.mkdir(handedIn));
    const exported = await run([
      'export',
      'proxmox-ha-basics',
      '--connection',
      join(dir, 'ana.connection.json'),
      '--out',
      join(handedIn, 'ana.json'),
    ]);
    expect(exported.out.join('\n')).toMatch(/2 of \d+ steps, 0 drill runs/);

    const ok = await run([
      'results',
      handedIn,
      '--class',
      join(dir, 'class.json'),
      '--csv',
      join(dir, 'grades.csv'),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.out[1]).toMatch(/^ana \(Ana\)\tproxmox-ha-basics\t2\/\d+ \(1 \/ 1\)\t1\t0/);
    expect(await readFile(join(dir, 'grades.csv'), 'utf8')).toMatch(/^studentId,studentName,lab,/);

    const edited = (await readFile(join(handedIn, 'ana.json'), 'utf8')).replace('"nestlab"', '"learner"');
    await writeFile(join(handedIn, 'ana.json'), edited);
    const refused = await run(['results', handedIn, '--class', join(dir, 'class.json')]);
    expect(refused.code).toBe(1);
    expect(refused.out.join('\n')).toMatch(/REFUSED ana\.json: the signature does not match/);
  });

  it('refuses to export damaged saved progress as "nothing passed", and says where it was kept', async () => {
    const key = generateStudentKey();
    const limits = { memoryMiB: 12288, diskGiB: 100, labs: ['proxmox-ha-basics'] };
    const connection: ConnectionFile = {
      format: 1,
      kind: 'nestlab-class-connection',
      classId: 'asir2',
      student: { id: 'ana', name: 'Ana' },
      server: { url: 'https://pve.school:8006', fingerprint: Array(32).fill('0F').join(':') },
      credentials: { tokenId: 'ana@pve!nestlab', secret: 's' },
      pool: 'nl-asir2-ana',
      network: 'nla1',
      limits,
      signing: { keyId: 'ana-1', privateKeyPem: key.privateKeyPem },
    };
    await writeFile(join(dir, 'ana.connection.json'), JSON.stringify(connection));
    const progressDir = join(dir, 'student-data', 'progress');
    await import('node:fs/promises').then((fs) => fs.mkdir(progressDir, { recursive: true }));
    await writeFile(join(progressDir, 'proxmox-ha-basics.sim.json'), '{"format": 1, "labId": "proxm');
    const outcome = await run([
      'export',
      'proxmox-ha-basics',
      '--connection',
      join(dir, 'ana.connection.json'),
      '--out',
      join(dir, 'ana.json'),
    ]).then(
      (r) => r.err.join('\n'),
      (e: unknown) => String(e),
    );
    expect(outcome).toMatch(
      /saved progress of lab "proxmox-ha-basics" could not be read; it was kept at .*proxmox-ha-basics\.sim\.json\.unreadable-\d+\. Nothing was exported/,
    );
  });

  it('names the file and field of a damaged connection file', async () => {
    await writeFile(
      join(dir, 'bad.json'),
      JSON.stringify({ format: 1, kind: 'nestlab-class-connection', classId: 'asir2' }),
    );
    await expect(run(['export', 'proxmox-ha-basics', '--connection', join(dir, 'bad.json')])).rejects.toThrow(
      /bad\.json: student: /,
    );
  });
});
