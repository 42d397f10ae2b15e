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
  /** Online nodes that must be avoided (negative resource affinity: partners' current and target nodes). */
  separate?: string[];
  /** Online nodes of positive-affinity partners, with how many partners use each. */
  together?: Record<string, number>;
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

/**
 * pve-ha-manager Manager.pm `select_service_node` with Rules/ResourceAffinity.pm: partners count
 * only on online nodes, and a positive affinity whose partners' nodes are all unavailable is
 * dropped rather than leaving no node at all.
 */
export function selectServiceNode(input: SelectionInput): string | undefined {
  const { currentNode: current, pref } = input;
  const { allowed, pri } = nodeAffinitySets(input.onlineNodes, input.affinity);
  if (pri.size === 0) return undefined;
  const separate = new Set(input.separate ?? []);
  const together = { ...(input.together ?? {}) };

  // Stay on the current node if possible (is_allowed_on_node: together wins over separate).
  if (
    pref === 'none' &&
    !input.failback &&
    allowed.has(current) &&
    (together[current] || !separate.has(current))
  )
    return current;

  let candidates = new Set(pri);
  if (pref === 'try-next') for (const n of input.failedNodes ?? []) candidates.delete(n);
  for (const n of separate) candidates.delete(n);
  // apply_positive_resource_affinity: only partners' nodes still possible count; the most used wins.
  const possible = Object.keys(together)
    .filter((n) => candidates.has(n))
    .sort()
    .sort((a, b) => together[b]! - together[a]!);
  if (possible.length > 0) candidates = new Set([possible[0]!]);

  if (input.maintenanceNode && candidates.has(input.maintenanceNode)) return input.maintenanceNode;
  if (pref === 'none' && candidates.has(current)) return current;

  const scores = input.scores();
  const sorted = [...candidates].sort(
    (a, b) => (scores[a] ?? 0) - (scores[b] ?? 0) || (a < b ? -1 : a > b ? 1 : 0),
  );
  if (pref === 'try-next') {
    const i = sorted.indexOf(current);
    if (i >= 0 && i < sorted.length - 1) return sorted[i + 1];
  }
  return sorted[0];
}
