/**
 * Command-line handling in the style of PVE's CLIHandler: shell-like tokenizing, positional
 * arguments, then `--option value` (also `-option value`, `--option=value`; booleans may omit
 * the value), and the real usage errors.
 */

export class UsageError extends Error {
  constructor(
    message: string,
    /** Lines printed before the `400 …` line, e.g. `Unknown option: foo`. */
    readonly preamble: string[] = [],
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Splits a command line like a POSIX shell would (quotes and backslashes; no expansion). */
export function tokenize(line: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let inToken = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += char;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      inToken = true;
    } else if (char === '\\' && i + 1 < line.length) {
      current += line[++i];
      inToken = true;
    } else if (/\s/.test(char)) {
      if (inToken) tokens.push(current);
      current = '';
      inToken = false;
    } else {
      current += char;
      inToken = true;
    }
  }
  if (quote) throw new UsageError(`unexpected EOF while looking for matching \`${quote}'`);
  if (inToken) tokens.push(current);
  return tokens;
}

export interface OptionSpec {
  name: string;
  boolean: boolean;
}

export interface ParsedArgs {
  positional: Record<string, string>;
  options: Record<string, string>;
}

const BOOLEAN_VALUE = /^(?:0|1|true|false|yes|no|on|off)$/i;

/**
 * Parses `tokens` for a command with positional `args` and the given options. Options may be
 * indexed (`link0` for a spec `link[n]`).
 */
export function parseArgs(tokens: string[], args: string[], options: OptionSpec[]): ParsedArgs {
  const byName = new Map(options.map((o) => [o.name, o]));
  const lookup = (name: string): OptionSpec | undefined => {
    const direct = byName.get(name);
    if (direct) return direct;
    const indexed = /^(.*?)(\d+)$/.exec(name);
    return indexed ? byName.get(`${indexed[1]}[n]`) : undefined;
  };
  const positionalValues: string[] = [];
  const parsedOptions: Record<string, string> = {};
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (/^--?[A-Za-z]/.test(token)) {
      let name = token.replace(/^--?/, '');
      let value: string | undefined;
      const eq = name.indexOf('=');
      if (eq !== -1) {
        value = name.slice(eq + 1);
        name = name.slice(0, eq);
      }
      const spec = lookup(name);
      if (!spec) throw new UsageError('unable to parse option', [`Unknown option: ${name}`]);
      if (value === undefined) {
        const next = tokens[i + 1];
        if (spec.boolean) {
          if (next !== undefined && BOOLEAN_VALUE.test(next)) {
            value = next;
            i++;
          } else {
            value = '1';
          }
        } else {
          if (next === undefined)
            throw new UsageError('unable to parse option', [`Option ${name} requires an argument`]);
          value = next;
          i++;
        }
      }
      parsedOptions[name] = value;
    } else {
      positionalValues.push(token);
    }
  }
  if (positionalValues.length < args.length) throw new UsageError('not enough arguments');
  if (positionalValues.length > args.length) throw new UsageError('too many arguments');
  const positional: Record<string, string> = {};
  args.forEach((name, i) => (positional[name] = positionalValues[i]!));
  return { positional, options: parsedOptions };
}

/** A parameter the CLI itself rejected, printed like the API's `400 Parameter verification failed.` */
export class ParameterError extends Error {
  constructor(readonly errors: Record<string, string>) {
    super('Parameter verification failed.');
    this.name = 'ParameterError';
  }
}
