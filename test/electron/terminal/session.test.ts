import { describe, expect, it } from 'vitest';

import type { PtyLike } from '../../../electron/terminal/pty.ts';
import { TerminalManager } from '../../../electron/terminal/manager.ts';
import { TerminalSession } from '../../../electron/terminal/session.ts';

class FakePty implements PtyLike {
  written: string[] = [];
  sizes: [number, number][] = [];
  killed = false;
  #data = new Set<(d: string) => void>();
  #exit = new Set<(c: number) => void>();
  write(data: string): void {
    this.written.push(data);
  }
  resize(cols: number, rows: number): void {
    this.sizes.push([cols, rows]);
  }
  onData(l: (d: string) => void): () => void {
    this.#data.add(l);
    return () => this.#data.delete(l);
  }
  onExit(l: (c: number) => void): () => void {
    this.#exit.add(l);
    return () => this.#exit.delete(l);
  }
  kill(): void {
    this.killed = true;
  }
  emit(data: string): void {
    for (const l of this.#data) l(data);
  }
  exit(code: number): void {
    for (const l of this.#exit) l(code);
  }
}

function manualTimers(): { setTimer: (fn: () => void) => void; fire: () => void } {
  const queue: (() => void)[] = [];
  return { setTimer: (fn) => void queue.push(fn), fire: () => queue.splice(0).forEach((fn) => fn()) };
}

describe('terminal session', () => {
  it('batches output into one message per frame', () => {
    const pty = new FakePty();
    const timers = manualTimers();
    const sent: string[] = [];
    new TerminalSession({
      id: 't',
      node: 'pve1',
      pty,
      onData: (d) => sent.push(d),
      onExit: () => {},
      setTimer: timers.setTimer,
    });
    pty.emit('root@');
    pty.emit('pve1');
    pty.emit(':~# ');
    expect(sent).toEqual([]);
    timers.fire();
    expect(sent).toEqual(['root@pve1:~# ']);
  });

  it('keeps a bounded scroll-back cut at a line boundary', () => {
    const pty = new FakePty();
    const timers = manualTimers();
    const session = new TerminalSession({
      id: 't',
      node: 'pve1',
      pty,
      onData: () => {},
      onExit: () => {},
      setTimer: timers.setTimer,
      scrollbackBytes: 20,
    });
    pty.emit('line-one\nline-two\nline-three\n');
    timers.fire();
    expect(session.scrollback.length).toBeLessThanOrEqual(20);
    expect(session.scrollback).toBe('line-two\nline-three\n');
  });

  it('flushes pending output before reporting the exit, then ignores input', () => {
    const pty = new FakePty();
    const timers = manualTimers();
    const events: string[] = [];
    const session = new TerminalSession({
      id: 't',
      node: 'pve1',
      pty,
      onData: (d) => events.push(`data:${d}`),
      onExit: (c) => events.push(`exit:${c}`),
      setTimer: timers.setTimer,
    });
    pty.emit('logout\n');
    pty.exit(0);
    expect(events).toEqual(['data:logout\n', 'exit:0']);
    session.write('ls\n');
    expect(pty.written).toEqual([]);
  });
});

describe('terminal manager', () => {
  it('reuses the live session of a node and replays its scroll-back', async () => {
    const ptys: FakePty[] = [];
    const manager = new TerminalManager(
      {
        open: async () => {
          const p = new FakePty();
          ptys.push(p);
          return p;
        },
      },
      { data: () => {}, exit: () => {} },
    );
    const first = await manager.open('pve1');
    const again = await manager.open('pve1');
    const other = await manager.open('pve2');
    expect(again.id).toBe(first.id);
    expect(other.id).not.toBe(first.id);
    expect(ptys).toHaveLength(2);
    manager.closeAll();
    expect(ptys.every((p) => p.killed)).toBe(true);
  });
});
