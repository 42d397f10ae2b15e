/**
 * Trust on first use, confirmed by the learner: the first time a Proxmox node (TLS) or its SSH
 * server presents a fingerprint, the UI asks; the answer is remembered per lab node. A changed
 * fingerprint is asked again, showing the old one — it may be a reinstalled node, or not.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import writeFileAtomic from 'write-file-atomic';

import type { TrustCallback } from '../backends/lab-environment.ts';
import type { TrustRequestInfo } from '../contract/dto.ts';
import { ApiError } from '../contract/errors.ts';

type Kind = TrustRequestInfo['kind'];

interface Pending {
  info: TrustRequestInfo;
  resolve: (accepted: boolean) => void;
}

export class TrustBroker {
  readonly #file: string;
  readonly #pending = new Map<string, Pending>();
  #known: Record<string, string> | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly onChange: (pending: TrustRequestInfo[]) => void,
  ) {
    this.#file = join(dataDir, 'trusted-fingerprints.json');
  }

  /** Resolves true once the fingerprint is trusted (now or earlier), false when refused or aborted. */
  async trust(lab: string, node: string, kind: Kind, fingerprint: string, signal?: AbortSignal): Promise<boolean> {
    const known = await this.#load();
    const key = `${lab}/${node}/${kind}`;
    const previous = known[key] ?? null;
    if (previous === fingerprint) return true;
    const info: TrustRequestInfo = { id: randomUUID(), lab, node, kind, fingerprint, previous };
    const accepted = await new Promise<boolean>((resolve) => {
      if (signal?.aborted) return resolve(false);
      this.#pending.set(info.id, { info, resolve });
      signal?.addEventListener('abort', () => this.#settle(info.id, false), { once: true });
      this.#emit();
    });
    if (accepted) {
      known[key] = fingerprint;
      await mkdir(this.dataDir, { recursive: true });
      await writeFileAtomic(this.#file, JSON.stringify(known, null, 2) + '\n');
    }
    return accepted;
  }

  /** The question a lab's backend asks (one run's FingerprintPins sit in front of it). */
  callbackFor(lab: string): TrustCallback {
    return (node, fingerprint, kind) => this.trust(lab, node, kind === 'tls-certificate' ? 'tls' : 'ssh', fingerprint);
  }

  pending(): TrustRequestInfo[] {
    return [...this.#pending.values()].map((p) => p.info);
  }

  answer(id: string, accept: boolean): void {
    if (!this.#pending.has(id)) throw new ApiError('not-found', 'That question was already answered or withdrawn.');
    this.#settle(id, accept);
  }

  #settle(id: string, accept: boolean): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    pending.resolve(accept);
    this.#emit();
  }

  #emit(): void {
    this.onChange(this.pending());
  }

  async #load(): Promise<Record<string, string>> {
    if (!this.#known) {
      try {
        this.#known = JSON.parse(await readFile(this.#file, 'utf8')) as Record<string, string>;
      } catch {
        this.#known = {};
      }
    }
    return this.#known;
  }
}
