/** `GET /version`. */
import type { SimRoute } from '../http/route.ts';
import type { World } from '../world.ts';
import { route } from './support.ts';

export function versionRoutes(world: World): SimRoute[] {
  return [route('GET', '/version', () => ({ ...world.version(), console: 'xtermjs' }))];
}
