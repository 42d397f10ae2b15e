/**
 * The part of bash's grammar the courses type: words with quotes and backslashes, `#` comments,
 * command lists joined by `;`, `&&` and `||`, pipelines joined by `|`, and `2>&1` / `> /dev/null`
 * (the only redirections the simulated machine honours). No expansion beyond `$?` and `~`.
 */
import { UsageError } from './command-line.ts';

export interface SimpleCommand {
  words: string[];
  /** `> /dev/null` (or `&> /dev/null`): standard output is discarded. */
  discardOutput: boolean;
}

export interface Pipeline {
  commands: SimpleCommand[];
}

export interface ListItem {
  pipeline: Pipeline;
  /** How this item runs after the previous one: always, only on success, only on failure. */
  after: ';' | '&&' | '||';
}

type Token = { kind: 'word'; text: string; quoted: boolean } | { kind: 'op'; text: ';' | '&&' | '||' | '|' };

function lex(line: string, lastExit: number): Token[] {
  const tokens: Token[] = [];
  let current = '';
  let inWord = false;
  let quoted = false;
  const endWord = (): void => {
    if (inWord) tokens.push({ kind: 'word', text: current, quoted });
    current = '';
    inWord = false;
    quoted = false;
  };
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === "'" || char === '"') {
      const close = line.indexOf(char, i + 1);
      if (close === -1) throw new UsageError(`unexpected EOF while looking for matching \`${char}'`);
      let text = line.slice(i + 1, close);
      if (char === '"') text = text.replace(/\\(["\\$`])/g, '$1').replaceAll('$?', String(lastExit));
      current += text;
      inWord = true;
      quoted = true;
      i = close;
    } else if (char === '\\' && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
      quoted = true;
    } else if (char === '#' && !inWord) {
      break; // a comment runs to the end of the line
    } else if (/\s/.test(char)) {
      endWord();
    } else if (char === ';') {
      endWord();
      tokens.push({ kind: 'op', text: ';' });
    } else if (char === '&' && line[i + 1] === '&') {
      endWord();
      tokens.push({ kind: 'op', text: '&&' });
      i++;
    } else if (char === '|' && line[i + 1] === '|') {
      endWord();
      tokens.push({ kind: 'op', text: '||' });
      i++;
    } else if (char === '|') {
      endWord();
      tokens.push({ kind: 'op', text: '|' });
    } else if (char === '$' && line[i + 1] === '?') {
      current += String(lastExit);
      inWord = true;
      i++;
    } else {
      current += char;
      inWord = true;
    }
  }
  endWord();
  return tokens;
}

/** Parses one command line; throws `UsageError` with bash's message on a syntax error. */
export function parseCommandLine(line: string, lastExit = 0): ListItem[] {
  const tokens = lex(line, lastExit);
  const items: ListItem[] = [];
  let after: ListItem['after'] = ';';
  let commands: SimpleCommand[] = [];
  let words: string[] = [];
  let discardOutput = false;
  const syntaxError = (near: string): UsageError =>
    new UsageError(`syntax error near unexpected token \`${near}'`);

  const endCommand = (op: string): void => {
    if (words.length === 0) throw syntaxError(op);
    commands.push({
      words: words.map((w) => (w === '~' ? '/root' : w.replace(/^~\//, '/root/'))),
      discardOutput,
    });
    words = [];
    discardOutput = false;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === 'word') {
      const redirect = !token.quoted ? /^(&>|>|1>|2>)(.*)$/.exec(token.text) : null;
      if (token.text === '2>&1' && !token.quoted) continue;
      if (redirect) {
        let target = redirect[2]!;
        if (target === '') {
          const next = tokens[i + 1];
          if (next?.kind !== 'word') throw syntaxError(next?.text ?? 'newline');
          target = next.text;
          i++;
        }
        if (target !== '/dev/null') throw new UsageError(`${target}: Read-only file system`);
        if (redirect[1] !== '2>') discardOutput = true;
        continue;
      }
      words.push(token.text);
      continue;
    }
    if (token.text === '|') {
      endCommand('|');
      continue;
    }
    if (words.length === 0 && commands.length === 0) throw syntaxError(token.text);
    endCommand(token.text);
    items.push({ pipeline: { commands }, after });
    commands = [];
    after = token.text;
  }
  if (words.length > 0) endCommand('newline');
  else if (commands.length > 0) throw syntaxError('newline'); // a trailing `|`
  if (commands.length > 0) items.push({ pipeline: { commands }, after });
  else if (after !== ';') throw syntaxError('newline');
  return items;
}
