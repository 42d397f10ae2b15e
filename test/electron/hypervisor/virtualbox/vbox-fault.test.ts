import { describe, expect, it } from 'vitest';
import {
  adviceForVBoxText,
  readVBoxFault,
  toHypervisorError,
} from '../../../../electron/hypervisor/virtualbox/vbox-fault.ts';

describe('readVBoxFault', () => {
  it('reads the result code out of a vboxwebsrv runtime fault', () => {
    const facts = readVBoxFault(
      new Error(
        "VirtualBox error: apirc=0x80bb0001 Could not find a registered machine named 'x' (0x80bb0001)",
      ),
    );
    expect(facts.rc).toBe(0x80bb0001);
    expect(facts.text).toBe("Could not find a registered machine named 'x'");
    expect(facts.invalidReference).toBe(false);
  });

  it('recognises expired references and unknown methods', () => {
    expect(
      readVBoxFault(new Error('VirtualBox error: Invalid managed object reference "abc-def"'))
        .invalidReference,
    ).toBe(true);
    expect(
      readVBoxFault(
        new Error(
          "Method 'vbox:IMachine_setCPUProperty' not implemented: method name or namespace not recognized",
        ),
      ).unknownMethod,
    ).toBe(true);
  });
});

describe('toHypervisorError', () => {
  it.each([
    [0x80bb0001, 'not-found'],
    [0x80bb0002, 'invalid-state'],
    [0x80bb0007, 'invalid-state'],
    [0x80004001, 'unsupported'],
    [0x80004005, 'failed'],
  ])('maps rc %s to %s and names the call and machine', (rc, code) => {
    const hex = '0x' + rc.toString(16);
    const error = toHypervisorError(
      new Error(`VirtualBox error: apirc=${hex} boom (${hex})`),
      'IMachine.lockMachine',
      'pve1',
    );
    expect(error.code).toBe(code);
    expect(error.message).toBe('IMachine.lockMachine on pve1: boom');
    expect(error.machine).toBe('pve1');
  });

  it('calls a refused connection unreachable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:18083'), {
      code: 'ECONNREFUSED',
    });
    expect(toHypervisorError(refused, 'IVirtualBox.findMachine').code).toBe('unreachable');
  });
});

describe('adviceForVBoxText', () => {
  it.each([
    ['VT-x is disabled in the BIOS for all CPU modes (VERR_VMX_MSR_ALL_VMX_DISABLED).', /BIOS/],
    ['AMD-V is being used by another hypervisor (VERR_SVM_IN_USE).', /kvm/],
    [
      'Call to WHvSetupPartition failed: ERROR_SUCCESS (Last=0xc000000d/87) (VERR_NEM_VM_CREATE_FAILED).',
      /Hyper-V/,
    ],
    ['Cannot enable nested VT-x/AMD-V without nested-paging and unrestricted guest execution!', /LXC/],
  ])('explains %s', (text, advice) => {
    expect(adviceForVBoxText(text)).toMatch(advice);
  });

  it('stays silent about errors it has no advice for', () => {
    expect(adviceForVBoxText('Something else went wrong')).toBeUndefined();
  });
});
