import { describe, expect, it } from 'vitest';
import { ShellSession, type CommandLineRunner } from '../../../../electron/sim/shell/shell-session.ts';

function session(runner: CommandLineRunner): { shell: ShellSession; screen: () => string } {
  const shell = new ShellSession('node1', runner);
  let out = '';
  shell.onOutput((d) => (out += d));
  return { shell, screen: () => out };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('ShellSession', () => {
  it('echoes input, runs the line on Enter and prints the prompt again', async () => {
    const lines: string[] = [];
    const { shell, screen } = session(async (line, io) => {
      lines.push(line);
      io.write('hello\n');
      return 0;
    });
    shell.start();
    shell.write('echo hi\r');
    await tick();
    expect(lines).toEqual(['echo hi']);
    expect(screen()).toContain('root@node1:~# echo hi\r\nhello\r\nroot@node1:~# ');
  });

  it('edits with backspace and Ctrl-U, and recalls history with the arrow keys', async () => {
    const lines: string[] = [];
    const { shell } = session(async (line) => (lines.push(line), 0));
    shell.write('qm lisx\x7ft\r');
    await tick();
    shell.write('garbage\x15pvecm status\r');
    await tick();
    shell.write('\x1b[A\x1b[A\r');
    await tick();
    expect(lines).toEqual(['qm list', 'pvecm status', 'qm list']);
    expect(shell.commandHistory()).toEqual(['qm list', 'pvecm status', 'qm list']);
  });

  it('asks for a password without echoing it', async () => {
    let answer = '';
    const { shell, screen } = session(async (_line, io) => {
      answer = await io.readLine('Password: ', { echo: false });
      io.write('ok\n');
      return 0;
    });
    shell.write('pvecm add 10.0.0.1\r');
    await tick();
    shell.write('s3cret\r');
    await tick();
    expect(answer).toBe('s3cret');
    expect(screen()).toContain('Password: \r\nok\r\n');
    // The typed password is not echoed, not even as asterisks.
    expect(screen()).not.toContain('*');
    expect(screen()).not.toContain('s3cret');
  });

  it('interrupts a prompt with Ctrl-C', async () => {
    const { shell, screen } = session(async (_line, io) => {
      await io.readLine('Are you sure? ');
      return 0;
    });
    shell.write('x\r');
    await tick();
    shell.write('\x03');
    await tick();
    expect(screen()).toMatch(/\^C\r\ninterrupted\r\nroot@node1:~# $/);
    expect(shell.lastExitCode).toBe(130);
  });

  it('keeps what is typed while a command runs and replays it at the next prompt', async () => {
    let release: () => void = () => undefined;
    const lines: string[] = [];
    const { shell, screen } = session(async (line) => {
      lines.push(line);
      if (line === 'slow') await new Promise<void>((r) => (release = r));
      return 0;
    });
    shell.write('slow\r');
    await tick();
    shell.write('fast\r');
    await tick();
    expect(lines).toEqual(['slow']);
    release();
    await tick();
    await tick();
    expect(lines).toEqual(['slow', 'fast']);
    expect(screen()).toContain('root@node1:~# fast\r\n');
  });

  it('runs a line without a terminal, answering prompts from a list', async () => {
    const shell = new ShellSession('node2', async (_line, io) => {
      const a = await io.readLine('first: ');
      io.write(`got ${a}\n`);
      return 3;
    });
    expect(await shell.run('anything', ['yes'])).toEqual({ output: 'first: \ngot yes\n', exitCode: 3 });
  });
});
