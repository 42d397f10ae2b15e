import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { TrustBroker } from '../../../electron/app/trust-broker.ts';
import type { TrustRequestInfo } from '../../../electron/contract/dto.ts';

describe('trust broker (trust on first use, confirmed by the learner)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nestlab-trust-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('asks the first time, remembers an accepted fingerprint, and asks again when it changes', async () => {
    const seen: TrustRequestInfo[][] = [];
    const broker = new TrustBroker(dir, (pending) => seen.push(pending));
    const asking = broker.trust('lab', 'pve1', 'tls', 'AA:01');
    await new Promise((r) => setTimeout(r, 0));
    const [question] = broker.pending();
    expect(question).toMatchObject({ node: 'pve1', kind: 'tls', fingerprint: 'AA:01', previous: null });
    broker.answer(question!.id, true);
    expect(await asking).toBe(true);
    expect(seen.at(-1)).toEqual([]);

    // Remembered, across a restart of the app.
    const again = new TrustBroker(dir, () => undefined);
    expect(await again.trust('lab', 'pve1', 'tls', 'AA:01')).toBe(true);
    expect(JSON.parse(await readFile(join(dir, 'trusted-fingerprints.json'), 'utf8'))).toEqual({ 'lab/pve1/tls': 'AA:01' });

    // A different fingerprint is a new question, showing the old one; refusing keeps the old.
    const changed = again.trust('lab', 'pve1', 'tls', 'BB:02');
    await new Promise((r) => setTimeout(r, 0));
    expect(again.pending()[0]).toMatchObject({ fingerprint: 'BB:02', previous: 'AA:01' });
    again.answer(again.pending()[0]!.id, false);
    expect(await changed).toBe(false);
    expect(JSON.parse(await readFile(join(dir, 'trusted-fingerprints.json'), 'utf8'))['lab/pve1/tls']).toBe('AA:01');
  });

  it('keeps TLS and SSH apart, withdraws a question on abort, and refuses unknown answers', async () => {
    const broker = new TrustBroker(dir, () => undefined);
    const controller = new AbortController();
    const asking = broker.trust('lab', 'pve2', 'ssh', 'SHA256:xyz', controller.signal);
    await new Promise((r) => setTimeout(r, 0));
    expect(broker.pending()).toHaveLength(1);
    controller.abort();
    expect(await asking).toBe(false);
    expect(broker.pending()).toEqual([]);
    expect(() => broker.answer('nope', true)).toThrow(/already answered/);
  });
});
