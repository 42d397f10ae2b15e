import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { TrustBroker } from '../../../electron/app/trust-broker.ts';
import type { TrustRequestInfo } from '../../../electron/contract/dto.ts';

/** A broker whose questions the test can await (they arrive after the known list is read). */
function brokerIn(dir: string) {
  const waiters: ((pending: TrustRequestInfo[]) => void)[] = [];
  const broker = new TrustBroker(dir, (pending) => {
    if (pending.length > 0) waiters.splice(0).forEach((w) => w(pending));
  });
  const nextQuestion = () => new Promise<TrustRequestInfo[]>((resolve) => waiters.push(resolve));
  return { broker, nextQuestion };
}

describe('trust broker (trust on first use, confirmed by the learner)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nestlab-trust-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('asks the first time, remembers an accepted fingerprint, and asks again when it changes', async () => {
    const first = brokerIn(dir);
    const question = first.nextQuestion();
    const asking = first.broker.trust('lab', 'pve1', 'tls', 'AA:01');
    const [asked] = await question;
    expect(asked).toMatchObject({ node: 'pve1', kind: 'tls', fingerprint: 'AA:01', previous: null });
    first.broker.answer(asked!.id, true);
    expect(await asking).toBe(true);
    expect(first.broker.pending()).toEqual([]);

    // Remembered, across a restart of the app.
    const again = brokerIn(dir);
    expect(await again.broker.trust('lab', 'pve1', 'tls', 'AA:01')).toBe(true);
    expect(JSON.parse(await readFile(join(dir, 'trusted-fingerprints.json'), 'utf8'))).toEqual({ 'lab/pve1/tls': 'AA:01' });

    // A different fingerprint is a new question, showing the old one; refusing keeps the old.
    const changedQuestion = again.nextQuestion();
    const changed = again.broker.trust('lab', 'pve1', 'tls', 'BB:02');
    const [shown] = await changedQuestion;
    expect(shown).toMatchObject({ fingerprint: 'BB:02', previous: 'AA:01' });
    again.broker.answer(shown!.id, false);
    expect(await changed).toBe(false);
    expect(JSON.parse(await readFile(join(dir, 'trusted-fingerprints.json'), 'utf8'))['lab/pve1/tls']).toBe('AA:01');
  });

  it('keeps TLS and SSH apart, withdraws a question on abort, and refuses unknown answers', async () => {
    const { broker, nextQuestion } = brokerIn(dir);
    const controller = new AbortController();
    const question = nextQuestion();
    const asking = broker.trust('lab', 'pve2', 'ssh', 'SHA256:xyz', controller.signal);
    expect((await question).map((q) => q.kind)).toEqual(['ssh']);
    controller.abort();
    expect(await asking).toBe(false);
    expect(broker.pending()).toEqual([]);
    expect(() => broker.answer('nope', true)).toThrow(/already answered/);
  });
});
