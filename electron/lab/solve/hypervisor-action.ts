import { applyPowerOperation } from '../../hypervisor/power-operations.ts';
import type { HypervisorAction } from '../script/schema.ts';
import type { ActionHandler } from './solve-deps.ts';

/** Power and cable operations on a machine of the topology, through the HypervisorDriver. */
export const runHypervisorAction: ActionHandler<HypervisorAction> = async (action, deps) => {
  const done = await applyPowerOperation(
    deps.hypervisor,
    action.machine,
    action.operation,
    () => deps.clock.now(),
    {
      signal: deps.signal,
    },
  );
  // A power-on's result names the machine (what a lab's `save` has always received).
  return action.operation === 'power-on' ? { machine: action.machine } : done;
};
