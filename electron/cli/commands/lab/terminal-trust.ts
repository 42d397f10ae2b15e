/**
 * Trust on first use from a terminal: `--trust` answers in advance; otherwise the fingerprint is
 * shown and the user asked; with nothing to ask (no TTY) the node is refused.
 */
import type { TrustCallback, TrustKind } from '../../../backends/lab-environment.ts';
import { normalizeFingerprint } from '../../../pve/tls-pinning.ts';
import type { LabCliIo } from './io.ts';

/** `--trust pve1=AB:CD:…` (a certificate) or `--trust pve1=SHA256:…` (an ssh host key). */
export function parseTrustAnswers(values: string[]): Map<string, string[]> | string {
  const answers = new Map<string, string[]>();
  for (const value of values) {
    const at = value.indexOf('=');
    const node = value.slice(0, at).trim();
    const fingerprint = value.slice(at + 1).trim();
    if (at <= 0 || fingerprint === '') return `--trust: expected <node>=<fingerprint>, got "${value}"`;
    answers.set(node, [...(answers.get(node) ?? []), fingerprint]);
  }
  return answers;
}

const isSshFingerprint = (fingerprint: string): boolean => fingerprint.startsWith('SHA256:');

export function terminalTrust(io: LabCliIo, answers: Map<string, string[]>): TrustCallback {
  return async (node: string, fingerprint: string, kind: TrustKind) => {
    const ssh = kind === 'ssh-host-key';
    const what = ssh ? 'ssh host key' : 'TLS certificate';
    const given = (answers.get(node) ?? []).filter((f) => isSshFingerprint(f) === ssh);
    if (given.length > 0) {
      const same = (f: string): boolean =>
        ssh ? f === fingerprint : normalizeFingerprint(f) === normalizeFingerprint(fingerprint);
      if (given.some(same)) return true;
      io.err(`${node}: its ${what} has fingerprint ${fingerprint}, not the one given with --trust`);
      return false;
    }
    if (!io.ask) {
      io.err(
        `${node}: its ${what} (fingerprint ${fingerprint}) cannot be confirmed without a terminal; ` +
          `if it is right, pass --trust ${node}=${fingerprint}`,
      );
      return false;
    }
    io.out(`${node} presents this ${what}:\n  ${fingerprint}`);
    const answer = await io.ask(ssh ? 'Trust this host key? [y/N] ' : 'Trust this certificate? [y/N] ');
    return /^y(es)?$/i.test(answer.trim());
  };
}
