/** `{{name}}` placeholders in localized check messages, filled from a check's named `observe` values. */

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export function placeholderNames(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

export function fillPlaceholders(text: string, values: Record<string, unknown>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    if (!(name in values)) return whole;
    const value = values[name];
    if (value === undefined || value === null) return '—';
    return typeof value === 'string' ? value : JSON.stringify(value);
  });
}
