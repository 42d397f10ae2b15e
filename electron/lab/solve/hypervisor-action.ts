import type { HypervisorAction } from '../script/schema.ts';
import type { ActionHandler } from './solve-deps.ts';

/** Power and cable operations on a machine of the topology, through the HypervisorDriver. */
export const runHypervisorAction: ActionHandler<HypervisorAction> = async (action, deps) => {
  const { hypervisor: driver } = deps;
  switch (action.operation) {
    case 'power-on':
      await driver.powerOn(action.machine, { signal: deps.signal });
      return { machine: action.machine };
    case 'power-off':
      return driver.powerOff(action.machine);
    case 'acpi-shutdown':
      return driver.acpiShutdown(action.machine);
    case 'reset':
      return driver.reset(action.machine);
    case 'cable-out':
      return driver.setCable(action.machine, false);
    case 'cable-in':
      return driver.setCable(action.machine, true);
  }
};
