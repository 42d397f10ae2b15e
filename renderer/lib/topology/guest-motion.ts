/**
 * Guest chips cross-fade between node cards, so during recovery a chip visibly leaves the dead
 * node and lands on the new one. Skipped where the browser cannot animate or the learner asked
 * for reduced motion.
 */
import { crossfade, type TransitionConfig } from 'svelte/transition';

const [send, receive] = crossfade({ duration: 700, fallback: () => ({ duration: 200 }) });

function canAnimate(): boolean {
  if (typeof window === 'undefined' || typeof Element.prototype.animate !== 'function') return false;
  return !window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
}

type Transition = (node: Element, params: { key: string }) => () => TransitionConfig;

export const guestLeaves: Transition = (node, params) =>
  canAnimate() ? send(node, params) : () => ({ duration: 0 });
export const guestArrives: Transition = (node, params) =>
  canAnimate() ? receive(node, params) : () => ({ duration: 0 });
