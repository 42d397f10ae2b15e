/** Desktop transport: the one `window.labApi` object the sandboxed preload exposes. */
import type { LabApiBridge } from '@contract/names.ts';

import { ApiCallError, type Transport } from './transport.ts';

export function ipcTransport(bridge: LabApiBridge): Transport {
  return {
    async invoke(method, params) {
      const outcome = (await bridge.invoke(method, params)) as
        { result: unknown } | { error: { code: string; message: string } };
      if ('error' in outcome) throw new ApiCallError(outcome.error.code, outcome.error.message);
      return outcome.result;
    },
    on: (event, listener) => bridge.on(event, listener),
  };
}
