/** One undici dispatcher for image downloads: follows redirects (mirrors and CDNs use them). */
import { Agent, interceptors, type Dispatcher } from 'undici';

let shared: Dispatcher | undefined;

export function downloadDispatcher(): Dispatcher {
  shared ??= new Agent({ connectTimeout: 15_000 }).compose(interceptors.redirect({ maxRedirections: 5 }));
  return shared;
}
