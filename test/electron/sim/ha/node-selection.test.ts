import { describe, expect, it } from 'vitest';
import {
  nodeAffinitySets,
  selectServiceNode,
  type SelectionInput,
} from '../../../../electron/sim/ha/node-selection.ts';

const base = (over: Partial<SelectionInput>): SelectionInput => ({
  currentNode: 'node1',
  onlineNodes: ['node1', 'node2', 'node3'],
  failback: true,
  pref: 'none',
  scores: () => ({ node1: 0, node2: 0, node3: 0 }),
  ...over,
});

describe('node affinity sets', () => {
  it('non-strict rule: rule nodes keep their priority, other online nodes join at -1', () => {
    const { allowed, pri } = nodeAffinitySets(['node1', 'node2', 'node3'], {
      nodes: { node2: 2, node3: 1 },
      strict: false,
    });
    expect([...allowed].sort()).toEqual(['node1', 'node2', 'node3']);
    expect([...pri]).toEqual(['node2']);
  });

  it('strict rule: only online rule nodes; none online → empty', () => {
    expect([...nodeAffinitySets(['node1', 'node3'], { nodes: { node2: 1 }, strict: true }).allowed]).toEqual(
      [],
    );
  });
});

describe('selectServiceNode', () => {
  it('without rules a running service stays where it is (no failback)', () => {
    expect(selectServiceNode(base({ currentNode: 'node3' }))).toBe('node3');
  });

  it('recovery (best-score) picks the lowest score, ties alphabetically', () => {
    const scores = () => ({ node1: 2, node2: 1, node3: 1 });
    expect(selectServiceNode(base({ currentNode: 'dead', pref: 'best-score', scores }))).toBe('node2');
  });

  it('failback moves to the highest-priority online node', () => {
    const affinity = { nodes: { node2: 2, node3: 1 }, strict: false };
    expect(selectServiceNode(base({ currentNode: 'node3', affinity }))).toBe('node2');
  });

  it('failback off keeps the service on any allowed node', () => {
    const affinity = { nodes: { node2: 2, node3: 1 }, strict: false };
    expect(selectServiceNode(base({ currentNode: 'node3', affinity, failback: false }))).toBe('node3');
  });

  it('strict rule with no online node: no node', () => {
    const affinity = { nodes: { node4: 1 }, strict: true };
    expect(selectServiceNode(base({ currentNode: 'node4', pref: 'best-score', affinity }))).toBeUndefined();
  });

  it('non-strict rule with its nodes offline falls back to other nodes', () => {
    const affinity = { nodes: { node4: 1 }, strict: false };
    expect(selectServiceNode(base({ currentNode: 'node4', pref: 'best-score', affinity }))).toBe('node1');
  });

  it('try-next skips failed nodes and takes the next best', () => {
    expect(selectServiceNode(base({ pref: 'try-next', failedNodes: ['node1'] }))).toBe('node2');
    expect(
      selectServiceNode(base({ pref: 'try-next', failedNodes: ['node1', 'node2', 'node3'] })),
    ).toBeUndefined();
  });

  it('maintenance node is preferred when it is back', () => {
    expect(
      selectServiceNode(base({ currentNode: 'node3', pref: 'best-score', maintenanceNode: 'node2' })),
    ).toBe('node2');
  });

  it('negative resource affinity avoids nodes of the other service; positive follows it', () => {
    expect(selectServiceNode(base({ currentNode: 'dead', pref: 'best-score', separate: ['node1'] }))).toBe(
      'node2',
    );
    expect(selectServiceNode(base({ currentNode: 'dead', pref: 'best-score', together: { node3: 1 } }))).toBe(
      'node3',
    );
    // The node most partners use wins; a partner's node that is not possible does not count.
    expect(
      selectServiceNode(base({ currentNode: 'dead', pref: 'best-score', together: { node2: 1, node3: 2 } })),
    ).toBe('node3');
    expect(
      selectServiceNode(
        base({ currentNode: 'dead', pref: 'best-score', together: { node3: 1 }, separate: ['node3'] }),
      ),
    ).toBe('node1');
    // A running service moves away from a node its negative partner occupies.
    expect(selectServiceNode(base({ currentNode: 'node1', separate: ['node1'] }))).toBe('node2');
  });
});
