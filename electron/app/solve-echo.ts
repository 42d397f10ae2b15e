/**
 * What NestLab did when it solved a step, as the commands a learner would have typed: the step's
 * declared shell path, or its API calls as `pvesh` commands (the shell's Proxmox API client).
 * Shown dimmed in the node's terminal, marked as NestLab's.
 */
import type { LabStep, SolveAction } from '../lab/script/schema.ts';

export interface SolveEcho {
  node: string;
  commands: string[];
}

const PVESH_VERB = { GET: 'get', POST: 'create', PUT: 'set', DELETE: 'delete' } as const;

function quote(value: string | number | boolean): string {
  const text = String(value);
  return /^[A-Za-z0-9_./:,=@+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function asCommand(action: SolveAction): { node: string | null; command: string } | null {
  switch (action.action) {
    case 'api': {
      const options = Object.entries(action.params ?? {}).map(([k, v]) => `--${k} ${quote(v)}`);
      return {
        node: action.node ?? null,
        command: ['pvesh', PVESH_VERB[action.method], action.path, ...options].join(' '),
      };
    }
    case 'shell':
      return { node: action.node, command: action.command };
    case 'hypervisor':
      return {
        node: null,
        command: `# ${action.operation} ${action.machine} (the machine's own power or cable, not a command)`,
      };
    default:
      return null;
  }
}

/** Per node, the commands (templates still in them; the caller renders). */
export function solveEchoes(step: LabStep, defaultNode: string): SolveEcho[] {
  const byNode = new Map<string, string[]>();
  const add = (node: string, command: string) => byNode.set(node, [...(byNode.get(node) ?? []), command]);
  if (step.shell && step.shell.length > 0) {
    for (const c of step.shell) add(c.node, c.command);
  } else {
    for (const action of step.solve) {
      const echo = asCommand(action);
      if (echo) add(echo.node ?? defaultNode, echo.command);
    }
  }
  return [...byNode].map(([node, commands]) => ({ node, commands }));
}

const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/** The dimmed block written into the terminal. */
export function echoText(title: string, commands: string[]): string {
  const lines = [`# NestLab solved "${title}" — the same as typing:`, ...commands.map((c) => `#   ${c}`)];
  return `\r\n${DIM}${lines.join('\r\n')}${RESET}\r\n`;
}
