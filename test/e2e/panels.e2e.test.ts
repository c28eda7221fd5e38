// The panels around the diagram, end to end in Debian's Chromium (playwright-core, never a downloaded
// browser): the time axis toggle, loading a scenario file, the statechart states, and watching the
// built-in server while an external client (a raw socket from the test) uses it.

import type { Locator, Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { arrowHeadPath } from '../../core/diagram/painters/arrowHead';
import { useApp } from './appFixture';
import { openRawControl } from '../helpers/rawControl';

const app = useApp();
const { mark, markStarting, counter, status, screenshot, runToEnd } = app;
let page: Page;
beforeEach(() => {
  page = app.page;
});

/** The screen y of a mark's origin (its top edge). */
async function markY(locator: Locator): Promise<number> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('the mark is not drawn');
  return box.y;
}

describe('the time axis', () => {
  it('places rows by real time when toggled on, and back by step when toggled off', async () => {
    await runToEnd('download');
    const toggle = page.locator('#time-axis');
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('false');
    // The session's last rows: in view (and so drawn) on either axis once the view follows the last step.
    const marks = [
      mark('client → server: RETR notes.txt'),
      markStarting('server → client: 150 '),
      markStarting('server → client: 226 '),
      mark('client → server: QUIT'),
      markStarting('server → client: 221 '),
    ];
    /** The gaps between consecutive marks of `marks`, in pixels. */
    const gaps = async () => {
      const ys: number[] = [];
      for (const m of marks) ys.push(await markY(m));
      return ys.slice(1).map((y, i) => y - ys[i]!);
    };
    await page.locator('#zoom-reset').click();
    await page.waitForTimeout(400);
    const stepGaps = await gaps();
    const stepLabel = await page.locator('g.row text.row-label').first().textContent();
    expect(stepLabel).toBe('1');

    await toggle.click();
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('true');
    // The row labels become times, and the rows move: the gaps follow the session's clock, not its steps
    // (one gap may match by chance; three do not).
    await expect.poll(async () => (await page.locator('g.row text.row-label').first().textContent()) ?? '').toMatch(/ m?s$/);
    await page.locator('#zoom-reset').click();
    await page.waitForTimeout(400);
    const timeGaps = await gaps();
    expect(Math.max(...timeGaps.map((gap, i) => Math.abs(gap - stepGaps[i]!)))).toBeGreaterThan(2);
    // The axis says its scale beside the lane headers, and long gaps their length in the margin.
    // The scale is chosen by this run's own gaps: a log scale where they span orders of magnitude (most runs
    // here), else in proportion ('to scale: 1.6 ms/10 px'), as a run on a busy machine can come out.
    const caption = await page.locator('#diagram text.axis-caption').allTextContents();
    expect(caption[0]).toBe('time ↓');
    if (caption[1] === 'log scale') {
      expect(caption[2]).toBe('of gaps');
      expect(await page.locator('#diagram text.gap-label').count()).toBeGreaterThan(2);
    } else {
      expect(caption.slice(1)).toEqual(['to scale:', expect.stringMatching(/^[\d.]+ (µs|ms|s)\/10 px$/)]);
    }
    // Both ends traced: arrows land lower than they leave, by their latency.
    const slants = await page
      .locator('#diagram g.mark.message line.arrow')
      .evaluateAll((lines) => lines.map((l) => Number(l.getAttribute('y2')) - Number(l.getAttribute('y1'))));
    expect(slants.filter((d) => d > 1).length).toBeGreaterThan(3);
    expect(Math.min(...slants)).toBeGreaterThanOrEqual(0);
    // Each head is the exports' shape (core's arrowHeadPath), at the end of its shaft and along it.
    const arrows = await page.locator('#diagram g.mark.message').evaluateAll((marks) =>
      marks.map((g) => {
        const line = g.querySelector('line.arrow')!;
        const head = g.querySelector('path.head')!;
        const [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map((name) => Number(line.getAttribute(name)));
        return { x1: x1!, y1: y1!, x2: x2!, y2: y2!, d: head.getAttribute('d') ?? '', open: head.classList.contains('open') };
      }),
    );
    expect(arrows.filter((a) => a.y2 - a.y1 > 1).length).toBeGreaterThan(3);
    for (const a of arrows) {
      const length = Math.hypot(a.x2 - a.x1, a.y2 - a.y1);
      expect(a.d).toBe(arrowHeadPath(a.x2, a.y2, (a.x2 - a.x1) / length, (a.y2 - a.y1) / length, a.open));
    }
    await screenshot('e2e-time-axis');

    await toggle.click();
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('false');
    await page.locator('#zoom-reset').click();
    await page.waitForTimeout(400);
    // Back to the step spacing: the same proportions between the gaps (the fit's zoom itself can differ a little,
    // as the panels around the view settle: CI saw a gap of 68 come back as 69 and more).
    const proportions = (list: number[]) => list.map((gap) => gap / list.reduce((sum, g) => sum + g, 0));
    const wanted = proportions(stepGaps);
    await expect
      .poll(async () => {
        const now = proportions(await gaps());
        return now.length === wanted.length && now.every((share, i) => Math.abs(share - wanted[i]!) < 0.01);
      })
      .toBe(true);
    await expect(page.locator('g.row text.row-label').first().textContent()).resolves.toBe('1');
  });

  it('the Export dialog starts on the axis the diagram shows; Mermaid has none', async () => {
    await runToEnd('download');
    await page.click('#time-axis');
    await page.click('#export-svg');
    await expect(page.locator('#export-time-axis').isChecked()).resolves.toBe(true);
    const preview = async () =>
      decodeURIComponent(
        (await page
          .locator('#export-preview img')
          .getAttribute('src')
          .catch(() => '')) ?? '',
      );
    // The time axis's caption: a log scale when the run's gaps span two orders of magnitude, else in proportion
    // ("to scale: 0.4 ms/10 px"); which one depends on this run's timing (CI once drew it in proportion).
    await expect.poll(preview, { timeout: 30_000 }).toMatch(/time ↓[\s\S]*(log scale|to scale)/);
    await page.selectOption('#export-format', 'mmd');
    await expect(page.locator('#export-time-axis').isDisabled()).resolves.toBe(true);
    await page.click('#export-close');
  }, 60_000);
});

describe('a scenario file', () => {
  const loadScenarioFile = async (name: string, text: string) => {
    await page.locator('#scenario-file').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text, 'utf8') });
    await expect.poll(status).toMatch(new RegExp(`Scenario file loaded: ${name.replace(/\./g, '\\.')}`));
  };

  it('runs the commands of a loaded scenario file', async () => {
    const scenario = {
      name: 'log-in-and-out',
      title: 'Log in and out (from a file)',
      description: 'USER, PASS and QUIT, nothing else.',
      steps: [{ send: 'USER {user}' }, { send: 'PASS {password}' }, { send: 'QUIT' }],
    };
    await loadScenarioFile('log-in-and-out.json', JSON.stringify(scenario));
    await expect(page.locator('#scenario').inputValue()).resolves.toBe('file:');
    await expect(page.locator('#scenario option[value="file:"]').textContent()).resolves.toBe('file: log-in-and-out.json');
    await expect(page.locator('#scenario-title').textContent()).resolves.toBe('Log in and out (from a file)');
    await page.selectOption('#speed', '0');
    await page.click('#run');
    await expect.poll(status, { timeout: 15_000 }).toMatch(/Session complete/);
    await expect(page.locator('#session-title').textContent()).resolves.toMatch(/^Log in and out \(from a file\)/);
    for (const label of ['client → server: USER student', 'client → server: PASS ****', 'client → server: QUIT']) {
      await expect(mark(label).count(), label).resolves.toBe(1);
    }
    await expect(markStarting('server → client: 221').count()).resolves.toBe(1);
    // Nothing else: no data connection in this scenario.
    await expect(page.locator('g.mark.transfer').count()).resolves.toBe(0);
    await screenshot('e2e-scenario-file');
  });

  it('refuses a broken file on load with a sentence naming the problem, and the page goes on working', async () => {
    const loadBroken = async (name: string, text: string) =>
      page.locator('#scenario-file').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text, 'utf8') });
    await loadBroken('broken.json', '{ "name": "Not A Name", "title": "x", "description": "y", "steps": [] }');
    await expect.poll(status).toBe('Could not load broken.json: The scenario is not valid: name: lower-case letters, digits and dashes');
    await expect(page.locator('#scenario').inputValue()).resolves.not.toBe('file:');
    expect(await page.locator('g.mark.message').count()).toBe(0);
    await screenshot('e2e-scenario-file-broken');

    // A step of neither kind is named as such, not "Invalid input".
    await loadBroken('bad-step.json', JSON.stringify({ name: 'bad-step', title: 't', description: 'd', steps: [{ sned: 'USER x' }] }));
    await expect
      .poll(status)
      .toBe('Could not load bad-step.json: The scenario is not valid: steps.0: a step is {"send": "A COMMAND LINE", ...} or {"data": "setup", ...}');

    await loadBroken('not-json.json', '{ "name": ');
    await expect.poll(status).toMatch(/^Could not load not-json\.json: The scenario is not valid JSON: /);

    // A built-in scenario still runs afterwards.
    await runToEnd('download');
    await expect(mark('client → server: QUIT').count()).resolves.toBe(1);
  });
});

describe('statechart states', () => {
  it("clicking the server's Moving the data state says what it does, lists its arrows, outlines the marks it produced and goes to where it was entered", async () => {
    await runToEnd('download');
    await page.click('#show-statecharts');
    const server = page.locator('.statechart[data-machine="server"]');
    const transferring = server.locator('g.state[data-state="session.loggedIn.transfer.transferring"]');
    await expect(transferring.count()).resolves.toBe(1);
    await expect(transferring.getAttribute('aria-label')).resolves.toBe('Moving the data');
    expect(await page.locator('g.mark.produced').count()).toBe(0);

    await transferring.click();
    await expect(transferring.getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(transferring.getAttribute('class')).resolves.toContain('selected');
    const detail = page.locator('#statecharts .state-detail');
    await expect(detail.isVisible()).resolves.toBe(true);
    await expect(detail.locator('.state-detail-title').textContent()).resolves.toBe('Server · Session: Moving the data');
    await expect(detail.locator('.state-description').textContent()).resolves.toMatch(/^The data flows: the server sends the file/);
    const arrows = await detail.locator('.state-transitions li').allTextContents();
    expect(arrows).toContain('all data moved → Closing the data connection');
    expect(
      arrows.every((t) => t.includes(' → ') && !/[a-z][A-Z]|\.[a-z]/.test(t)),
      `plain words: ${arrows.join(' | ')}`,
    ).toBe(true);

    await screenshot('e2e-statechart-transferring');
    // The data the server sent, and the FIN that ended it, were recorded while the server was transferring.
    // (The charts hidden again, the diagram has the stage to itself and draws every step: nothing is picked
    // by hiding them.)
    await page.click('#show-statecharts');
    await page.locator('#zoom-reset').click();
    await expect.poll(() => page.locator('g.mark.produced.transfer, g.mark.produced.fin').count()).toBeGreaterThan(0);
    await expect(page.locator('g.mark.produced.transfer').count()).resolves.toBe(1);
    // Nothing from the login is.
    await expect(mark('client → server: USER student').getAttribute('class')).resolves.not.toContain('produced');
    await page.click('#show-statecharts');

    // One download: the state was entered once. Going there shows that step, with the state lit.
    const entered = detail.locator('.state-entered-step');
    await expect(entered.count()).resolves.toBe(1);
    const step = Number(/step (\d+)/.exec((await entered.textContent()) ?? '')?.[1]);
    expect(step).toBeGreaterThan(1);
    await entered.click();
    await expect.poll(counter).toBe(step);
    await expect.poll(() => transferring.getAttribute('class')).toContain('active-leaf');
    // The step before it, the server was still opening the data connection.
    await page.click('#step-back');
    await expect.poll(counter).toBe(step - 1);
    await expect.poll(() => transferring.getAttribute('class')).not.toContain('active-leaf');

    // Clicking it again lets go.
    await transferring.click();
    await expect(transferring.getAttribute('aria-pressed')).resolves.toBe('false');
    await expect(detail.isVisible()).resolves.toBe(false);
    await expect.poll(() => page.locator('g.mark.produced').count()).toBe(0);
  }, 60_000);
});

describe('watching the server', () => {
  it('draws what an external client does with the watched server, as it happens', async () => {
    const port = await app.watchServer();
    await expect.poll(status).toBe(`Watching the server on 127.0.0.1:${port} — connect an FTP client to it (0 steps so far).`);
    await expect(page.locator('#watch-server').isDisabled()).resolves.toBe(true);

    const client = await openRawControl(port);
    try {
      expect((await client.reply()).code).toBe(220);
      expect((await client.command('USER student')).code).toBe(331);
      await expect.poll(() => mark('client → server: USER student').count()).toBe(1);
      expect((await client.command('PASS ftp-lab')).code).toBe(230);
      expect((await client.command('QUIT')).code).toBe(221);
      await client.closed();
    } finally {
      await client.close();
    }
    for (const label of ['client → server: USER student', 'client → server: PASS ****', 'client → server: QUIT']) {
      await expect.poll(() => mark(label).count(), { message: label }).toBe(1);
    }
    await expect(markStarting('server → client: 230').count()).resolves.toBe(1);
    await expect(page.locator('#session-title').textContent()).resolves.toBe(`Watching the server on 127.0.0.1:${port}`);
    await expect.poll(status).toMatch(new RegExp(`^Watching the server on 127\\.0\\.0\\.1:${port} — connect an FTP client to it \\(\\d+ steps so far\\)\\.$`));
    await screenshot('e2e-watch-server');

    // Stop ends the watch: the server no longer listens.
    await page.click('#stop');
    await expect.poll(status).toMatch(/Session complete/);
    await expect.poll(() => page.locator('#watch-status').isVisible()).toBe(false);
    await expect(page.locator('#watch-server').isDisabled()).resolves.toBe(false);
    await expect(openRawControl(port)).rejects.toThrow(/ECONNREFUSED/);
  });
});
