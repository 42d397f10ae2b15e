// Issue #10: a lab image whose path does not decode (`![d](/%E0%A4%A)`) made Chromium request it
// and the browser host exit. Here Chromium itself requests such paths from the app's page; the
// host must answer 400 and keep serving the page and the API.
import { assert, assertEqual } from './harness.js';
import { wsCall } from './ws-call.js';

export async function hostileChecks({ harness, page, host }) {
  await harness.check(
    'images whose path does not decode are refused, and the host keeps serving',
    async () => {
      await page.click('[data-nav="library"]');
      await page.waitForSelector('[data-testid^="lab-card-"]');
      const outcomes = await page.evaluate(
        async (paths) => {
          const load = (src) =>
            new Promise((resolve) => {
              const img = document.createElement('img');
              img.onload = () => resolve('loaded');
              img.onerror = () => resolve('error');
              img.src = src;
              document.body.append(img);
            });
          const results = [];
          for (const path of paths) {
            const status = (await fetch(path)).status;
            results.push({ path, status, image: await load(path) });
          }
          return results;
        },
        ['/%E0%A4%A', '/%', '/%zz', '/%C0%AF', '/%ff'],
      );
      for (const outcome of outcomes) {
        assertEqual(outcome.status, 400, `status of ${outcome.path}`);
        assertEqual(outcome.image, 'error', `image ${outcome.path}`);
      }
      const info = await wsCall(host, 'app.info');
      assert(info && info.name === 'NestLab', 'the API still answers');
      await page.reload();
      await page.waitForSelector('[data-testid^="lab-card-"]');
    },
  );
}
