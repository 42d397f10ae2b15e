import { describe, expect, it } from 'vitest';

import { TerminalsState, type TerminalSink } from '../../../../renderer/lib/state/terminals.svelte.ts';
import { FakeEngine } from '../../support/fake-client.ts';

function recordingSink() {
  const screen: string[] = [];
  const sink: TerminalSink & { screen: string[]; exitCode: number | null } = {
    screen,
    exitCode: null,
    reset: (scrollback) => {
      screen.length = 0;
      screen.push(scrollback);
    },
    write: (data) => screen.push(data),
    exited: (code) => (sink.exitCode = code),
  };
  return sink;
}

/** terminal.open names a node or the host; the fakes answer for the node name. */
const openAs = <T>(node: string, answer: (p: { node: string }) => T): T => answer({ node });

describe('TerminalsState', () => {
  it('replays the scroll-back, then routes live output of that session only', async () => {
    const fake = new FakeEngine({
      'terminal.open': (p) =>
        openAs('node' in p ? p.node : '@host', ({ node }) => ({
          id: `t-${node}`,
          node,
          scrollback: 'root@pve1:~# ',
        })),
    });
    const terminals = new TerminalsState(fake.client);
    const pve1 = recordingSink();
    await terminals.attach('pve1', pve1);
    fake.emit('terminal.data', { id: 't-pve1', data: 'pvecm status\r\n' });
    fake.emit('terminal.data', { id: 't-pve2', data: 'not mine' });
    fake.emit('terminal.exit', { id: 't-pve1', code: 0 });
    expect(pve1.screen.join('')).toBe('root@pve1:~# pvecm status\r\n');
    expect(pve1.exitCode).toBe(0);
  });

  it('sends keystrokes and sizes to the node’s session', async () => {
    const fake = new FakeEngine({
      'terminal.open': (p) =>
        openAs('node' in p ? p.node : '@host', ({ node }) => ({ id: `t-${node}`, node, scrollback: '' })),
      'terminal.input': () => null,
      'terminal.resize': () => null,
    });
    const terminals = new TerminalsState(fake.client);
    await terminals.attach('pve2', recordingSink());
    terminals.input('pve2', 'qm list\r');
    terminals.resize('pve2', 120, 40);
    terminals.resize('pve2', 3, 1); // a hidden terminal measures nonsense: not sent
    await Promise.resolve();
    expect(fake.callsOf('terminal.input')).toEqual([{ id: 't-pve2', data: 'qm list\r' }]);
    expect(fake.callsOf('terminal.resize')).toEqual([{ id: 't-pve2', cols: 120, rows: 40 }]);
  });

  it('re-opens attached sessions after a reconnect so output missed meanwhile is replayed', async () => {
    let scrollback = 'before';
    const fake = new FakeEngine({
      'terminal.open': (p) =>
        openAs('node' in p ? p.node : '@host', ({ node }) => ({ id: `t-${node}`, node, scrollback })),
    });
    const terminals = new TerminalsState(fake.client);
    const sink = recordingSink();
    await terminals.attach('pve1', sink);
    scrollback = 'before and during the outage';
    await terminals.reattachAll();
    expect(sink.screen).toEqual(['before and during the outage']);
  });

  it('keeps the reason when a terminal cannot open', async () => {
    const terminals = new TerminalsState(new FakeEngine({}).client);
    expect(await terminals.attach('pve9', recordingSink())).toBeNull();
    expect(terminals.error('pve9')).toBe('No fake handler for terminal.open');
  });

  it('shows one session in two places (terminal tab and Datacenter shell); detaching one keeps the other', async () => {
    const fake = new FakeEngine({
      'terminal.open': (params) => {
        const node = 'node' in params ? params.node : '@host';
        return { id: `t-${node}`, node, scrollback: '$ ' };
      },
    });
    const terminals = new TerminalsState(fake.client);
    const tab = recordingSink();
    const shell = recordingSink();
    await terminals.attach('pve1', tab);
    await terminals.attach('pve1', shell);
    fake.emit('terminal.data', { id: 't-pve1', data: 'ls\r\n' });
    terminals.detach('pve1', shell);
    fake.emit('terminal.data', { id: 't-pve1', data: 'more' });
    expect(tab.screen.join('')).toBe('$ ls\r\nmore');
    expect(shell.screen.join('')).toBe('$ ls\r\n');
  });
});
