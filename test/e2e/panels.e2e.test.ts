// The panels around the diagram, end to end in Debian's Chromium (playwright-core, never a downloaded
// browser): the time axis toggle, loading a scenario file, the statechart transitions, and watching the
// built-in server while an external client (a raw socket from the test) uses it.

import type { Locator, Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { useApp } from './appFixture';
import { openRawControl } from '../helpers/rawControl';

const app = useApp();
const { mark, markStarting, status, screenshot, runToEnd } = app;
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
    const marks = ['USER student', 'PASS ****', 'RETR notes.txt', 'QUIT'].map((line) => mark(`client → server: ${line}`));
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
    await screenshot('e2e-time-axis');

    await toggle.click();
    await expect(toggle.getAttribute('aria-pressed')).resolves.toBe('false');
    await page.locator('#zoom-reset').click();
    await page.waitForTimeout(400);
    await expect.poll(async () => (await gaps()).map((gap) => Math.round(gap))).toEqual(stepGaps.map((gap) => Math.round(gap)));
    await expect(page.locator('g.row text.row-label').first().textContent()).resolves.toBe('1');
  });
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

describe('statechart transitions', () => {
  it("clicking the server's transferring state lists its transitions and outlines the marks it produced", async () => {
    await runToEnd('download');
    const server = page.locator('.statechart[data-machine="server"]');
    const transferring = server.locator('.state[data-path$="transferring"] > button.state-name');
    await expect(transferring.count()).resolves.toBe(1);
    expect(await page.locator('g.mark.produced').count()).toBe(0);

    await transferring.click();
    await expect(transferring.getAttribute('aria-pressed')).resolves.toBe('true');
    const detail = server.locator('.state-detail');
    await expect(detail.isVisible()).resolves.toBe(true);
    await expect(detail.locator('.state-detail-title').textContent()).resolves.toBe('transferring: outgoing transitions');
    const transitions = await detail.locator('.state-transitions li').allTextContents();
    expect(transitions).toContain('data.sent → closingData');
    expect(transitions.every((t) => t.includes(' → '))).toBe(true);

    // The data the server sent, and the FIN that ended it, were recorded while the server was transferring.
    await expect.poll(() => page.locator('g.mark.produced.transfer, g.mark.produced.fin').count()).toBeGreaterThan(0);
    await expect(page.locator('g.mark.produced.transfer').count()).resolves.toBe(1);
    // Nothing from the login is.
    await expect(mark('client → server: USER student').getAttribute('class')).resolves.not.toContain('produced');
    await screenshot('e2e-statechart-transferring');

    // Clicking it again lets go.
    await transferring.click();
    await expect(transferring.getAttribute('aria-pressed')).resolves.toBe('false');
    await expect(detail.isVisible()).resolves.toBe(false);
    await expect.poll(() => page.locator('g.mark.produced').count()).toBe(0);
  });
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
