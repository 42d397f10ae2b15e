/**
 * The fingerprints one lab run has pinned, with trust on first use: a node's first certificate or
 * ssh host key is pinned only once the trust callback (the user) confirms it; a pinned one that
 * changes is refused. (The app's TrustBroker, app/trust-broker.ts, is what asks the learner and
 * remembers answers across runs; it sits behind the callback.)
 */
import { ApiError } from '../../contract/errors.ts';
import { normalizeFingerprint } from '../../pve/tls-pinning.ts';
import type { TrustCallback, TrustKind } from '../lab-environment.ts';

export class FingerprintPins {
  private asking: Promise<unknown> = Promise.resolve();
  private readonly refused = new Map<string, string>();

  /** `pins`: fingerprints confirmed before (key `tls:<node>` or `ssh:<node>`); confirmed ones are added. */
  constructor(
    private readonly pins: Map<string, string>,
    private readonly ask: TrustCallback,
  ) {}

  async confirm(node: string, fingerprint: string, kind: TrustKind): Promise<void> {
    const key = `${kind === 'tls-certificate' ? 'tls' : 'ssh'}:${node}`;
    const what = kind === 'tls-certificate' ? 'TLS certificate' : 'ssh host key';
    const same = (a: string, b: string): boolean =>
      kind === 'tls-certificate' ? normalizeFingerprint(a) === normalizeFingerprint(b) : a === b;
    const pinned = this.pins.get(key);
    if (pinned !== undefined) {
      if (same(pinned, fingerprint)) return;
      throw new ApiError(
        'forbidden',
        `node ${node}: its ${what} changed (now ${fingerprint}, trusted ${pinned}); refusing to connect. ` +
          'If the node was reinstalled, start a new run and confirm its new fingerprint.',
      );
    }
    const refusal = (): ApiError =>
      new ApiError(
        'forbidden',
        `node ${node}: ${what} ${fingerprint} was not confirmed; refusing to connect`,
      );
    // Asked once: checks retry every few seconds, and a "no" must not come back as a new question.
    if (this.refused.get(key) === fingerprint) throw refusal();
    // One question at a time: a terminal cannot ask about two nodes at once.
    const turn = this.asking.then(() => this.ask(node, fingerprint, kind));
    this.asking = turn.catch(() => undefined);
    if (!(await turn)) {
      this.refused.set(key, fingerprint);
      throw refusal();
    }
    this.pins.set(key, fingerprint);
  }
}
