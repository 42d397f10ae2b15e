/**
 * Where should a service run? Mirrors pve-ha-manager `select_service_node` (PVE 9 rules; PVE 8
 * groups map onto the same node-affinity shape: restricted → strict, nofailback → !failback).
 */

export type SelectionPreference = 'none' | 'best-score' | 'try-next';

export interface NodeAffinity {
  /** Node → priority (higher is preferred). */
  nodes: Record<string, number>;
  strict: boolean;
}

export interface SelectionInput {
  currentNode: string;
  /** Nodes whose CRM state is `online`. */
  onlineNodes: string[];
  affinity?: NodeAffinity;
  failback: boolean;
  pref: SelectionPreference;
  failedNodes?: string[];
  maintenanceNode?: string;
  /** Nodes that must be avoided (negative resource affinity). */
  separate?: string[];
  /** If non-empty, the service must go to one of these (positive resource affinity). */
  together?: string[];
  /** Basic scheduler score per node (lower is better); computed lazily. */
  scores: () => Record<string, number>;
}

/** Allowed nodes and the highest-priority subset among the online ones. */
export function nodeAffinitySets(
  online: string[],
  affinity: NodeAffinity | undefined,
): { allowed: Set<string>; pri: Set<string> } {
  if (!affinity) return { allowed: new Set(online), pri: new Set(online) };
  const prio = new Map<string, number>();
  for (const n of online) {
    const p = affinity.nodes[n];
    if (p !== undefined) prio.set(n, p);
    else if (!affinity.strict) prio.set(n, -1);
  }
  const allowed = new Set(prio.keys());
  let best = -Infinity;
  for (const p of prio.values()) best = Math.max(best, p);
  const pri = new Set([...prio].filter(([, p]) => p === best).map(([n]) => n));
  return { allowed, pri };
}

export function selectServiceNode(input: SelectionInput): string | undefined {
  const { currentNode: current, pref } = input;
  const { allowed, pri } = nodeAffinitySets(input.onlineNodes, input.affinity);
  if (pri.size === 0) return undefined;
  const separate = new Set(input.separate ?? []);
  const together = new Set(input.together ?? []);
  const affinityAllows = (n: string): boolean => !separate.has(n) && (together.size === 0 || together.has(n));

  if (pref === 'none' && !input.failback && allowed.has(current) && affinityAllows(current)) return current;

  let candidates = [...pri];
  if (pref === 'try-next') candidates = candidates.filter((n) => !(input.failedNodes ?? []).includes(n));
  candidates = candidates.filter((n) => !separate.has(n));
  if (together.size > 0) candidates = candidates.filter((n) => together.has(n));

  if (input.maintenanceNode && candidates.includes(input.maintenanceNode)) return input.maintenanceNode;
  if (pref === 'none' && candidates.includes(current)) return current;

  const scores = input.scores();
  const sorted = candidates.sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
  if (pref === 'try-next') {
    const i = sorted.indexOf(current);
    if (i >= 0 && i < sorted.length - 1) return sorted[i + 1];
  }
  return sorted[0];
}
