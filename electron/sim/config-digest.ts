/**
 * Digests of the cluster's section-config files (`ha/resources.cfg`, `ha/rules.cfg`,
 * `ha/groups.cfg`, `storage.cfg`, `user.cfg`, …): the SHA-1 of the file's text, which every
 * read reports and a write may send back to detect a concurrent change. The wording of the
 * refusal is PVE::Tools::assert_if_modified's.
 */
import { createHash } from 'node:crypto';
import { SimApiError } from './http/route.ts';

export const MODIFIED_MESSAGE = 'detected modified configuration - file changed by other user? Try again.';

/** Renders sections `type: id` with indented `key value` lines, as SectionConfig writes them. */
export function sectionConfigText(
  sections: { type: string; id: string; values: Record<string, unknown> }[],
): string {
  return sections
    .map(({ type, id, values }) => {
      const lines = Object.entries(values)
        .filter(([, v]) => v !== undefined && v !== null && v !== '')
        .map(
          ([k, v]) =>
            `\t${k} ${Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean)}\n`,
        );
      return `${type}: ${id}\n${lines.join('')}`;
    })
    .join('\n');
}

export function digestOf(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** Refuses a write whose `digest` is not the file's current one (a missing digest passes). */
export function assertIfModified(sent: string | undefined, current: string): void {
  if (sent !== undefined && sent !== '' && sent.toLowerCase() !== current)
    throw new SimApiError(500, MODIFIED_MESSAGE);
}
