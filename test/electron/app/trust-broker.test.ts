import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { TrustBroker } from '../../../electron/app/trust-broker.ts';
import type { TrustRequestInfo } from '../../../electron/contract/dto.ts';

/** A broker whose questions the test can await (they arrive after the known list is read). */
function brokerIn(dir: string, warn?: (line: string) => void) {
  const waiters: ((pending: TrustRequestInfo[]) => void)[] = [];
  const broker = new TrustBroker(
    dir,
    (pending) => {
      if (pending.length > 0) waiters.splice(0).forEach((w) => w(pending));
    },
    warn,
  );
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
    expect(JSON.parse(await readFile(join(dir, 'trusted-fingerprints.json'), 'utf8'))).toEqual({
      'lab/pve1/tls': 'AA:01',
    });

    // A different fingerprint is a new question, showing the old one; refusing keeps the old.
    const changedQuestion = again.nextQuestion();
    const changed = again.broker.trust('lab', 'pve1', 'tls', 'BB:02');
    const [shown] = await changedQuestion;
    expect(shown).toMatchObject({ fingerprint: 'BB:02', previous: 'AA:01' });
    again.broker.answer(shown!.id, false);
    expect(await changed).toBe(false);
    expect(JSON.parse(await readFile(join(dir, 'trusted-fingerprints.json'), 'utf8'))['lab/pve1/tls']).toBe(
      'AA:01',
    );
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

  async function acceptNext(b: ReturnType<typeof brokerIn>, fingerprint: string): Promise<boolean> {
    const question = b.nextQuestion();
    const asking = b.broker.trust('lab', 'pve1', 'tls', fingerprint);
    const [asked] = await question;
    b.broker.answer(asked!.id, true);
    return asking;
  }

  it.each(['null', '{"lab/pve1/tls": "AA:01"', '[1, 2]'])(
    'a damaged trust file (%s) is kept aside and said, and trust() still works',
    async (text) => {
      const file = join(dir, 'trusted-fingerprints.json');
      await writeFile(file, text);
      const warnings: string[] = [];
      const b = brokerIn(dir, (line) => warnings.push(line));
      await b.broker.open();
      expect(b.broker.notice?.kind).toBe('trust-damaged');
      const kept = b.broker.notice!.file;
      expect(await readFile(kept, 'utf8')).toBe(text);
      expect(warnings.find((w) => w.includes('is damaged'))).toMatch(
        /is damaged; kept as .*\.damaged-\d+\. NestLab will ask again/,
      );
      expect(await acceptNext(b, 'AA:02')).toBe(true);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ 'lab/pve1/tls': 'AA:02' });
      if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    },
  );

  it('keeps a backup of the last good file and tightens a loose mode, saying so', async () => {
    const file = join(dir, 'trusted-fingerprints.json');
    await writeFile(file, JSON.stringify({ 'lab/pve2/tls': 'BB:01', junk: null }));
    await chmod(file, 0o644);
    const warnings: string[] = [];
    const b = brokerIn(dir, (line) => warnings.push(line));
    expect(await acceptNext(b, 'AA:01')).toBe(true);
    expect(JSON.parse(await readFile(`${file}.bak`, 'utf8'))).toEqual({
      'lab/pve2/tls': 'BB:01',
      junk: null,
    });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      'lab/pve2/tls': 'BB:01',
      'lab/pve1/tls': 'AA:01',
    });
    if (process.platform !== 'win32') {
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(warnings).toContain(`${file} was readable by other users (mode 0644); NestLab set it to 0600.`);
    }
  });

  it('never overwrites a trust file it could not read', async () => {
    const file = join(dir, 'trusted-fingerprints.json');
    await mkdir(file); // unreadable as a file (EISDIR): stands for a permission or disk error
    const warnings: string[] = [];
    const b = brokerIn(dir, (line) => warnings.push(line));
    await b.broker.open();
    expect(b.broker.notice).toEqual({ kind: 'trust-unreadable', file });
    expect(await acceptNext(b, 'AA:01')).toBe(true);
    expect((await stat(file)).isDirectory()).toBe(true);
    expect(await readdir(dir)).toEqual(['trusted-fingerprints.json']);
    expect(warnings.at(-1)).toBe(`${file} could not be read; the new answer is not saved into it.`);
  });
});
