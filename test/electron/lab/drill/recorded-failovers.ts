import type { DrillObservation } from '../../../../electron/lab/drill/observation.ts';

/**
 * Observation sequences shaped like the ones the drill records against a 3-node cluster
 * (pve1, pve2, pve3), one per second, following pve-ha.md §2.1. Used as fixtures.
 */
export type World = (t: number) => Omit<DrillObservation, 'at'>;

export function record(world: World, untilSeconds: number, stepMs = 1000): DrillObservation[] {
  const out: DrillObservation[] = [];
  for (let at = stepMs; at <= untilSeconds * 1000; at += stepMs) out.push({ at, ...world(at / 1000) });
  return out;
}

const nodes = (offline: string[]): Record<string, boolean> => ({
  pve1: !offline.includes('pve1'),
  pve2: !offline.includes('pve2'),
  pve3: !offline.includes('pve3'),
});

/** pve2 (not the master) runs vm:100 and loses power at t=0; pve1 is master. */
export const normalFailover: World = (t) => {
  const pve2State = t < 8 ? 'online' : t < 56 ? 'unknown' : t < 118 ? 'fence' : 'unknown';
  const service =
    t < 56
      ? { state: 'started', node: 'pve2' }
      : t < 118
        ? { state: 'fence', node: 'pve2' }
        : { state: 'started', node: 'pve1' };
  return {
    via: 'pve1',
    cluster: { quorate: true, nodes: nodes(t < 4 ? [] : ['pve2']) },
    ha: { master: 'pve1', nodeStatus: { pve1: 'online', pve2: pve2State, pve3: 'online' }, service },
    ...(t >= 118 ? { guest: { node: 'pve1', status: t < 123 ? 'stopped' : 'running' } } : {}),
    ...(t >= 123 ? { agentPing: { node: 'pve1', ok: t >= 131 } } : {}),
  };
};

/** pve1 is the master and runs vm:100; it loses power at t=0. pve2 becomes master at t=121. */
export const masterFailover: World = (t) => {
  const stale = t < 121;
  return {
    via: 'pve2',
    cluster: { quorate: true, nodes: nodes(t < 3 ? [] : ['pve1']) },
    ha: stale
      ? {
          master: 'pve1',
          nodeStatus: { pve1: 'online', pve2: 'online', pve3: 'online' },
          service: { state: 'started', node: 'pve1' },
        }
      : {
          master: 'pve2',
          nodeStatus: { pve1: t < 181 ? 'unknown' : 'unknown', pve2: 'online', pve3: 'online' },
          // The new master fences, gets the long-expired lock and recovers in one round at t=181.
          service: t < 181 ? { state: 'started', node: 'pve1' } : { state: 'started', node: 'pve2' },
        },
    ...(t >= 181 ? { guest: { node: 'pve2', status: t < 185 ? 'stopped' : 'running' } } : {}),
    ...(t >= 185 ? { agentPing: { node: 'pve2', ok: t >= 192 } } : {}),
  };
};

/** pve2 and pve3 lose power at t=0; pve1 alone has no quorum, HA state freezes as last written. */
export const quorumLoss: World = (t) => ({
  via: 'pve1',
  cluster: { quorate: t < 4, nodes: nodes(t < 4 ? [] : ['pve2', 'pve3']) },
  ha: {
    master: 'pve1',
    nodeStatus: { pve1: 'online', pve2: 'online', pve3: 'online' },
    service: { state: 'started', node: 'pve2' },
  },
});

/** A strict rule allows only pve2: after the fence the service stays in recovery forever. */
export const strictRuleNoNode: World = (t) => ({
  via: 'pve1',
  cluster: { quorate: true, nodes: nodes(t < 4 ? [] : ['pve2']) },
  ha: {
    master: 'pve1',
    nodeStatus: {
      pve1: 'online',
      pve2: t < 8 ? 'online' : t < 57 ? 'unknown' : t < 117 ? 'fence' : 'unknown',
      pve3: 'online',
    },
    service:
      t < 57
        ? { state: 'started', node: 'pve2' }
        : t < 117
          ? { state: 'fence', node: 'pve2' }
          : { state: 'recovery', node: 'pve2' },
  },
});

/** pve2 is reset at t=0 and back at t=35: never fenced, the service restarts in place. */
export const resetInPlace: World = (t) => ({
  via: 'pve1',
  cluster: { quorate: true, nodes: nodes(t >= 3 && t < 35 ? ['pve2'] : []) },
  ha: {
    master: 'pve1',
    nodeStatus: { pve1: 'online', pve2: t >= 8 && t < 40 ? 'unknown' : 'online', pve3: 'online' },
    service: { state: 'started', node: 'pve2' },
  },
  ...(t >= 35 ? { guest: { node: 'pve2', status: t < 44 ? 'stopped' : 'running' } } : {}),
  ...(t >= 44 ? { agentPing: { node: 'pve2', ok: t >= 50 } } : {}),
});

/** The NAS loses power at t=0: NFS goes away at t=11, HA keeps the service where it is. */
export const nasPowerOff: World = (t) => ({
  via: 'pve1',
  cluster: { quorate: true, nodes: nodes([]) },
  ha: {
    master: 'pve1',
    nodeStatus: { pve1: 'online', pve2: 'online', pve3: 'online' },
    service: { state: 'started', node: 'pve2' },
  },
  storage: { local: true, 'nfs-lab': t < 11 },
});
