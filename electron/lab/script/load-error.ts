/** One problem in a lab file, positioned so an editor (or a teacher) can jump to it. */
export interface LabLoadError {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Field path, e.g. `steps[2].checks[0].expect`; empty for the whole file. */
  field: string;
  message: string;
  expected?: string;
  got?: string;
  didYouMean?: string;
}

/**
 * Control characters (C0, DEL, C1) and bidirectional overrides, shown escaped: a lab file is quoted
 * in messages printed to a teacher's terminal, and raw escape sequences there could clear the
 * screen, forge lines or plant links.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function escapeControl(text: string, { keepLines = false }: { keepLines?: boolean } = {}): string {
  return text.replace(UNSAFE, (c) => {
    if (keepLines && (c === '\n' || c === '\t')) return c;
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * `file:line:column field: message (expected …, got …) — did you mean "x"?`, on one line, with
 * every control character escaped (every command and the app show load errors through here).
 */
export function formatLoadError(e: LabLoadError): string {
  return escapeControl(formatRaw(e));
}

function formatRaw(e: LabLoadError): string {
  const where = `${e.file}:${e.line}:${e.column}`;
  const field = e.field ? ` ${e.field}:` : '';
  const detail = [e.expected ? `expected ${e.expected}` : '', e.got ? `got ${e.got}` : '']
    .filter(Boolean)
    .join(', ');
  const hint = e.didYouMean ? ` — did you mean "${e.didYouMean}"?` : '';
  return `${where}${field} ${e.message}${detail ? ` (${detail})` : ''}${hint}`;
}

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}
