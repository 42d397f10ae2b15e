/** The simulated datacenter's client as what it is at run time (the real HttpPveApi), for tests that use its extras. */
import type { HttpPveApi } from '../../electron/pve/http-client.ts';
import type { SimDatacenter } from '../../electron/sim/datacenter.ts';

export function httpClientOf(
  dc: SimDatacenter,
  options?: Parameters<SimDatacenter['createClient']>[0],
): HttpPveApi {
  return dc.createClient(options) as HttpPveApi;
}
