import { describe, expect, it } from 'vitest';

import type { ConnectionFile } from '../../../electron/classroom/connection-file.ts';
import {
  buildResultBundle,
  verifyResultBundle,
  type ResultInput,
} from '../../../electron/classroom/result-bundle.ts';
import { generateStudentKey } from '../../../electron/classroom/student-key.ts';

function connectionFor(
  id: string,
  key = generateStudentKey(),
): { connection: ConnectionFile; publicKeyPem: string } {
  return {
    publicKeyPem: key.publicKeyPem,
    connection: {
      format: 1,
      kind: 'nestlab-class-connection',
      classId: 'asir2-2026',
      student: { id, name: `Student ${id}` },
      server: { url: 'https://pve.school.example:8006', fingerprint: Array(32).fill('AB').join(':') },
      credentials: { tokenId: `${id}@pve!nestlab`, secret: 'x' },
      pool: `nestlab-asir2-2026-${id}`,
      network: 'nl0001',
      limits: { memoryMiB: 12288, diskGiB: 120, labs: ['proxmox-ha-basics'] },
      signing: { keyId: `${id}-1`, privateKeyPem: key.privateKeyPem },
    },
  };
}

const input: ResultInput = {
  lab: {
    id: 'proxmox-ha-basics',
    version: 1,
    profile: 'light',
    steps: ['create-cluster', 'join-nodes', 'add-nfs'],
  },
  progress: {
    steps: {
      'join-nodes': { passedBy: 'nestlab', passedAt: '2026-12-04T10:05:00.000Z' },
      'create-cluster': { passedBy: 'learner', passedAt: '2026-12-04T10:00:00.000Z' },
    },
    hintsShown: { 'join-nodes': 2 },
  },
  drills: [
    {
      runId: 'r1',
      startedAt: '2026-12-04T10:30:00.000Z',
      fault: 'power-off',
      outcome: 'recovered',
      target: 'pve2',
      totalMs: 151_000,
      guessMs: 90_000,
    },
  ],
  exportedAt: '2026-12-04T11:00:00.000Z',
  nestlabVersion: '0.1.0',
};

describe('result bundles', () => {
  const ana = connectionFor('ana');
  const keys = {
    classId: 'asir2-2026',
    keyOf: (id: string) => (id === 'ana' ? { keyId: 'ana-1', publicKeyPem: ana.publicKeyPem } : undefined),
  };

  it('keeps steps in the lab order with who passed them, and verifies with the student key', () => {
    const bundle = buildResultBundle(input, ana.connection);
    expect(bundle.payload.steps.map((s) => [s.id, s.passedBy])).toEqual([
      ['create-cluster', 'learner'],
      ['join-nodes', 'nestlab'],
    ]);
    // What the teacher receives is a file: verify after a JSON round trip, key order shuffled.
    const text = JSON.stringify({ signature: bundle.signature, payload: { ...bundle.payload } });
    const verdict = verifyResultBundle(JSON.parse(text), keys);
    expect(verdict.ok).toBe(true);
  });

  it('refuses a bundle whose steps were changed from Solve to the learner', () => {
    const bundle = structuredClone(buildResultBundle(input, ana.connection));
    bundle.payload.steps[1]!.passedBy = 'learner';
    expect(verifyResultBundle(bundle, keys)).toMatchObject({ ok: false, reason: 'altered' });
  });

  it('refuses a faster failover time, fewer hints and an added field', () => {
    const faster = structuredClone(buildResultBundle(input, ana.connection));
    faster.payload.drills[0]!.totalMs = 60_000;
    expect(verifyResultBundle(faster, keys)).toMatchObject({ ok: false, reason: 'altered' });
    const fewerHints = structuredClone(buildResultBundle(input, ana.connection));
    fewerHints.payload.hintsShown = {};
    expect(verifyResultBundle(fewerHints, keys)).toMatchObject({ ok: false, reason: 'altered' });
    const added = structuredClone(buildResultBundle(input, ana.connection)) as unknown as {
      payload: Record<string, unknown>;
    };
    added.payload.grade = 'A';
    expect(verifyResultBundle(added, keys)).toMatchObject({ ok: false, reason: 'altered' });
  });

  it("refuses a bundle signed with another student's key under this student's name", () => {
    const mallory = connectionFor('ana'); // a fresh key pair, same student id and key id
    const forged = buildResultBundle(input, mallory.connection);
    expect(verifyResultBundle(forged, keys)).toMatchObject({ ok: false, reason: 'altered' });
  });

  it('names the reason for another class, an unknown student and a file that is no bundle', () => {
    const bob = buildResultBundle(input, connectionFor('bob').connection);
    expect(verifyResultBundle(bob, keys)).toMatchObject({ ok: false, reason: 'unknown-student' });
    expect(verifyResultBundle(bob, { ...keys, classId: 'other' })).toMatchObject({
      ok: false,
      reason: 'other-class',
    });
    expect(verifyResultBundle({ hello: 1 }, keys)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(verifyResultBundle(null, keys)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
