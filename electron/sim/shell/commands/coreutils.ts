/**
 * The everyday commands of a Debian root shell the courses type between Proxmox tools: bash's
 * builtins (`cd`, `pwd`, `echo`, `exit`, `history`), coreutils/procps over the node's read-only
 * files (`ls`, `cat`, `head`, `tail`, `wc`, `grep`, `less`, `more`), `sleep`, `clear`, `watch`,
 * `date`, `hostname`. Messages and exit codes are those of the GNU tools.
 */
import type { CommandContext, ShellCommand } from '../command.ts';
import { ctimeDate } from './pvecm.ts';
import { VirtualFs } from '../virtual-fs.ts';

function fs(ctx: CommandContext): VirtualFs {
  return new VirtualFs(ctx.local.files(ctx.node), ctx.node);
}

/** Splits `-abc` style flags from operands; `--` ends the flags. Values for `valued` flags. */
function flags(
  args: string[],
  valued: string[] = [],
): { set: Set<string>; values: Record<string, string>; operands: string[] } {
  const set = new Set<string>();
  const values: Record<string, string> = {};
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (/^--[a-z]/.test(arg)) {
      const [name, value] = arg.slice(2).split('=', 2) as [string, string | undefined];
      if (valued.includes(name)) values[name] = value ?? args[++i] ?? '';
      else set.add(name);
    } else if (/^-[A-Za-z0-9]/.test(arg) && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const flag = arg[j]!;
        if (valued.includes(flag)) {
          values[flag] = arg.slice(j + 1) || (args[++i] ?? '');
          break;
        }
        set.add(flag);
      }
    } else {
      operands.push(arg);
    }
  }
  return { set, values, operands };
}

/** The text a filter reads: its files, or what was piped in. */
function input(ctx: CommandContext, tool: string, files: string[]): { text: string; failed: boolean } {
  if (files.length === 0) return { text: ctx.io.stdin ?? '', failed: false };
  const view = fs(ctx);
  let text = '';
  let failed = false;
  for (const file of files) {
    const path = view.resolve(file, ctx.login.cwd);
    const content = view.read(path);
    if (content !== undefined) text += content;
    else {
      failed = true;
      ctx.io.write(
        view.isDir(path)
          ? `${tool}: ${file}: Is a directory\n`
          : `${tool}: ${file}: No such file or directory\n`,
      );
    }
  }
  return { text, failed };
}

function lines(text: string): string[] {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all;
}

function count(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value.replace(/^\+/, ''));
  return Number.isFinite(n) ? Math.abs(Math.trunc(n)) : fallback;
}

/** `-N` shorthand of head/tail (`head -5`). */
function shorthandCount(args: string[]): string[] {
  return args.map((a) => (/^-\d+$/.test(a) ? `-n${a.slice(1)}` : a));
}

/** A grep pattern (basic regular expression unless -E/-F) as a JavaScript RegExp. */
function grepRegExp(
  pattern: string,
  extended: boolean,
  fixed: boolean,
  ignoreCase: boolean,
  word: boolean,
): RegExp {
  let source: string;
  if (fixed) source = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  else if (extended) source = pattern;
  else {
    // BRE: `\|`, `\(`, `\)`, `\{`, `\}`, `\+`, `\?` are the operators; the bare characters are literal.
    source = pattern.replace(/\\([|(){}+?])|([|(){}+?])/g, (_m, escaped: string, bare: string) =>
      escaped !== undefined ? escaped : `\\${bare}`,
    );
  }
  if (word) source = `(?<![A-Za-z0-9_])(?:${source})(?![A-Za-z0-9_])`;
  return new RegExp(source, ignoreCase ? 'i' : '');
}

export const coreutils: Record<string, ShellCommand> = {
  async echo(ctx, args) {
    let newline = true;
    let escapes = false;
    let i = 0;
    for (; i < args.length && /^-[neE]+$/.test(args[i]!); i++) {
      if (args[i]!.includes('n')) newline = false;
      if (args[i]!.includes('e')) escapes = true;
    }
    let text = args.slice(i).join(' ');
    if (escapes) text = text.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
    ctx.io.write(`${text}${newline ? '\n' : ''}`);
    return 0;
  },

  async sleep(ctx, args) {
    if (args.length === 0) {
      ctx.io.write("sleep: missing operand\nTry 'sleep --help' for more information.\n");
      return 1;
    }
    let ms = 0;
    for (const arg of args) {
      const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(arg);
      if (!match) {
        ctx.io.write(`sleep: invalid time interval '${arg}'\nTry 'sleep --help' for more information.\n`);
        return 1;
      }
      const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
      ms += Number(match[1]) * unit * 1000;
    }
    await ctx.local.sleep(ms, ctx.io.signal);
    return 0;
  },

  async clear(ctx) {
    ctx.io.session.clear();
    return 0;
  },

  async history(ctx, args) {
    const all = ctx.io.session.history();
    const limit = args[0] !== undefined && /^\d+$/.test(args[0]) ? Number(args[0]) : all.length;
    const start = Math.max(0, all.length - limit);
    for (let i = start; i < all.length; i++) ctx.io.write(`${String(i + 1).padStart(5)}  ${all[i]}\n`);
    return 0;
  },

  async exit(ctx, args) {
    ctx.io.write('logout\n');
    ctx.io.session.logout();
    return args[0] !== undefined && /^\d+$/.test(args[0]) ? Number(args[0]) & 255 : 0;
  },

  async logout(ctx, args) {
    return coreutils['exit']!(ctx, args);
  },

  async cd(ctx, args) {
    if (args.length > 1) {
      ctx.io.write('-bash: cd: too many arguments\n');
      return 1;
    }
    const view = fs(ctx);
    const target = view.resolve(args[0] ?? '/root', ctx.login.cwd);
    if (!view.isDir(target)) {
      const why = view.read(target) !== undefined ? 'Not a directory' : 'No such file or directory';
      ctx.io.write(`-bash: cd: ${args[0]}: ${why}\n`);
      return 1;
    }
    ctx.login.cwd = target;
    return 0;
  },

  async pwd(ctx) {
    ctx.io.write(`${ctx.login.cwd}\n`);
    return 0;
  },

  async ls(ctx, args) {
    const { set, operands } = flags(args);
    const long = set.has('l');
    const all = set.has('a') || set.has('A');
    // Like GNU ls: columns only on a terminal.
    const onePerLine = set.has('1') || long || ctx.io.stdoutPiped === true || !ctx.io.interactive;
    const view = fs(ctx);
    const targets = operands.length > 0 ? operands : ['.'];
    let status = 0;
    const blocks: string[] = [];
    for (const target of targets) {
      const path = view.resolve(target, ctx.login.cwd);
      if (view.read(path) !== undefined) {
        blocks.push(
          long ? `${longEntry(target, false, Buffer.byteLength(view.read(path)!), ctx)}\n` : `${target}\n`,
        );
        continue;
      }
      if (!view.isDir(path)) {
        ctx.io.write(`ls: cannot access '${target}': No such file or directory\n`);
        status = 2;
        continue;
      }
      const entries = view.list(path, all);
      const names = [...(set.has('a') ? ['.', '..'] : []), ...entries.map((e) => e.name)];
      let text = targets.length > 1 ? `${target}:\n` : '';
      if (long) {
        text += `total ${entries.length * 1}\n`;
        if (set.has('a')) text += `${longEntry('.', true, 0, ctx)}\n${longEntry('..', true, 0, ctx)}\n`;
        for (const e of entries) text += `${longEntry(e.name, e.dir, e.size, ctx)}\n`;
      } else if (names.length > 0) {
        text += onePerLine ? `${names.join('\n')}\n` : `${names.join('  ')}\n`;
      }
      blocks.push(text);
    }
    ctx.io.write(blocks.join(targets.length > 1 ? '\n' : ''));
    return status;
  },

  async cat(ctx, args) {
    const { operands } = flags(args);
    const { text, failed } = input(ctx, 'cat', operands);
    ctx.io.write(text);
    return failed ? 1 : 0;
  },

  async head(ctx, args) {
    const { values, operands } = flags(shorthandCount(args), ['n']);
    const { text, failed } = input(ctx, 'head', operands);
    const all = lines(text);
    const n = count(values['n'], 10);
    const shown = values['n']?.startsWith('-') ? all.slice(0, Math.max(0, all.length - n)) : all.slice(0, n);
    if (shown.length > 0) ctx.io.write(`${shown.join('\n')}\n`);
    return failed ? 1 : 0;
  },

  async tail(ctx, args) {
    const { set, values, operands } = flags(shorthandCount(args), ['n']);
    if (set.has('f') && operands.length > 0) {
      ctx.io.write(
        `tail: cannot follow '${operands[0]}' on the simulated node; use journalctl -f -u <unit>\n`,
      );
      return 1;
    }
    const { text, failed } = input(ctx, 'tail', operands);
    const all = lines(text);
    const spec = values['n'];
    const n = count(spec, 10);
    const shown = spec?.startsWith('+')
      ? all.slice(Math.max(0, n - 1))
      : all.slice(Math.max(0, all.length - n));
    if (shown.length > 0) ctx.io.write(`${shown.join('\n')}\n`);
    return failed ? 1 : 0;
  },

  async wc(ctx, args) {
    const { set, operands } = flags(args);
    const { text, failed } = input(ctx, 'wc', operands);
    const l = (text.match(/\n/g) ?? []).length;
    const w = text.split(/\s+/).filter((x) => x !== '').length;
    const c = Buffer.byteLength(text);
    const chosen = [set.has('l') && l, set.has('w') && w, set.has('c') && c].filter((x) => x !== false);
    const numbers = chosen.length > 0 ? (chosen as number[]) : [l, w, c];
    const width = operands.length > 0 || numbers.length > 1 ? Math.max(String(c).length, 1) : 0;
    const suffix = operands.length === 1 ? ` ${operands[0]}` : '';
    ctx.io.write(`${numbers.map((n) => String(n).padStart(width)).join(' ')}${suffix}\n`);
    return failed ? 1 : 0;
  },

  async grep(ctx, args) {
    const { set, values, operands } = flags(args, ['e', 'm', 'A', 'B', 'C']);
    const pattern = values['e'] ?? operands.shift();
    if (pattern === undefined) {
      ctx.io.write("Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n");
      return 2;
    }
    let regexp: RegExp;
    try {
      regexp = grepRegExp(pattern, set.has('E'), set.has('F'), set.has('i'), set.has('w'));
    } catch {
      ctx.io.write('grep: Unmatched ( or \\(\n');
      return 2;
    }
    const { text, failed } = input(ctx, 'grep', operands);
    const invert = set.has('v');
    const max = values['m'] !== undefined ? Number(values['m']) : Infinity;
    const after = Number(values['A'] ?? values['C'] ?? 0);
    const before = Number(values['B'] ?? values['C'] ?? 0);
    const all = lines(text);
    const hits: number[] = [];
    all.forEach((line, i) => {
      if (hits.length < max && regexp.test(line) !== invert) hits.push(i);
    });
    if (set.has('q')) return hits.length > 0 ? 0 : failed ? 2 : 1;
    if (set.has('c')) ctx.io.write(`${hits.length}\n`);
    else if (hits.length > 0) {
      // Context lines (-A/-B/-C), groups apart separated by `--` as GNU grep does.
      const shown = new Set<number>();
      for (const i of hits)
        for (let j = Math.max(0, i - before); j <= Math.min(all.length - 1, i + after); j++) shown.add(j);
      const out: string[] = [];
      let previous = -2;
      for (const i of [...shown].sort((a, b) => a - b)) {
        if ((after > 0 || before > 0) && previous >= 0 && i > previous + 1) out.push('--');
        out.push(set.has('n') ? `${i + 1}${hits.includes(i) ? ':' : '-'}${all[i]}` : all[i]!);
        previous = i;
      }
      ctx.io.write(`${out.join('\n')}\n`);
    }
    return failed ? 2 : hits.length > 0 ? 0 : 1;
  },

  async true() {
    return 0;
  },

  async false() {
    return 1;
  },

  async ':'() {
    return 0;
  },

  async less(ctx, args) {
    return coreutils['cat']!(ctx, args);
  },

  async more(ctx, args) {
    return coreutils['cat']!(ctx, args);
  },

  async hostname(ctx, args) {
    const { set } = flags(args);
    if (set.has('I') || set.has('i')) ctx.io.write(`${ctx.local.nodeIp(ctx.node)} \n`);
    else if (set.has('f')) ctx.io.write(`${ctx.node}.lab.local\n`);
    else ctx.io.write(`${ctx.node}\n`);
    return 0;
  },

  async date(ctx) {
    const text = ctimeDate(ctx.local.epochMs());
    // `date` puts the zone before the year: `Fri Dec  4 01:40:00 UTC 2026`.
    ctx.io.write(`${text.slice(0, -5)} UTC ${text.slice(-4)}\n`);
    return 0;
  },

  async watch(ctx, args) {
    let interval = 2;
    let title = true;
    let i = 0;
    for (; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === '-n' || arg === '--interval') interval = Number(args[++i]);
      else if (/^-n\d/.test(arg)) interval = Number(arg.slice(2));
      else if (arg.startsWith('--interval=')) interval = Number(arg.slice(11));
      else if (arg === '-t' || arg === '--no-title') title = false;
      else break;
    }
    const command = args.slice(i).join(' ');
    if (command === '' || !Number.isFinite(interval)) {
      ctx.io.write('Usage:\n watch [options] command\n');
      return 1;
    }
    interval = Math.max(0.1, interval);
    for (;;) {
      let output = '';
      const inner = { ...ctx.io, write: (text: string) => void (output += text), stdoutPiped: true };
      await ctx.runLine(command, inner);
      if (ctx.io.signal.aborted) return 0;
      if (ctx.io.interactive) ctx.io.session.clear();
      if (title) {
        const left = `Every ${interval.toFixed(1)}s: ${command}`;
        const right = `${ctx.node}: ${ctimeDate(ctx.local.epochMs())}`;
        ctx.io.write(`${left}${' '.repeat(Math.max(1, 80 - left.length - right.length))}${right}\n\n`);
      }
      ctx.io.write(output);
      // Without a terminal there is nothing to refresh: one round, as `watch -g`-style scripts expect.
      if (!ctx.io.interactive) return 0;
      try {
        await ctx.local.sleep(interval * 1000, ctx.io.signal);
      } catch {
        return 0;
      }
    }
  },
};

function longEntry(name: string, dir: boolean, size: number, ctx: CommandContext): string {
  const date = new Date(ctx.local.epochMs());
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][
    date.getUTCMonth()
  ];
  const stamp = `${month} ${String(date.getUTCDate()).padStart(2)} ${String(date.getUTCHours()).padStart(2, '0')}:${String(date.getUTCMinutes()).padStart(2, '0')}`;
  const inPve = ctx.login.cwd.startsWith('/etc/pve');
  const mode = dir ? 'drwxr-xr-x' : inPve ? '-rw-r-----' : '-rw-r--r--';
  const group = inPve ? 'www-data' : 'root';
  return `${mode} ${dir ? 2 : 1} root ${group} ${String(size).padStart(5)} ${stamp} ${name}`;
}
