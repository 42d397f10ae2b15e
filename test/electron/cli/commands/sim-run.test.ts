import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerSimRun } from '../../../../electron/cli/commands/sim-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'sim-run-'));

async function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const program = new Command('nestlab').exitOverride();
  registerSimRun(program.command('sim'));
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => ((out += String(c)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => ((err += String(c)), true));
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'nestlab', 'sim', 'run', ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { out, err, code };
}

afterEach(() => vi.restoreAllMocks());

describe('nestlab sim run', () => {
  it('prints the --json shape of the issue', async () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(
      file,
      'nodes: [node1, node2, node3]\nservices: [{ sid: vm:100, node: node2 }]\nevents: [{ at: 60, do: power node2 off }]\nuntil: 300\n',
    );
    const { out, code } = await run([file, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(out) as {
      final: {
        services: Record<string, { node: string; state: string }>;
        nodes: Record<string, { state: string }>;
        master: string;
      };
      transitions: { t: number; subject: string; from: string; to: string }[];
    };
    expect(result.final.services['vm:100']).toEqual({ node: 'node1', state: 'started' });
    expect(result.final.nodes.node2).toEqual({ state: 'unknown' });
    expect(result.final.master).toBe('node1');
    expect(result.transitions).toContainEqual(
      expect.objectContaining({ subject: 'vm:100', from: 'started', to: 'fence' }),
    );
    expect(result.transitions.every((t) => /^(vm:|ct:|node:|crm:|lrm:)/.test(t.subject))).toBe(true);
  });

  it('prints a readable log without --json', async () => {
    const file = join(dir, 'log.yaml');
    writeFileSync(
      file,
      'nodes: [node1, node2, node3]\nservices: [{ sid: vm:100, node: node2 }]\nevents: [{ at: 60, do: power node2 off }]\nuntil: 300\n',
    );
    const { out } = await run([file]);
    expect(out).toContain('>>> power node2 off');
    expect(out).toContain("fencing: acknowledged - got agent lock for node 'node2'");
    expect(out).toContain('vm:100: started on node1');
  });

  it('exits 1 with file:line: field for a bad file, never a stack trace', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'nodes: [node1, node2]\nevents:\n  - { at: 5, do: power node7 off }\n');
    const { err, code } = await run([file]);
    expect(code).toBe(1);
    expect(err).toMatch(/^nestlab sim run: .*bad\.yaml:3: events\.0\.do: unknown node 'node7'/);
    expect(err).not.toContain('    at ');
    const missing = await run([join(dir, 'missing.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('cannot read scenario file (ENOENT)');
  });
});
