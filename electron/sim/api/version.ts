/** `GET /version`: `console` only when datacenter.cfg sets it (pve-manager API2/Version.pm). */
import type { SimRoute } from '../http/route.ts';
import type { World } from '../world.ts';
import { route } from './support.ts';

export function versionRoutes(world: World): SimRoute[] {
  return [
    route('GET', '/version', () => {
      const console = world.core.state.datacenterConfig?.['console'];
      return { ...world.version(), ...(console !== undefined ? { console } : {}) };
    }),
  ];
}
