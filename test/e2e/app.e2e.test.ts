// The app end to end, as a teacher and a student use it: the browser host serves the renderer to Debian's
// Chromium (playwright-core, never a downloaded browser), real sessions run on loopback, and the diagram
// is checked by what it shows: who closes each data connection, and what that means.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { ARTIFACTS, useApp } from './appFixture';

const EVIL = '<img src=x onerror=alert(1)>.txt';

const app = useApp();
const { mark, markStarting, counter, status, screenshot, runToEnd } = app;
let page: Page;
beforeEach(() => {
  page = app.page;
});

/** The centre x of a lane's header box on screen. */
async function laneX(lane: string): Promise<number> {
  const box = await page.locator(`g.lane.lane-${lane} rect.lane-box`).boundingBox();
  if (!box) throw new Error(`no lane ${lane}`);
  return box.x + box.width / 2;
}

/** Who waits for what, from the status line ('the client waits before USER student'), if anyone does. */
const heldPhrase = (text: string) => /the (?:client|server) waits before [^—]*?(?=\. Press|\.$|$)/.exec(text)?.[0];

/**
 * Clicks Step (each click shows one recorded row or releases one held action) until the status says `what`.
 * After a click it waits until the step has landed (a row came into view, or someone new waits at the gate):
 * on the way the status passes through "working", which is not where a step lands.
 */
async function stepUntil(what: RegExp): Promise<void> {
  const seen: string[] = [];
  for (let before = await status(); !what.test(before); before = await status()) {
    seen.push(before);
    expect(seen.length, `the status should come to say ${what} within 12 steps; it said: ${seen.join(' | ')}`).toBeLessThan(12);
    const held = heldPhrase(before);
    if (held === undefined) {
      // Nothing is held yet ("the client and server are working"): a Step now would let through whatever is held
      // next, unseen (CI once skipped "the client waits before USER" so). Wait for the gate to hold something.
      await expect
        .poll(
          async () => {
            const now = await status();
            return what.test(now) || heldPhrase(now) !== undefined;
          },
          { timeout: 10_000 },
        )
        .toBe(true);
      continue;
    }
    const shown = await counter();
    await page.click('#step');
    // Landed: a recorded row came into view, or someone new waits at the gate.
    await expect
      .poll(async () => {
        const now = await status();
        return what.test(now) || (heldPhrase(now) !== undefined && (heldPhrase(now) !== held || (await counter()) !== shown));
      })
      .toBe(true);
  }
}

/** Where an arrow mark starts on screen (its origin dot). */
async function originX(locator: Locator): Promise<number> {
  const box = await locator.locator('circle.origin').boundingBox();
  if (!box) throw new Error('the mark has no origin dot');
  return box.x + box.width / 2;
}

describe('the textbook upload, step by step', () => {
  it('holds the client before each command and the server before each reply, and draws the STOR data connection closed by the client with the EOF badge', async () => {
    await page.selectOption('#scenario', 'textbook-upload');
    // Step with nothing running starts the scenario held at the gate: the server before its greeting.
    await page.click('#step');
    await expect.poll(status).toMatch(/the server waits before replying 220 FTP Lab server ready\./);
    await stepUntil(/the client waits before USER student/);
    await page.waitForTimeout(300);
    expect(await mark('client → server: USER student').count()).toBe(0);

    const finLabel = 'data connection D1: FIN from client';
    let previous = await counter();
    let steps = 0;
    while ((await markStarting(finLabel).count()) === 0) {
      expect(steps++, 'the FIN should come within 40 steps').toBeLessThan(40);
      await page.click('#step');
      // One click, one step: never more than one new row.
      await expect.poll(counter).toBe(previous + 1);
      previous += 1;
      if (previous === 3) await expect(mark('client → server: USER student').count()).resolves.toBe(1);
      if (previous === 16) await screenshot('e2e-upload-stepping');
    }
    const fin = markStarting(finLabel);
    // The FIN is the current step, drawn from the client's data lane to the server's.
    expect(await fin.getAttribute('aria-label')).toBe('data connection D1: FIN from client, end of file in STREAM mode (RFC 959 §3.4.1)');
    expect(await fin.getAttribute('class')).toContain('current');
    expect(await fin.getAttribute('data-from')).toBe('client-data');
    expect(await fin.getAttribute('data-to')).toBe('server-data');
    expect(Math.abs((await originX(fin)) - (await laneX('client-data')))).toBeLessThan(3);

    const badge = mark('data connection D1: client closed: EOF in STREAM mode');
    await expect(badge.textContent()).resolves.toBe('client closed: EOF in STREAM mode');
    const badgeBox = await badge.boundingBox();
    expect(badgeBox!.x + badgeBox!.width).toBeLessThan((await laneX('client-data')) + 4);
    // The future is not drawn: the server's 226 has not been shown yet.
    expect(await markStarting('server → client: 226').count()).toBe(0);
    // The transcript highlights the same step.
    await expect(page.locator('#transcript li.current').last().textContent()).resolves.toMatch(
      /data connection D1 closed by client \(FIN\): end of file in STREAM mode/,
    );
    // The detail panel explains the current step, with its RFC section.
    await expect(page.locator('#detail-body .rfc-section').textContent()).resolves.toBe('959 §3.4.1');
    // The narration says it in a sentence; the client machine is lit in its close state, from its own definition.
    await expect(page.locator('#narration-body .narration-text').textContent()).resolves.toMatch(
      /client closes the data connection \(TCP FIN\): end of file in STREAM mode/,
    );
    await page.click('#show-statecharts');
    const clientRegion = (region: string) => page.locator(`.statechart[data-machine="client"] .statechart-region[data-region="${region}"] g.state.active-leaf`);
    await expect(clientRegion('session').getAttribute('data-state')).resolves.toBe('session.transfer.closingData');
    await expect(clientRegion('session').getAttribute('aria-label')).resolves.toBe('Closing the data connection');
    // The client's data region is half closed: its FIN is out, the server's has not come yet.
    await expect(clientRegion('data').getAttribute('data-state')).resolves.toBe('data.halfClosed.finSent');
    await screenshot('e2e-upload-fin-from-client');
    await page.click('#show-statecharts');

    // Clicking a mark shows its raw facts.
    await mark('client → server: STOR report.bin').locator('text.label').click();
    await expect(page.locator('#detail-body .detail-title').textContent()).resolves.toBe('client → server: STOR report.bin');
    await expect(page.locator('#detail-body').textContent()).resolves.toContain('959 §4.1.3');

    // Stepping back to PORT's 200 shows where the textbook differs (it says 150), and what RFC 959 says.
    const stepBack = async () => {
      const before = await counter();
      await page.click('#step-back');
      await expect.poll(counter).toBe(before - 1);
    };
    await stepBack();
    while (!((await page.locator('#narration-body').textContent()) ?? '').includes('The server answers PORT')) {
      expect(await counter(), 'PORT 200 comes before the FIN').toBeGreaterThan(1);
      await stepBack();
    }
    await expect(page.locator('#narration-body .narration-textbook').textContent()).resolves.toMatch(/The textbook \(step 7\).*150.*PORT is answered 200/s);
    await screenshot('e2e-textbook-difference');
  }, 60_000);
});

describe('who closes the data connection', () => {
  it('download: the server closes it (it is the sender in STREAM mode)', async () => {
    await runToEnd('download');
    const fin = markStarting('data connection D1: FIN from server');
    expect(await fin.getAttribute('aria-label')).toBe('data connection D1: FIN from server, end of file in STREAM mode (RFC 959 §3.4.1)');
    expect(await fin.getAttribute('data-from')).toBe('server-data');
    expect(Math.abs((await originX(fin)) - (await laneX('server-data')))).toBeLessThan(3);
    await expect(mark('data connection D1: server closed: EOF in STREAM mode').isVisible()).resolves.toBe(true);
    // The client only answers the server's close.
    expect(await mark('data connection D1: client closed: EOF in STREAM mode').count()).toBe(0);
    await screenshot('e2e-download-fin-from-server');
  });

  it('block-reuse: three files share one data connection, and no close is drawn between them', async () => {
    await runToEnd('block-reuse');
    const transfers = page.locator('g.mark.transfer');
    await expect(transfers.count()).resolves.toBe(3);
    const transferLabels = await transfers.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('aria-label') ?? ''));
    expect(transferLabels.every((label) => label.startsWith('data connection D1: '))).toBe(true);
    expect(await page.locator('g.mark.connection').count()).toBe(1);
    await expect(page.locator('g.mark[aria-label="data connection D1: stays open: BLOCK mode, EOF marker sent"]').count()).resolves.toBe(3);
    await expect(page.locator('g.mark.marker[aria-label^="data connection D1: EOF marker 40 00 00"]').count()).resolves.toBe(3);

    const stepOf = async (locator: Locator) => Number(await locator.getAttribute('data-step'));
    const transferSteps = await Promise.all((await transfers.all()).map(stepOf));
    // The view draws the marks near what it shows: the FINs at the end are there once it has followed the end.
    await expect.poll(() => page.locator('g.mark.fin.channel-data').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const finSteps = await Promise.all((await page.locator('g.mark.fin.channel-data').all()).map(stepOf));
    // The data connection is closed only after the last transfer — after QUIT (959 §3.2, condition 4).
    const quitStep = await stepOf(mark('client → server: QUIT'));
    for (const step of finSteps) {
      expect(step).toBeGreaterThan(Math.max(...transferSteps));
      expect(step).toBeGreaterThan(quitStep);
    }
    await screenshot('e2e-block-reuse-one-connection');
  });
});

describe('breakpoints', () => {
  it('stops before a command verb while playing, with the client held at the gate', async () => {
    await page.selectOption('#scenario', 'textbook-upload');
    await app.openFold('breakpoints');
    await page.fill('#bp-verbs', 'STOR');
    await page.selectOption('#speed', '20');
    await page.click('#run');
    await expect.poll(status, { timeout: 15_000 }).toMatch(/breakpoint before STOR/);
    expect(await page.locator('body').getAttribute('data-playing')).toBe('false');
    expect(await markStarting('client → server: STOR').count()).toBe(0);
    await page.click('#step');
    await expect.poll(() => markStarting('client → server: STOR').count()).toBe(1);
  });

  it('at wire speed the gate itself stops after a data connection FIN', async () => {
    await page.selectOption('#scenario', 'textbook-upload');
    await app.openFold('breakpoints');
    await page.locator('#bp-events input[value="tcp.fin:data"]').check();
    await page.selectOption('#speed', '0');
    await page.click('#run');
    await expect.poll(status, { timeout: 15_000 }).toMatch(/breakpoint on tcp\.fin \(data\)/);
    await expect.poll(() => markStarting('data connection D1: FIN from client').count()).toBe(1);
    // The client has not gone on to QUIT: it waits at the gate.
    await page.waitForTimeout(300);
    expect(await mark('client → server: QUIT').count()).toBe(0);
    // The server's answering FIN is the data connection's next close: the gate stops there too.
    await page.keyboard.press('Space');
    await expect.poll(() => markStarting('data connection D1: FIN from server').count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(status).toMatch(/breakpoint on tcp\.fin \(data\)/);
    expect(await mark('client → server: QUIT').count()).toBe(0);
    await page.keyboard.press('Space');
    await expect.poll(status, { timeout: 15_000 }).toMatch(/Session complete/);
    expect(await mark('client → server: QUIT').count()).toBe(1);
  });
});

describe('untrusted text', () => {
  it(`shows a file named ${EVIL} literally and runs nothing`, async () => {
    await runToEnd('textbook-upload', async () => {
      await app.openFold('transfer');
      await page.fill('#file', EVIL);
    });
    const stor = mark(`client → server: STOR ${EVIL}`);
    await expect(stor.locator('text.label').textContent()).resolves.toBe(`STOR ${EVIL}`);
    await expect(page.locator('#transcript li', { hasText: `STOR ${EVIL}` }).count()).resolves.toBe(1);
    await stor.locator('text.label').hover();
    await expect(page.locator('#detail-body').textContent()).resolves.toContain(`STOR ${EVIL}`);
    // No element was made from the text, and no handler ran (afterEach checks that no dialog opened).
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('[onerror]').count()).toBe(0);
    await screenshot('e2e-evil-file-name-as-text');
  });
});

describe('keyboard and presenter mode', () => {
  it('→ steps, ← steps back (the mark leaves), space pauses and resumes', async () => {
    await page.selectOption('#scenario', 'download');
    await page.click('#step');
    await stepUntil(/the client waits before USER student/);
    await page.locator('#diagram').focus();
    const user = mark('client → server: USER student');
    while ((await user.count()) === 0) {
      const before = await counter();
      await page.keyboard.press('ArrowRight');
      await expect.poll(counter).toBe(before + 1);
    }
    const at = await counter();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(counter).toBe(at - 1);
    await expect.poll(() => user.count()).toBe(0);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => user.count()).toBe(1);

    await page.selectOption('#speed', '20');
    await page.locator('#diagram').focus();
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('body').getAttribute('data-playing')).toBe('true');
    await expect.poll(counter).toBeGreaterThan(at + 3);
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('body').getAttribute('data-playing')).toBe('false');
    const paused = await counter();
    await page.waitForTimeout(400);
    expect(await counter()).toBe(paused);

    // Presenter mode: the options give way to the diagram; older steps fade, the current one stands out.
    await page.keyboard.press('Space');
    await expect.poll(status, { timeout: 15_000 }).toMatch(/Session complete/);
    await page.click('#presenter');
    await expect(page.locator('body').getAttribute('class')).resolves.toContain('presenter');
    await expect(page.locator('aside.sidebar').isVisible()).resolves.toBe(false);
    for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowLeft');
    await expect.poll(() => page.locator('g.mark.faded').count()).toBeGreaterThan(5);
    await expect(page.locator('g.mark.current').count()).resolves.toBeGreaterThan(0);
    await screenshot('e2e-presenter-mode');
  });

  it("presenter mode's caption says what “What happened” says: the narration, its RFC section and, at textbook-upload's PORT reply, the textbook's error; past rows stay at AA contrast", async () => {
    await runToEnd('textbook-upload');
    await page.click('#presenter');
    // Back to the PORT reply: it is the current step, as in a class stepping through.
    await page.locator('#diagram').focus();
    const atReply = page.locator('g.mark.current[aria-label^="server → client: 200 PORT"]');
    for (let i = 0; i < 40 && (await atReply.count()) === 0; i++) {
      const before = await counter();
      await page.keyboard.press('ArrowLeft');
      await expect.poll(counter).toBe(before - 1);
    }
    await expect(atReply.count()).resolves.toBe(1);
    const caption = page.locator('#caption');
    await expect.poll(() => caption.locator('.caption-textbook').textContent()).toMatch(/^The textbook \(step \d+\) says: .*150/);
    expect(await caption.locator('.caption-text').textContent()).toMatch(/^The server answers PORT\. /);
    expect(await caption.locator('.caption-rfc').textContent()).toMatch(/^RFC 959 §/);
    // The same words as the narration panel's (one source), which is hidden in presenter mode.
    expect(await caption.locator('.caption-text').textContent()).toBe(await page.locator('.narration-text').textContent());
    await expect(caption.isVisible()).resolves.toBe(true);
    await screenshot('e2e-presenter-caption-textbook');
    // A faded (past) row's label over the white diagram: its colour at the mark's opacity, against white.
    const faded = page.locator('g.mark.faded text.label').first();
    await expect.poll(() => faded.count()).toBeGreaterThan(0);
    const contrast = await faded.evaluate((label) => {
      const opacity = Number(getComputedStyle(label.closest('g.mark')!).opacity);
      const [r, g, b] = (getComputedStyle(label).fill.match(/\d+/g) ?? ['0', '0', '0']).map(Number) as [number, number, number];
      const channel = (c: number) => {
        const v = (c * opacity + 255 * (1 - opacity)) / 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      };
      const luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
      return 1.05 / (luminance + 0.05);
    });
    expect(contrast).toBeGreaterThanOrEqual(4.5);
  });

  it('saves the trace and opens it again', async () => {
    await runToEnd('listing');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-trace')]);
    const path = join(ARTIFACTS, 'e2e-listing.trace.json');
    await download.saveAs(path);
    const saved = JSON.parse(await readFile(path, 'utf8')) as { format: string; events: unknown[] };
    expect(saved.format).toBe('ftp-lab-trace');
    const total = await counter();

    // Export… opens the export dialog (SVG preselected); its Download button saves the file.
    const [svgDownload] = await Promise.all([page.waitForEvent('download'), page.click('#export-svg').then(() => page.click('#export-download'))]);
    const svgPath = join(ARTIFACTS, 'e2e-listing.svg');
    await svgDownload.saveAs(svgPath);
    const svg = await readFile(svgPath, 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('aria-label="client → server: LIST"');

    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor();
    await page.locator('#trace-file').setInputFiles(path);
    await expect.poll(status).toMatch(/Trace loaded: \d+ events/);
    expect(await counter()).toBe(total);
    await expect(page.locator('g.mark.transfer').count()).resolves.toBe(2);
    await page.keyboard.press('Home');
    await expect.poll(counter).toBe(0);
    await expect.poll(() => page.locator('g.mark.message').count()).toBe(0);
  });
});
