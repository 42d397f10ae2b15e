// The terminal draws what the shell printed: a row with `foo_bar_baz` must not look like a row
// with `foo bar baz` (at line height 1 xterm's DOM renderer clipped the underscores).
import { join } from 'node:path';

import { assert, RESULTS_DIR } from './harness.js';

/** Ink pixels (darker/lighter than the background by a clear margin) in a PNG, counted in the page. */
async function inkDifference(page, pngA, pngB) {
  return page.evaluate(
    async ([a, b]) => {
      const pixels = async (base64) => {
        // An <img> (the page's CSP allows data: images, not fetching them).
        const bitmap = new Image();
        bitmap.src = `data:image/png;base64,${base64}`;
        await bitmap.decode();
        const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
        const ctx = canvas.getContext('2d');
        ctx.drawImage(bitmap, 0, 0);
        return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
      };
      const [ia, ib] = [await pixels(a), await pixels(b)];
      const lum = (d, i) => 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
      const bg = lum(ia.data, 0);
      const ink = (img) => {
        let n = 0;
        for (let i = 0; i < img.data.length; i += 4) if (Math.abs(lum(img.data, i) - bg) > 60) n++;
        return n;
      };
      let differing = 0;
      const length = Math.min(ia.data.length, ib.data.length);
      for (let i = 0; i < length; i += 4) if (Math.abs(lum(ia.data, i) - lum(ib.data, i)) > 60) differing++;
      return { inkA: ink(ia), inkB: ink(ib), differing };
    },
    [pngA.toString('base64'), pngB.toString('base64')],
  );
}

export async function terminalGlyphChecks({ harness, page }) {
  await harness.check(
    'the terminal draws underscores (`foo_bar_baz` differs from `foo bar baz` on screen)',
    async () => {
      await page.click('[data-nav="run"]');
      const tab = page.locator('[role="tab"]:has-text("pve1")');
      await tab.click();
      await page.waitForSelector('[data-testid="terminal-pve1"] .xterm');
      await page.click('[data-testid="terminal-pve1"] .xterm');
      for (const line of ['foo_bar_baz', 'foo bar baz']) {
        await page.keyboard.type(line);
        await page.keyboard.press('Enter');
      }
      const rowBox = async (text) => {
        const handle = await page.waitForFunction(
          (t) => {
            const rows = [...document.querySelectorAll('[data-testid="terminal-pve1"] .xterm-rows > div')];
            const row = rows.findLast((r) => r.textContent?.trimEnd().endsWith(t));
            if (!row) return null;
            const { x, y, width, height } = row.getBoundingClientRect();
            return { x, y, width, height };
          },
          text,
          { timeout: 10_000 },
        );
        return handle.jsonValue();
      };
      const [underscored, spaced] = [await rowBox('foo_bar_baz'), await rowBox('foo bar baz')];
      const clip = (box) => ({ x: box.x, y: box.y, width: Math.min(box.width, 600), height: box.height });
      const a = await page.screenshot({
        clip: clip(underscored),
        path: join(RESULTS_DIR, 'terminal-underscores.png'),
      });
      const b = await page.screenshot({ clip: clip(spaced), path: join(RESULTS_DIR, 'terminal-spaces.png') });
      const { inkA, inkB, differing } = await inkDifference(page, a, b);
      // Two underscores at 14 px are each a line of ≥ 6 pixels: the rows must differ by at least that.
      console.log(`      glyph diff: ${differing} px differ, ink ${inkA} vs ${inkB}`);
      assert(
        differing >= 12 && inkA > inkB,
        `underscore row differs from the space row: ${differing} pixels differ, ink ${inkA} vs ${inkB}`,
      );
    },
  );
}
