/** `/nodes/{node}/qemu/…`: the shared guest routes plus the QEMU guest agent ping. */
import { guestOrThrow } from '../guest-config.ts';
import { SimApiError, type SimRoute } from '../http/route.ts';
import type { World } from '../world.ts';
import { guestRoutes } from './guest-routes.ts';
import { int, route, targetNode } from './support.ts';

export function qemuRoutes(world: World): SimRoute[] {
  return [
    ...guestRoutes(world, 'qemu'),
    route('POST', '/nodes/{node}/qemu/{vmid}/agent/ping', (ctx) => {
      const node = targetNode(world, ctx);
      const g = guestOrThrow(world.core, node, int(ctx, 'vmid') ?? -1, 'qemu');
      if (!/^(1|enabled=1)/.test(g.config.agent ?? ''))
        throw new SimApiError(500, 'No QEMU guest agent configured');
      if (!g.running) throw new SimApiError(500, `VM ${g.vmid} is not running`);
      if (!world.guestAnswering(g.vmid)) throw new SimApiError(500, 'QEMU guest agent is not running');
      return { result: {} };
    }),
  ];
}
