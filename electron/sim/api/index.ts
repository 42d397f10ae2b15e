/** Every REST route the simulated nodes serve (ticket auth excepted: the HTTP server does it). */
import type { SimRoute } from '../http/route.ts';
import type { World } from '../world.ts';
import { accessRoutes } from './access.ts';
import { clusterRoutes } from './cluster.ts';
import { haRoutes } from './ha.ts';
import { lxcRoutes } from './lxc.ts';
import { nodeRoutes } from './nodes.ts';
import { withPermissions } from './permissions.ts';
import { qemuRoutes } from './qemu.ts';
import { storageRoutes } from './storage.ts';
import { taskRoutes } from './tasks.ts';
import { versionRoutes } from './version.ts';

export function simRoutes(world: World): SimRoute[] {
  return withPermissions(world, [
    ...versionRoutes(world),
    ...clusterRoutes(world),
    ...nodeRoutes(world),
    ...storageRoutes(world),
    ...qemuRoutes(world),
    ...lxcRoutes(world),
    ...haRoutes(world),
    ...taskRoutes(world),
    ...accessRoutes(world),
  ]);
}
