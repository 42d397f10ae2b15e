/**
 * Reading vboxwebsrv faults: result codes come as `apirc=0x80bb0001` inside the fault text, expired
 * references as `Invalid managed object reference`, unknown operations as gSOAP's "not implemented".
 * Pure, so the mapping to HypervisorError codes and to start-failure advice is unit-tested.
 */
import { HypervisorError, type HypervisorErrorCode } from '../driver.ts';

export const VBOX_RC = {
  E_NOTIMPL: 0x80004001,
  E_FAIL: 0x80004005,
  E_ACCESSDENIED: 0x80070005,
  E_INVALIDARG: 0x80070057,
  VBOX_E_OBJECT_NOT_FOUND: 0x80bb0001,
  VBOX_E_INVALID_VM_STATE: 0x80bb0002,
  VBOX_E_VM_ERROR: 0x80bb0003,
  VBOX_E_FILE_ERROR: 0x80bb0004,
  VBOX_E_INVALID_OBJECT_STATE: 0x80bb0007,
  VBOX_E_NOT_SUPPORTED: 0x80bb0009,
  VBOX_E_INVALID_SESSION_STATE: 0x80bb000b,
  VBOX_E_OBJECT_IN_USE: 0x80bb000c,
} as const;

export interface VBoxFaultFacts {
  rc?: number;
  text: string;
  invalidReference: boolean;
  unknownMethod: boolean;
  connectionRefused: boolean;
  /** gSOAP closes a keep-alive connection after 60 s idle or 100 requests; the next request sees a reset. */
  connectionReset: boolean;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export function isConnectionReset(error: unknown): boolean {
  const err = error as { code?: unknown; cause?: { code?: unknown }; message?: unknown };
  if (typeof err?.code === 'string' && RESET_CODES.has(err.code)) return true;
  if (typeof err?.cause?.code === 'string' && RESET_CODES.has(err.cause.code)) return true;
  return /ECONNRESET|socket hang up/.test(String(err?.message ?? ''));
}

const RC_RE = /rc=0x([0-9a-f]{8})/i;

export function readVBoxFault(error: unknown): VBoxFaultFacts {
  const err = error as {
    message?: unknown;
    code?: unknown;
    resultCode?: unknown;
    root?: { Envelope?: { Body?: { Fault?: { faultstring?: unknown } } } };
  };
  const faultString = err?.root?.Envelope?.Body?.Fault?.faultstring;
  const text = String(faultString ?? err?.message ?? error);
  const match = RC_RE.exec(text);
  // A failed IProgress carries its result code as a property (progress.ts), a SOAP fault in its text.
  const rc =
    typeof err?.resultCode === 'number'
      ? err.resultCode
      : match
        ? parseInt(match[1] ?? '', 16)
        : typeof err?.code === 'number'
          ? err.code
          : undefined;
  return {
    rc,
    text: text
      .replace(/^VirtualBox error: /, '')
      .replace(/^apirc=0x[0-9a-f]{8} /i, '')
      .replace(/ \(0x[0-9a-f]{8}\)$/i, ''),
    invalidReference: /Invalid managed object reference/i.test(text),
    unknownMethod: /not implemented: method name or namespace not recognized/i.test(text),
    connectionRefused: err?.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(text),
    connectionReset: isConnectionReset(error),
  };
}

/**
 * vboxweb.cpp answers a refused logon with a bare E_FAIL fault that carries no text; say what it means.
 * `text` is what the fault said (maybe nothing).
 */
export function logonFailureMessage(text: string): string {
  const said = text.trim().replace(/^VirtualBox error:\s*/, '');
  const meaning =
    'vboxwebsrv refused the user name or password (VBoxAuthSimple): the NestLab secret registered with ' +
    'VirtualBox does not match; `nestlab doctor` re-registers it';
  return said && !/^(apirc=0x[0-9a-f]{8}\s*)?(\(0x[0-9a-f]{8}\))?$/i.test(said)
    ? `${meaning} (VirtualBox said: ${said})`
    : meaning;
}

export function hasResultCode(error: unknown, rc: number): boolean {
  return readVBoxFault(error).rc === rc;
}

function codeFor(facts: VBoxFaultFacts): HypervisorErrorCode {
  if (facts.connectionRefused || facts.connectionReset) return 'unreachable';
  if (facts.unknownMethod || facts.rc === VBOX_RC.E_NOTIMPL || facts.rc === VBOX_RC.VBOX_E_NOT_SUPPORTED)
    return 'unsupported';
  switch (facts.rc) {
    case VBOX_RC.VBOX_E_OBJECT_NOT_FOUND:
      return 'not-found';
    case VBOX_RC.VBOX_E_INVALID_VM_STATE:
    case VBOX_RC.VBOX_E_INVALID_OBJECT_STATE:
    case VBOX_RC.VBOX_E_INVALID_SESSION_STATE:
    case VBOX_RC.VBOX_E_OBJECT_IN_USE:
      return 'invalid-state';
    default:
      return 'failed';
  }
}

/** "IMachine.launchVMProcess on pve1: <VirtualBox's words> — <what to do>" as a HypervisorError. */
export function toHypervisorError(error: unknown, call: string, machine?: string): HypervisorError {
  if (error instanceof HypervisorError) return error;
  const facts = readVBoxFault(error);
  const advice = adviceForVBoxText(facts.text);
  const where = machine ? `${call} on ${machine}` : call;
  const message = `${where}: ${facts.text}${advice ? ` — ${advice}` : ''}`;
  return new HypervisorError(codeFor(facts), message, machine);
}

const ADVICE: [RegExp, string][] = [
  [/VERR_VMX_NO_VMX|VERR_SVM_NO_SVM/, 'this CPU has no hardware virtualization; use the simulator backend'],
  [
    /VERR_VMX_MSR_(ALL_)?VMX_DISABLED|VERR_VMX_MSR_LOCKED_OR_DISABLED|VERR_SVM_DISABLED/,
    'enable Intel VT-x / AMD-V (SVM) in the BIOS/UEFI setup, then restart',
  ],
  [
    /VERR_VMX_IN_VMX_ROOT_MODE|VERR_SVM_IN_USE/,
    'KVM holds the CPU: run `sudo modprobe -r kvm_intel kvm_amd kvm` or set `options kvm enable_virt_at_load=0`',
  ],
  [
    /VERR_SVM_HOST_SVME_NOT_ENABLED/,
    'VirtualBox 7.2.10+ conflicts with the KVM override: unload the kvm modules instead of using enable_virt_at_load=0',
  ],
  [
    /VERR_NEM_/,
    'Windows Hyper-V is active, so VirtualBox cannot use VT-x directly; see `nestlab doctor` for how to turn it off',
  ],
  [
    /nested-paging and unrestricted guest/,
    'the host CPU lacks nested paging or unrestricted guest; nested Proxmox VMs will not work, use LXC containers as HA resources',
  ],
];

export function adviceForVBoxText(text: string): string | undefined {
  return ADVICE.find(([re]) => re.test(text))?.[1];
}
