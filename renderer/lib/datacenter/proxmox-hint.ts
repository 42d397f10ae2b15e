/** NestLab's hint under a Proxmox error text, where one helps (the Proxmox text stays as it is). */
import type { DcKey } from './messages/en.ts';

const HINTS: [RegExp, DcKey][] = [
  [/authentication failure|401/i, 'hint.auth'],
  [/no quorum|cluster not ready/i, 'hint.quorum'],
  [/fingerprint/i, 'hint.fingerprint'],
  [/already exists|already in use/i, 'hint.exists'],
  [
    /does not answer|no node answered|connection (closed|refused)|ECONNREFUSED|timed? ?out/i,
    'hint.unreachable',
  ],
];

export function proxmoxHint(text: string): DcKey | null {
  return HINTS.find(([pattern]) => pattern.test(text))?.[1] ?? null;
}
