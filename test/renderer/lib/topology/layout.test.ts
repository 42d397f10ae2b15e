import { describe, expect, it } from 'vitest';

import { nodeId, topologyDiagram } from '../../../../renderer/lib/topology/layout.ts';
import { afterFailover, healthyTopology } from '../../support/fixtures.ts';

describe('topologyDiagram', () => {
  it('puts every node card inside the cluster frame and the NAS outside it', () => {
    const { nodes } = topologyDiagram(healthyTopology);
    const frame = nodes.find((n) => n.id === 'cluster')!;
    const cards = nodes.filter((n) => n.type === 'pve');
    expect(cards.map((c) => c.id)).toEqual(['node:pve1', 'node:pve2', 'node:pve3']);
    for (const card of cards) {
      expect(card.parentId).toBe('cluster');
      expect(card.position.x + card.width!).toBeLessThanOrEqual(frame.width!);
    }
    const nas = nodes.find((n) => n.type === 'nas')!;
    expect(nas.parentId).toBeUndefined();
    expect(nas.position.y).toBeGreaterThan(frame.height!);
  });

  it('links the NAS to each node with the NFS storage active, dashed when the export is silent', () => {
    const solid = topologyDiagram(healthyTopology).edges;
    expect(solid.map((e) => e.target)).toEqual([nodeId('pve1'), nodeId('pve2'), nodeId('pve3')]);
    expect(solid.every((e) => !e.style.includes('dasharray'))).toBe(true);
    const dashed = topologyDiagram(afterFailover).edges;
    expect(dashed.every((e) => e.style.includes('dasharray') && e.class.includes('silent'))).toBe(true);
  });

  it('draws no links for local storage or without a NAS', () => {
    const local = {
      ...healthyTopology,
      storages: [{ id: 'local', type: 'dir', shared: false, activeOn: ['pve1'] }],
    };
    expect(topologyDiagram(local).edges).toEqual([]);
    expect(topologyDiagram({ ...healthyTopology, nas: null }).nodes.some((n) => n.type === 'nas')).toBe(
      false,
    );
  });
});
