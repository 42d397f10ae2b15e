/**
 * pve-common's CLIFormatter `print_api_result` as `pvesh` and `ha-manager rules list` use it: text
 * tables with UTF-8 borders (columns from the return schema, required then optional, sorted by
 * the first), objects as key/value tables, and `json`, `json-pretty`, `yaml` output formats.
 */
import type { ParamSchema } from '../http/api-schema.ts';

export interface FormatOptions {
  'output-format'?: string;
  noborder?: boolean;
  noheader?: boolean;
  'human-readable'?: boolean;
  quiet?: boolean;
}

/** pve-common's PVE::Format renderers (`bytes`, `duration`, `timestamp`, `fraction_as_percentage`). */
function render(renderer: string, value: unknown): string {
  const n = Number(value);
  switch (renderer) {
    case 'bytes': {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
      let unit = 0;
      let v = n;
      if (v > 1023) {
        unit = Math.floor(Math.log(v) / Math.log(1024));
        v /= 1024 ** unit;
      }
      return `${v.toFixed(2)} ${units[unit]}`;
    }
    case 'duration': {
      let rest = Math.round(n || 0);
      if (!rest) return '0s';
      const parts: string[] = [];
      for (const [unit, length] of [
        ['w', 604800],
        ['d', 86400],
        ['h', 3600],
        ['m', 60],
        ['s', 1],
      ] as const) {
        const v = Math.floor(rest / length);
        if (v > 0) {
          parts.push(`${v}${unit}`);
          rest -= v * length;
        }
      }
      return parts.join(' ');
    }
    case 'timestamp':
    case 'timestamp_gmt':
      return new Date(n * 1000).toISOString().replace('T', ' ').slice(0, 19);
    case 'fraction_as_percentage':
      return `${(n * 100).toFixed(2)}%`;
    default:
      return stringify(value);
  }
}

/** Perl JSON with `canonical`: keys sorted. */
function canonicalJson(value: unknown, pretty: boolean): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return pretty ? `${JSON.stringify(sort(value), null, 3)}\n` : JSON.stringify(sort(value));
}

function stringify(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? canonicalJson(value, false) : String(value);
}

function dataToText(value: unknown, prop: ParamSchema | undefined, options: FormatOptions): string {
  if (value === undefined || value === null) return '';
  if (options['human-readable'] !== false && prop) {
    if (prop.type === 'boolean') return value && value !== '0' ? '1' : '0';
    const renderer = prop['renderer'];
    if (typeof renderer === 'string') return render(renderer, value);
  }
  return stringify(value);
}

/** CLIFormatter's extract_properties_to_print: required keys sorted, then optional keys sorted. */
function propertiesToPrint(props: Record<string, ParamSchema> | undefined): string[] {
  const entries = Object.entries(props ?? {});
  const required = entries.filter(([, p]) => !p.optional).map(([k]) => k);
  const optional = entries.filter(([, p]) => p.optional).map(([k]) => k);
  return [...required.sort(), ...optional.sort()];
}

export function textTable(
  data: Record<string, unknown>[],
  props: Record<string, ParamSchema>,
  columns: string[],
  options: FormatOptions,
  sortKey: string | 0 | undefined = columns[0],
): string {
  const rows = [...data];
  if (sortKey !== undefined && sortKey !== 0) {
    const numeric = ['integer', 'number'].includes(props[sortKey]?.type ?? 'string');
    rows.sort((a, b) => {
      const x = a[sortKey];
      const y = b[sortKey];
      if (x === undefined || x === null) return y === undefined || y === null ? 0 : -1;
      if (y === undefined || y === null) return 1;
      if (numeric) return Number(x) - Number(y);
      const sx = String(x);
      const sy = String(y);
      return sx < sy ? -1 : sx > sy ? 1 : 0; // Perl `cmp`: code points, not locale
    });
  }
  const cells = rows.map((row) => columns.map((c) => dataToText(row[c], props[c], options).split('\n')));
  const widths = columns.map((c, i) =>
    Math.max(
      (props[c]?.['title'] as string | undefined)?.length ?? c.length,
      ...cells.map((r) => Math.max(...r[i]!.map((l) => l.length))),
    ),
  );
  const titles = columns.map((c) => (props[c]?.['title'] as string | undefined) ?? c);
  const right = columns.map((c) => ['integer', 'number'].includes(props[c]?.type ?? 'string'));
  const cell = (text: string, i: number): string =>
    right[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
  const border = !options.noborder;
  const line = (parts: string[]): string =>
    border
      ? `│ ${parts.map((p, i) => cell(p, i)).join(' │ ')} │`
      : parts.map((p, i) => (i === parts.length - 1 ? p : cell(p, i))).join(' ');
  const rule = (l: string, m: string, r: string, fill: string): string =>
    `${l}${widths.map((w) => fill.repeat(w + 2)).join(m)}${r}`;
  const out: string[] = [];
  if (border) out.push(rule('┌', '┬', '┐', '─'));
  if (!options.noheader) out.push(line(titles));
  cells.forEach((row, index) => {
    if (border && (index !== 0 || !options.noheader))
      out.push(index === 0 ? rule('╞', '╪', '╡', '═') : rule('├', '┼', '┤', '─'));
    const height = Math.max(...row.map((c) => c.length));
    for (let l = 0; l < height; l++) out.push(line(row.map((c) => c[l] ?? '')));
  });
  if (border) out.push(rule('└', '┴', '┘', '─'));
  return `${out.join('\n')}\n`;
}

/** YAML as YAML::XS dumps simple API data. */
function yaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]\n';
    return value
      .map((item) => {
        const text = yaml(item, `${indent}  `);
        return typeof item === 'object' && item !== null
          ? `${indent}- ${text.trimStart()}`
          : `${indent}- ${text.trim()}\n`;
      })
      .join('');
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    if (keys.length === 0) return '{}\n';
    return keys
      .map((k) => {
        const v = (value as Record<string, unknown>)[k];
        return typeof v === 'object' && v !== null
          ? `${indent}${k}:\n${yaml(v, `${indent}  `)}`
          : `${indent}${k}: ${yaml(v).trim()}\n`;
      })
      .join('');
  }
  if (value === null || value === undefined) return '~\n';
  if (typeof value === 'string' && (value === '' || /[:#{}[\],&*!|>'"%@`]|^\s|\s$/.test(value)))
    return `'${value.replace(/'/g, "''")}'\n`;
  return `${String(value)}\n`;
}

/** The text `print_api_result` prints for `data` returned by an endpoint with `returns`. */
export function formatApiResult(
  data: unknown,
  returns: ParamSchema | undefined,
  options: FormatOptions = {},
  columns?: string[],
  sortKey?: string | 0,
): string {
  if (options.quiet) return '';
  const schema: ParamSchema =
    returns?.type !== undefined
      ? returns
      : { type: guessType(data), items: { type: guessType((data as unknown[])?.[0]) } };
  if (schema.type === 'null') return '';
  if (schema.optional && (data === undefined || data === null)) return '';
  const format = options['output-format'] ?? 'text';
  if (format === 'json') return `${canonicalJson(data ?? null, false)}\n`;
  if (format === 'json-pretty') return canonicalJson(data ?? null, true);
  if (format === 'yaml') return `---\n${yaml(data)}`;
  if (schema.type === 'object') {
    const record = (data ?? {}) as Record<string, unknown>;
    let keys = columns ?? propertiesToPrint(schema.properties);
    if (keys.length === 0) keys = Object.keys(record).sort();
    const kv = keys
      .filter((k) => record[k] !== undefined && record[k] !== null)
      .map((k) => ({ key: k, value: dataToText(record[k], schema.properties?.[k], options) }));
    return textTable(kv, {}, ['key', 'value'], options);
  }
  if (schema.type === 'array') {
    const list = Array.isArray(data) ? data : [];
    if (list.length === 0) return '';
    if (
      schema.items?.type === 'object' ||
      (schema.items?.type === undefined && typeof list[0] === 'object')
    ) {
      const props = schema.items?.properties ?? {};
      let keys = columns ?? propertiesToPrint(props);
      if (keys.length === 0) keys = [...new Set(list.flatMap((o) => Object.keys(o as object)))].sort();
      return textTable(list as Record<string, unknown>[], props, keys, options, sortKey ?? keys[0]);
    }
    return textTable(
      list.map((value) => ({ value })),
      { value: schema.items ?? {} },
      ['value'],
      options,
    );
  }
  return `${dataToText(data, schema, options)}\n`;
}

function guessType(data: unknown): ParamSchema['type'] {
  if (data === undefined || data === null) return 'null';
  if (Array.isArray(data)) return 'array';
  return typeof data === 'object' ? 'object' : 'string';
}
