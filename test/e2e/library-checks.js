// The shell and the lab library: labs listed over the WebSocket, a wrong token refused, every
// top-level view reachable, the language picker, first paint.
import { join } from 'node:path';

import { focusOutlineAfterTab, lowContrastTexts, unnamedControls } from './accessibility.js';
import { assert, assertEqual, RESULTS_DIR } from './harness.js';
import { wsCall } from './ws-call.js';

export async function libraryChecks({ harness, page, host }) {
  const { check } = harness;

  await check('the library lists over the WebSocket the labs the engine reports', async () => {
    const expected = await wsCall(host, 'lab.list', { lang: 'en' });
    await page.goto(host.url);
    await page.waitForSelector('main[data-ready="true"]', { timeout: 20_000 });
    await page.waitForSelector('[data-testid="lab-list"]', { state: 'attached' });
    const titles = await page.locator('[data-testid^="lab-card-"] h2').allTextContents();
    assertEqual(titles.join(' | '), expected.labs.map((l) => l.title).join(' | '), 'lab titles');
    const info = await page.locator('[data-testid="app-info"]').textContent();
    assert(info?.includes('Simulator'), `app info shows the simulator backend, got ${info}`);
    const backend = await page.locator('[data-testid="backend-in-use"]').textContent();
    assert(backend?.includes('Simulator'), `backend in use, got ${backend}`);
    await page.screenshot({ path: join(RESULTS_DIR, 'library.png'), fullPage: true });
  });

  await check('library: every control has a name, and keyboard focus is visible', async () => {
    const unnamed = await unnamedControls(page);
    assertEqual(unnamed.join('\n'), '', 'unnamed controls');
    const outline = await focusOutlineAfterTab(page);
    assert(outline >= 2, `focused control outline ${outline}px`);
    assertEqual((await lowContrastTexts(page)).join('\n'), '', 'text below 4.5:1 contrast');
  });

  await check('a wrong token is refused (socket and page)', async () => {
    let refused = null;
    await wsCall(host, 'app.info', {}, 'not-the-token').catch((e) => (refused = e.message));
    assert(refused?.includes('401'), `direct socket refused with 401, got ${refused}`);
    const url = new URL(host.url);
    url.searchParams.set('token', 'not-the-token');
    const other = await page.context().newPage();
    await other.goto(url.toString());
    await other.waitForSelector('[role="alert"]', { timeout: 10_000 });
    const alert = await other.locator('[role="alert"]').first().textContent();
    assert(/connect/i.test(alert ?? ''), `page shows it could not connect, got ${alert}`);
    const cards = await other.locator('[data-testid^="lab-card-"]').count();
    assertEqual(cards, 0, 'labs shown without a token');
    await other.screenshot({ path: join(RESULTS_DIR, 'wrong-token.png') });
    await other.close();
  });

  await check('host check view shows the simulator passing', async () => {
    await page.click('[data-nav="host"]');
    await page.waitForSelector('[data-testid="host-verdict"]');
    const verdict = await page.locator('[data-testid="host-verdict"]').textContent();
    assert(verdict?.includes('ready'), `verdict, got ${verdict}`);
    await page.screenshot({ path: join(RESULTS_DIR, 'host-check.png'), fullPage: true });
  });

  await check('settings view shows the data folder and switches theme', async () => {
    await page.click('[data-nav="settings"]');
    await page.waitForSelector('[data-testid="data-dir"]');
    await page.click('input[name="theme"][value="dark"]');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    const saved = await wsCall(host, 'settings.get');
    assertEqual(saved.theme, 'dark', 'saved theme');
    await page.screenshot({ path: join(RESULTS_DIR, 'settings-dark.png'), fullPage: true });
    assertEqual((await lowContrastTexts(page)).join('\n'), '', 'dark theme: text below 4.5:1 contrast');
    await page.click('input[name="theme"][value="light"]');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
  });

  await check('theme "system" with a dark OS shows the dark palette, every colour of it', async () => {
    await page.click('[data-nav="settings"]');
    await page.click('input[name="theme"][value="system"]');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'system');
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      // Every palette colour as the page resolves it: under the OS preference, then forced dark and light.
      const palettes = await page.evaluate(() => {
        const names = [];
        for (const sheet of document.styleSheets) {
          for (const rule of sheet.cssRules) {
            if (rule.selectorText !== ':root') continue;
            // The theme's own tokens (the build may add helpers such as --lightningcss-dark).
            for (const name of rule.style)
              if (name.startsWith('--') && !name.startsWith('--lightningcss')) names.push(name);
          }
        }
        const probe = document.createElement('div');
        document.body.append(probe);
        const read = () =>
          Object.fromEntries(
            names.map((name) => {
              probe.style.color = `var(${name})`;
              return [name, getComputedStyle(probe).color];
            }),
          );
        const root = document.documentElement;
        const system = read();
        root.dataset.theme = 'dark';
        const dark = read();
        root.dataset.theme = 'light';
        const light = read();
        root.dataset.theme = 'system';
        probe.remove();
        // The colours: tokens that differ between the dark and the light theme.
        const colours = names.filter((n) => dark[n] !== light[n]);
        return { names: colours, system, dark, light };
      });
      assert(palettes.names.length >= 20, `palette colours found: ${palettes.names.join(', ')}`);
      for (const name of ['--appbar-text', '--off', '--expected-band'])
        assert(palettes.names.includes(name), `${name} is in the palette`);
      assertEqual(JSON.stringify(palettes.system), JSON.stringify(palettes.dark), 'system dark = dark');
      const same = palettes.names.filter((n) => palettes.system[n] === palettes.light[n]);
      assertEqual(same.join(', '), '', 'colours left light under a dark OS');
      await page.screenshot({ path: join(RESULTS_DIR, 'settings-system-dark.png'), fullPage: true });
    } finally {
      await page.emulateMedia({ colorScheme: null });
      await page.click('input[name="theme"][value="light"]');
      await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    }
  });

  await check('the language picker translates the interface (and the choice is saved)', async () => {
    await page.click('[data-nav="library"]');
    await page.selectOption('header [data-testid="language-picker"]', 'pl');
    await page.waitForSelector('h1:has-text("Biblioteka laboratoriów")');
    assertEqual((await wsCall(host, 'settings.get')).lang, 'pl', 'saved language');
    await page.screenshot({ path: join(RESULTS_DIR, 'library-pl.png'), fullPage: true });
    await page.selectOption('header [data-testid="language-picker"]', 'en');
    await page.waitForSelector('h1:has-text("Lab library")');
  });
}
