/**
 * Requests an admin (or the guest API) files with the HA stack: request state changes and CRM
 * commands (`ha-manager migrate|relocate`, `crm-command stop`, node maintenance). They are only
 * queued here; the CRM master acts on them in its next round.
 */
import { assertWritable } from '../pmxcfs.ts';
import type { SimCore } from '../sim-core.ts';
import type { HaRequestState } from '../world-types.ts';
import { HaConfigError, normalizeRequestState } from './resources-config.ts';

export function setServiceRequestState(
  core: SimCore,
  node: string,
  sid: string,
  state: HaRequestState | 'enabled',
): void {
  const res = core.state.ha.resources[sid];
  if (!res) throw new HaConfigError(`update resource failed: no such resource '${sid}'`);
  const next = normalizeRequestState(state);
  if (
    core.state.ha.manager.service_status[sid]?.state === 'error' &&
    next !== 'disabled' &&
    next !== res.state
  )
    throw new HaConfigError(`service '${sid}' in error state, must be disabled and fixed first`);
  assertWritable(core, node);
  res.state = next;
}

/** `migrate <sid> <node>`, `relocate <sid> <node>`, `stop <sid> <timeout>`, `enable-node-maintenance <node>`, … */
export function applyCrmCommand(core: SimCore, node: string, command: string): void {
  const [cmd, a, b] = command.split(' ');
  if (cmd === 'migrate' || cmd === 'relocate' || cmd === 'stop') {
    if (!core.state.ha.resources[a ?? '']) throw new HaConfigError(`resource '${a}' is not HA managed`);
    if (core.state.ha.manager.service_status[a ?? '']?.state === 'error')
      throw new HaConfigError(`service '${a}' in error state, must be disabled and fixed first`);
    if (cmd !== 'stop' && !core.state.cluster?.nodes[b ?? ''])
      throw new HaConfigError(`no such cluster node '${b}'`, 'node', 400);
  } else if (cmd === 'enable-node-maintenance' || cmd === 'disable-node-maintenance') {
    if (!core.state.cluster?.nodes[a ?? ''])
      throw new HaConfigError(`no such cluster node '${a}'`, 'node', 400);
  } else {
    throw new HaConfigError(`unknown crm command '${cmd}'`);
  }
  assertWritable(core, node);
  core.state.ha.crmCommands.push(command);
}
