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

/** `file:line:column field: message (expected …, got …) — did you mean "x"?` */
export function formatLoadError(e: LabLoadError): string {
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
