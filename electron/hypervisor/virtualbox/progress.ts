/**
 * Waiting for a VirtualBox IProgress. waitForCompletion resolves even when the operation FAILED, so the
 * result code is always checked. Waits are bounded (never -1) so a long operation cannot outlive the
 * websession, report their percentage, and cancel the operation when the caller's signal aborts.
 */
import type { IProgress } from 'virtualbox-soap';
import { HypervisorError, type ProgressReporter } from '../driver.ts';
import { adviceForVBoxText } from './vbox-fault.ts';
import { releaseRefs } from './vbox-connection.ts';

export interface WaitOptions {
  /** What is being waited for, e.g. "IMachine.launchVMProcess". */
  call: string;
  machine?: string;
  signal?: AbortSignal;
  progress?: ProgressReporter;
  /** Progress message shown while waiting. */
  message?: string;
  /** Upper bound of one waitForCompletion call, ms. */
  sliceMs?: number;
}

/** A failed IProgress: the result code is kept, so callers can tell "file exists" from a real failure. */
export class VBoxProgressError extends HypervisorError {
  constructor(
    code: 'failed' | 'cancelled',
    message: string,
    readonly resultCode: number,
    readonly detail: string,
    machine?: string,
  ) {
    super(code, message, machine);
    this.name = 'VBoxProgressError';
  }
}

export async function waitForProgress(progress: IProgress, options: WaitOptions): Promise<void> {
  try {
    await waitUntilDone(progress, options);
  } finally {
    // Every operation returns a new progress object; freed here so they do not pile up in vboxwebsrv.
    await releaseRefs(progress);
  }
}

async function waitUntilDone(progress: IProgress, options: WaitOptions): Promise<void> {
  const slice = options.sliceMs ?? 500;
  const where = options.machine ? `${options.call} on ${options.machine}` : options.call;
  for (;;) {
    if (options.signal?.aborted) {
      if (await progress.getCancelable()) await progress.cancel().catch(() => undefined);
      throw new HypervisorError('cancelled', `${where}: cancelled`, options.machine);
    }
    await progress.waitForCompletion(slice);
    const completed = await progress.getCompleted();
    if (options.progress) {
      options.progress.report({
        message: options.message ?? where,
        fraction: Number(await progress.getPercent()) / 100,
      });
    }
    if (completed) break;
  }
  const rc = Number(await progress.getResultCode());
  if (rc === 0) return;
  const info = await progress.getErrorInfo();
  // Errors raised inside the task (VERR_ALREADY_EXISTS from createBaseStorage, start failures) only live here.
  const text = info ? String(await info.getText()) : '';
  await releaseRefs(info);
  const hex = '0x' + (rc >>> 0).toString(16).padStart(8, '0');
  const advice = adviceForVBoxText(text);
  throw new VBoxProgressError(
    (await progress.getCanceled().catch(() => false)) ? 'cancelled' : 'failed',
    `${where} failed (${hex}): ${text || 'no details from VirtualBox'}${advice ? ` — ${advice}` : ''}`,
    rc >>> 0,
    text,
    options.machine,
  );
}
