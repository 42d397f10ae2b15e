// The lab flow through the UI: open proxmox-ha-basics, pass the first step from the terminal,
// solve the rest, reload mid-lab, run the drill, read and export the timeline, switch language.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { lowContrastTexts, unnamedControls } from './accessibility.js';
import { assert, assertEqual, RESULTS_DIR } from './harness.js';
import { wsCall } from './ws-call.js';

const LAB = 'proxmox-ha-basics';

/** Step states as `id:status:solvedBy`; active/checking/failed are one "open" state (the engine re-checks on its own). */
async function stepStates(page) {
  const states = await page.$$eval('[data-testid^="step-"][data-status]', (items) =>
    items.map((li) => [
      li.getAttribute('data-testid').slice(5),
      li.getAttribute('data-status'),
      li.getAttribute('data-solved-by'),
    ]),
  );
  return states.map(
    ([id, status, by]) =>
      `${id}:${['active', 'checking', 'failed'].includes(status) ? 'open' : status}:${by}`,
  );
}

/** Waits for the step to reach the status; fails at once with the engine's message if it reports an error. */
async function waitStep(page, stepId, status, timeout = 30_000) {
  const reached = page
    .waitForSelector(`[data-testid="step-${stepId}"][data-status="${status}"]`, { timeout })
    .then(() => null);
  const failed = page
    .waitForSelector('[data-testid="run-error"]', { timeout })
    .then((el) => el.textContent());
  const error = await Promise.race([reached, failed]);
  if (error) throw new Error(`waiting for ${stepId} to be ${status}, the lab reported: ${error}`);
}

/**
 * Records, from now on, the title of every task that shows a progress bar in the tray. A
 * MutationObserver sees the bar however briefly it is there, so nothing depends on timing.
 */
async function watchTrayBars(page) {
  await page.evaluate(() => {
    window.__trayBars = [];
    window.__trayObserver?.disconnect();
    const look = () => {
      for (const bar of document.querySelectorAll('[data-testid="task-tray"] progress')) {
        const title = bar.closest('li')?.querySelector('strong')?.textContent ?? '';
        if (!window.__trayBars.includes(title)) window.__trayBars.push(title);
      }
    };
    window.__trayObserver = new MutationObserver(look);
    window.__trayObserver.observe(document.body, { childList: true, subtree: true, attributes: true });
    look();
  });
}

/** Waits until the tray has shown a progress bar for a task whose title starts with `prefix`. */
async function sawTrayBar(page, prefix, timeout = 30_000) {
  await page
    .waitForFunction((p) => (window.__trayBars ?? []).some((t) => t.startsWith(p)), prefix, { timeout })
    .catch(async () => {
      const seen = await page.evaluate(() => window.__trayBars ?? []);
      throw new Error(`no progress bar for "${prefix}…" in the task tray (saw: ${JSON.stringify(seen)})`);
    });
}

export async function labChecks({ harness, page, host }) {
  const { check } = harness;
  let opened = false;

  opened = await check(`open ${LAB} from the library`, async () => {
    await page.click('[data-nav="library"]');
    await page.click(`[data-testid="lab-card-${LAB}"] button`);
    await page.waitForSelector('main[data-view="run"] [data-testid="lab-title"]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid="step-create-cluster"]');
    await page.waitForSelector('[data-testid="topology"]');
    await page.screenshot({ path: join(RESULTS_DIR, 'lab-run.png') });
  });
  if (!opened) return;

  await check('lab view: every control has a name; the tabs move with the arrow keys', async () => {
    assertEqual((await unnamedControls(page)).join('\n'), '', 'unnamed controls');
    await page.focus('[role="tab"][aria-selected="true"]');
    await page.keyboard.press('ArrowRight');
    const selected = await page.textContent('[role="tab"][aria-selected="true"]');
    assertEqual(selected, 'Datacenter', 'ArrowRight selects the tab after Topology');
    await page.keyboard.press('Home');
    assertEqual(
      await page.textContent('[role="tab"][aria-selected="true"]'),
      'Topology',
      'Home selects the first tab',
    );
  });

  await check('the simulation speed switches to max', async () => {
    await page.click('[data-speed="max"]');
    await page.waitForSelector('[data-speed="max"][aria-pressed="true"]');
    assertEqual((await wsCall(host, 'sim.getClock')).speed, 'max', 'engine speed');
  });

  await check('typing `pvecm create lab` in the first node’s terminal passes the step', async () => {
    const firstNode = (await wsCall(host, 'topology.getState'))?.nodes[0]?.name ?? 'pve1';
    await page.click(`[role="tab"]:has-text("${firstNode}")`);
    await page.waitForSelector(`[data-testid="terminal-${firstNode}"] .xterm`);
    await page.click(`[data-testid="terminal-${firstNode}"] .xterm`);
    await page.keyboard.type('pvecm create lab');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (node) =>
        document
          .querySelector(`[data-testid="terminal-${node}"] .xterm-rows`)
          ?.textContent?.includes('pvecm create lab'),
      firstNode,
      { timeout: 10_000 },
    );
    // The engine checks on its own; "Check now" is what a learner would press if impatient.
    await waitStep(page, 'create-cluster', 'passed', 15_000).catch(async () => {
      await page.click('[data-testid="step-create-cluster"] button');
      await page.click('button:has-text("Check now")');
      await waitStep(page, 'create-cluster', 'passed');
    });
    const solvedBy = await page.getAttribute('[data-testid="step-create-cluster"]', 'data-solved-by');
    assertEqual(solvedBy, 'learner', 'create-cluster solved by');
    await page.screenshot({ path: join(RESULTS_DIR, 'terminal.png') });
  });

  await check(
    '"Solve up to here" solves the steps before the drill, marked as solved by NestLab',
    async () => {
      await page.click('[role="tab"]:has-text("Topology")');
      await page.click('[data-testid="step-add-to-ha"] button');
      await page.click('button:has-text("Solve up to here")');
      await watchTrayBars(page);
      await page.click('[data-testid="confirm-yes"]');
      await waitStep(page, 'add-to-ha', 'passed', 120_000);
      await sawTrayBar(page, 'Solving up to:');
      const states = await stepStates(page);
      assert(
        states.includes('join-nodes:passed:nestlab'),
        `join-nodes solved by NestLab: ${states.join(' ')}`,
      );
      assert(
        states.includes('create-cluster:passed:learner'),
        `create-cluster kept as the learner's: ${states.join(' ')}`,
      );
      await page.waitForSelector('[data-testid="quorum-badge"]:has-text("Quorate")', { timeout: 30_000 });
      await page.screenshot({ path: join(RESULTS_DIR, 'topology.png') });
      assertEqual((await lowContrastTexts(page)).join('\n'), '', 'lab view: text below 4.5:1 contrast');
    },
  );

  await check('a reload mid-lab finds the same state', async () => {
    const before = await stepStates(page);
    await page.reload();
    await page.waitForSelector('main[data-ready="true"][data-view="run"] [data-testid="lab-title"]', {
      timeout: 20_000,
    });
    const after = await stepStates(page);
    assertEqual(after.join(' '), before.join(' '), 'step states after reload');
    await page.waitForSelector('[data-testid="quorum-badge"]');
    // The terminal comes back with its scroll-back replayed by the engine.
    await page.click('[role="tab"]:has-text("Terminal")');
    await page.waitForFunction(
      () =>
        document
          .querySelector('[data-testid^="terminal-"] .xterm-rows')
          ?.textContent?.includes('pvecm create lab'),
      undefined,
      { timeout: 10_000 },
    );
    await page.screenshot({ path: join(RESULTS_DIR, 'terminal-after-reload.png') });
    await page.click('[role="tab"]:has-text("Topology")');
  });

  let reportShown = false;
  reportShown = await check(
    'the drill runs and shows a timeline with a recovery time in Proxmox’s expected range',
    async () => {
      await page.click('[data-testid="step-pull-the-plug"] button');
      const runDrill = page.locator('button:has-text("Run the failover drill")');
      assert(
        await runDrill.isEnabled(),
        `the drill step is ${await page.getAttribute('[data-testid="step-pull-the-plug"]', 'data-status')}`,
      );
      await runDrill.click();
      await page.waitForSelector('main[data-view="drill"]');
      await page.screenshot({ path: join(RESULTS_DIR, 'drill-running.png') });
      await page.waitForSelector('[data-testid="drill-report"]', { timeout: 180_000 });
      const outcome = await page.textContent('[data-testid="drill-outcome"]');
      assert(outcome?.includes('Recovered in'), `outcome, got ${outcome}`);
      const history = await wsCall(host, 'drill.history', { labId: LAB });
      const last = history.at(-1);
      const report = await wsCall(host, 'drill.report', { labId: LAB, runId: last.runId });
      // The phase that spans the whole recovery (fault → guest answering) carries Proxmox's range for the total.
      const whole = report.phases.find((p) => p.from === 0 && p.to === report.totalMs);
      assert(
        whole,
        `a phase spans the whole recovery (${report.totalMs} ms): ${report.phases.map((p) => `${p.id} ${p.from}-${p.to}`).join(', ')}`,
      );
      const [min, max] = [whole.from + whole.expected.min, whole.from + whole.expected.max];
      assert(
        report.totalMs >= min && report.totalMs <= max,
        `recovery ${report.totalMs} ms within Proxmox's [${min}, ${max}] ms`,
      );
      assertEqual(
        await page.getAttribute(`[data-testid="phase-${whole.id}"]`, 'data-within'),
        'true',
        `${whole.id} row shown within range`,
      );
      const rows = await page.$$eval('[data-testid^="phase-"][data-within]', (r) => r.length);
      assertEqual(rows, report.phases.length, 'phase rows');
      await page.screenshot({ path: join(RESULTS_DIR, 'drill-report.png'), fullPage: true });
      assertEqual((await lowContrastTexts(page)).join('\n'), '', 'drill view: text below 4.5:1 contrast');
    },
  );

  if (reportShown) {
    await check('the CSV export downloads the run’s phases', async () => {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('[data-testid="export-csv"]'),
      ]);
      const file = join(RESULTS_DIR, download.suggestedFilename());
      await download.saveAs(file);
      const csv = readFileSync(file, 'utf8');
      const [header, ...rows] = csv.trim().split(/\r?\n/);
      const columns = header.split(',');
      const col = (name) => {
        const index = columns.indexOf(name);
        assert(index >= 0, `CSV header has ${name}: ${header}`);
        return index;
      };
      const [kind, id, duration] = [col('kind'), col('id'), col('duration_ms')];
      // The run on show is the one exported: every phase of its report, with the same duration.
      const runId = await page.getAttribute('[data-testid="drill-report"]', 'data-run');
      const report = await wsCall(host, 'drill.report', { labId: LAB, runId });
      const phaseRows = rows.map((r) => r.split(',')).filter((cells) => cells[kind] === 'phase');
      assertEqual(phaseRows.length, report.phases.length, 'phase rows in the CSV');
      for (const phase of report.phases) {
        const row = phaseRows.find((cells) => cells[id] === phase.id);
        assert(row, `CSV has phase ${phase.id}`);
        // The CSV rounds to whole milliseconds.
        assertEqual(Number(row[duration]), Math.round(phase.duration), `${phase.id} duration in the CSV`);
      }
      assert(
        rows.some((r) => r.startsWith('milestone,fault-injected,')),
        'CSV has the fault milestone',
      );
    });

    await check('the PNG export saves the timeline chart as an image', async () => {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('[data-testid="export-png"]'),
      ]);
      const file = join(RESULTS_DIR, download.suggestedFilename());
      await download.saveAs(file);
      const bytes = readFileSync(file);
      assertEqual(bytes.subarray(1, 4).toString('latin1'), 'PNG', 'PNG signature');
      assert(bytes.length > 5000, `a drawn chart, not an empty canvas (${bytes.length} bytes)`);
    });
  }

  await check(
    'after the failover vm:100 runs elsewhere; powering pve2 on from its card passes the last step',
    async () => {
      await page.click('[data-nav="run"]');
      await page.waitForSelector('[data-testid="node-card-pve2"]');
      const chipOn = await page.$$eval(
        '[data-testid^="node-card-"]:has([data-testid="guest-vm:100"])',
        (cards) => cards.map((c) => c.getAttribute('data-testid').slice('node-card-'.length)),
      );
      assert(chipOn.length === 1 && chipOn[0] !== 'pve2', `vm:100 chip is on ${chipOn.join(', ')}`);
      await page.screenshot({ path: join(RESULTS_DIR, 'topology-after-failover.png') });
      await page.click('[data-testid="node-card-pve2"] button[data-action="power-on"]');
      const message = await page.textContent('[role="alertdialog"]');
      assert(message?.includes('pve2 powers on'), `confirm says what happens, got ${message}`);
      await page.click('[data-testid="confirm-yes"]');
      await waitStep(page, 'power-pve2-back-on', 'passed', 60_000);
      assertEqual(
        await page.getAttribute('[data-testid="step-power-pve2-back-on"]', 'data-solved-by'),
        'learner',
        'solved by',
      );
      await page.waitForSelector('[data-testid="quorum-badge"]:has-text("3 of 3 votes")', {
        timeout: 30_000,
      });
      const done = await page.textContent('[data-testid="lab-complete"]');
      // The learner typed the first step, ran the drill and powered pve2 on; NestLab solved the other five.
      assert(
        done?.includes('3 of 8 steps passed by you, 5 solved by NestLab'),
        `completion note, got ${done}`,
      );
      await page.screenshot({ path: join(RESULTS_DIR, 'lab-complete.png') });
    },
  );

  await check('switching to Spanish shows Spanish instructions, and survives a reload', async () => {
    await page.selectOption('header [data-testid="language-picker"]', 'es');
    await page.click('[data-nav="run"]');
    await page.waitForSelector('button:has-text("Resolver este paso")');
    const state = await wsCall(host, 'lab.getState');
    assertEqual(state.lang, 'es', 'lab content language');
    const viewed = await page.getAttribute('[data-testid="step-detail"]', 'data-step');
    const step = state.steps.find((s) => s.id === viewed);
    const shown = await page.textContent('[data-testid="step-detail"] h2');
    assertEqual(shown, step.title, 'step title in Spanish');
    await page.screenshot({ path: join(RESULTS_DIR, 'lab-run-es.png') });
    await page.reload();
    await page.waitForSelector('main[data-ready="true"] button:has-text("Resolver este paso")', {
      timeout: 20_000,
    });
  });

  await check('reset and solving a step show their progress bars in the task tray', async () => {
    // The UI is in Spanish since the previous check: the tasks are named in Spanish too.
    await page.click('[data-testid="step-detail"] button.danger');
    await watchTrayBars(page);
    await page.click('[data-testid="confirm-yes"]');
    await sawTrayBar(page, 'Reiniciando el laboratorio');
    // Open again (the engine may be checking it on its own: active, checking or failed).
    await page.waitForSelector(
      '[data-testid="step-create-cluster"]:is([data-status="active"], [data-status="checking"], [data-status="failed"])',
      {
        timeout: 30_000,
      },
    );
    await page.click('[data-testid="step-create-cluster"] button');
    await page.click('button:has-text("Resolver este paso")');
    await watchTrayBars(page);
    await page.click('[data-testid="confirm-yes"]');
    await waitStep(page, 'create-cluster', 'passed', 60_000);
    await sawTrayBar(page, 'Resolviendo:');
    await page.screenshot({ path: join(RESULTS_DIR, 'task-tray.png') });
  });
}
