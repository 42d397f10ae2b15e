// The engine goes away and comes back on the same address: the page says so, reconnects on its
// own and rebuilds its state from the *.getState calls (no reload).
import { join } from 'node:path';

import { assert, RESULTS_DIR } from './harness.js';
import { wsCall } from './ws-call.js';

export async function reconnectChecks({ harness, page, restartHost }) {
  await harness.check(
    'a lost connection is announced, then the UI reconnects and rebuilds its state',
    async () => {
      await page.click('[data-nav="library"]');
      await page.waitForSelector('[data-testid^="lab-card-"]');
      const host = await restartHost(async () => {
        await page.waitForSelector('[data-testid="disconnected"]', { timeout: 10_000 });
        await page.screenshot({ path: join(RESULTS_DIR, 'disconnected.png') });
      });
      await page.waitForSelector('[data-testid="disconnected"]', { state: 'detached', timeout: 20_000 });
      // The new engine has no lab open: the UI learns it from lab.getState, not from an event.
      assert((await wsCall(host, 'lab.getState')) === null, 'the restarted engine has no lab open');
      await page.waitForSelector('[data-nav="run"]', { state: 'detached', timeout: 10_000 });
      const cards = await page.locator('[data-testid^="lab-card-"]').count();
      assert(cards > 0, 'the library is back');
    },
  );
}
