/** `/nodes/{node}/lxc/…`: the same subset as QEMU (list, create, config, status, migrate). */
import type { SimRoute } from '../http/route.ts';
import type { World } from '../world.ts';
import { guestRoutes } from './guest-routes.ts';

export function lxcRoutes(world: World): SimRoute[] {
  return guestRoutes(world, 'lxc');
}
