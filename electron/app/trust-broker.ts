/**
 * Trust on first use, confirmed by the learner: the first time a Proxmox node (TLS) or its SSH
 * server presents a fingerprint, the UI asks; the answer is remembered per lab node. A changed
 * fingerprint is asked again, showing the old one — it may be a reinstalled node, or not.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

import writeFileAtomic from 'write-file-atomic';

import type { TrustCallback } from '../backends/lab-environment.ts';
import type { DataNotice, TrustRequestInfo } from '../contract/dto.ts';
import { ApiError } from '../contract/errors.ts';
import { octal, PRIVATE_FILE_MODE, tightenPrivateFile } from '../fs/private-file.ts';

type Kind = TrustRequestInfo['kind'];

interface Pending {
  info: TrustRequestInfo;
  resolve: (accepted: boolean) => void;
}

export class TrustBroker {
  readonly #file: string;
  readonly #pending = new Map<string, Pending>();
  #known: Record<string, string> | undefined;
  /** Set when the file exists but could not be read: it is never overwritten then. */
  #unreadable = false;
  /** What went wrong with the file at load, said once (create-app puts it in app.info). */
  notice: DataNotice | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly onChange: (pending: TrustRequestInfo[]) => void,
    private readonly warn: (line: string) => void = () => undefined,
  ) {
    this.#file = join(dataDir, 'trusted-fingerprints.json');
  }

  /** Reads the file now (at start), so damage is found and said before the first question. */
  async open(): Promise<this> {
    await this.#load();
    return this;
  }

  /** Resolves true once the fingerprint is trusted (now or earlier), false when refused or aborted. */
  async trust(
    lab: string,
    node: string,
    kind: Kind,
    fingerprint: string,
    signal?: AbortSignal,
  ): Promise<boolean> {
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
      if (this.#unreadable) {
        // Trusted for this session only: what could not be read is not replaced.
        this.warn(`${this.#file} could not be read; the new answer is not saved into it.`);
      } else {
        await mkdir(this.dataDir, { recursive: true });
        // Backup of the last good file, then the new one, readable only by the user.
        await copyFile(this.#file, `${this.#file}.bak`).catch(() => undefined);
        await writeFileAtomic(this.#file, JSON.stringify(known, null, 2) + '\n', { mode: PRIVATE_FILE_MODE });
      }
    }
    return accepted;
  }

  /** The question a lab's backend asks (one run's FingerprintPins sit in front of it). */
  callbackFor(lab: string): TrustCallback {
    return (node, fingerprint, kind) =>
      this.trust(lab, node, kind === 'tls-certificate' ? 'tls' : 'ssh', fingerprint);
  }

  pending(): TrustRequestInfo[] {
    return [...this.#pending.values()].map((p) => p.info);
  }

  answer(id: string, accept: boolean): void {
    if (!this.#pending.has(id))
      throw new ApiError('not-found', 'That question was already answered or withdrawn.');
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
    this.#known ??= await this.#read();
    return this.#known;
  }

  async #read(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      this.#unreadable = true;
      this.notice = { kind: 'trust-unreadable', file: this.#file };
      this.warn(
        `${this.#file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); it will not be overwritten.`,
      );
      return {};
    }
    const { tightened, was } = await tightenPrivateFile(this.#file).catch(() => ({
      tightened: false,
      was: 0,
    }));
    if (tightened)
      this.warn(
        `${this.#file} was readable by other users (mode ${octal(was ?? 0)}); NestLab set it to 0600.`,
      );
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      // Damaged (or `null`): kept aside, so the next answer starts a fresh file without losing it.
      const kept = `${this.#file}.damaged-${Date.now()}`;
      await rename(this.#file, kept).catch(() => {
        this.#unreadable = true;
      });
      this.notice = { kind: 'trust-damaged', file: this.#unreadable ? this.#file : kept };
      this.warn(`${this.#file} is damaged; kept as ${kept}. NestLab will ask again before trusting a node.`);
      return {};
    }
    // Keep every well-formed entry; drop the rest.
    const known: Record<string, string> = {};
    for (const [key, value] of Object.entries(data)) if (typeof value === 'string') known[key] = value;
    return known;
  }
}
