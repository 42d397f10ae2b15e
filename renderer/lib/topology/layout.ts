/**
 * TopologyInfo → diagram nodes and edges: the cluster as a frame holding one card per node,
 * the NAS outside it with a line to every node whose NFS storage is active (dashed when the
 * export does not answer). Positions are fixed so the picture never jumps between snapshots.
 */
import type { TopologyInfo, TopologyNodeInfo } from '@contract/dto.ts';

export const CARD_WIDTH = 240;
export const CARD_GAP = 24;
export const FRAME_PAD = 16;
export const FRAME_HEADER = 44;
export const CARD_HEIGHT = 250;

export interface DiagramNode {
  id: string;
  type: 'cluster' | 'pve' | 'nas';
  position: { x: number; y: number };
  parentId?: string;
  extent?: 'parent';
  width?: number;
  height?: number;
  data: Record<string, unknown>;
  draggable: false;
  selectable: false;
  connectable: false;
}

export interface DiagramEdge {
  id: string;
  source: string;
  target: string;
  animated: boolean;
  class: string;
  label?: string;
  style: string;
  ariaLabel: string;
}

export function nodeId(name: string): string {
  return `node:${name}`;
}

export function topologyDiagram(topology: TopologyInfo): { nodes: DiagramNode[]; edges: DiagramEdge[] } {
  const count = Math.max(topology.nodes.length, 1);
  const frameWidth = FRAME_PAD * 2 + count * CARD_WIDTH + (count - 1) * CARD_GAP;
  const frameHeight = FRAME_HEADER + CARD_HEIGHT + FRAME_PAD;
  const nodes: DiagramNode[] = [
    {
      id: 'cluster',
      type: 'cluster',
      position: { x: 0, y: 0 },
      width: frameWidth,
      height: frameHeight,
      data: { clusterName: topology.clusterName, quorum: topology.quorum, stale: topology.stale === true },
      draggable: false,
      selectable: false,
      connectable: false,
    },
  ];
  topology.nodes.forEach((node: TopologyNodeInfo, i) => {
    nodes.push({
      id: nodeId(node.name),
      type: 'pve',
      parentId: 'cluster',
      extent: 'parent',
      position: { x: FRAME_PAD + i * (CARD_WIDTH + CARD_GAP), y: FRAME_HEADER },
      width: CARD_WIDTH,
      height: CARD_HEIGHT,
      data: { node },
      draggable: false,
      selectable: false,
      connectable: false,
    });
  });
  const edges: DiagramEdge[] = [];
  const nas = topology.nas;
  if (nas) {
    nodes.push({
      id: 'nas',
      type: 'nas',
      position: { x: frameWidth / 2 - CARD_WIDTH / 2, y: frameHeight + 90 },
      width: CARD_WIDTH,
      data: { nas },
      draggable: false,
      selectable: false,
      connectable: false,
    });
    const mounted = new Map<string, string[]>();
    for (const storage of topology.storages) {
      if (storage.type !== 'nfs') continue;
      for (const nodeName of storage.activeOn)
        mounted.set(nodeName, [...(mounted.get(nodeName) ?? []), storage.id]);
    }
    for (const node of topology.nodes) {
      const storages = mounted.get(node.name);
      if (!storages) continue;
      edges.push({
        id: `nfs:${node.name}`,
        source: 'nas',
        target: nodeId(node.name),
        animated: false,
        class: nas.exportAnswering ? 'nfs-link' : 'nfs-link silent',
        label: storages.join(', '),
        style: nas.exportAnswering ? 'stroke-width: 2;' : 'stroke-width: 2; stroke-dasharray: 6 5;',
        ariaLabel: `${nas.name} → ${node.name}: ${storages.join(', ')}`,
      });
    }
  }
  return { nodes, edges };
}
