// The classroom list in Chromium: a class of real ftplib clients against Watch server; every session listed with
// its client, user, what it did and its trouble; only the lines in view in the DOM; a session picked in the list
// drawn in the diagram; names shown as text, never as markup; readable at 1400×900 and 1920×1080.

import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { useApp } from './appFixture';
import { runPython } from '../support/python';

const app = useApp();
const { mark, screenshot } = app;
let page: Page;
beforeEach(() => {
  page = app.page;
});

/** CLIENTS threads, SESSIONS sessions each, one after another: eight log in as student with a wrong password (530),
 * one with a name that is markup (no such user: 530 too); the others list, upload s<i>-<k>.txt and quit. */
const CLASS = `
import ftplib, io, sys, threading
port, clients, sessions = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def student(i):
  for k in range(sessions):
    n = i * sessions + k
    f = ftplib.FTP(); f.connect('127.0.0.1', port, timeout=20)
    try:
      if n == 7: f.login('<img src=x onerror=alert(1)>', 'x')
      elif n % 5 == 3: f.login('student', 'wrong')
      else: f.login('anonymous', 'x')
    except ftplib.error_perm:
      f.close(); continue
    f.retrlines('LIST', lambda line: None)
    f.storbinary('STOR s%d-%d.txt' % (i, k), io.BytesIO(b'x' * 2048))
    f.quit()
threads = [threading.Thread(target=student, args=(i,)) for i in range(clients)]
[t.start() for t in threads]; [t.join() for t in threads]
print('done')
`;

/** Scrolls the list from the top until a line whose user cell passes `test` is in the DOM; returns that line. */
async function findRow(page: Page, test: (user: string, line: HTMLElement) => boolean) {
  const list = page.locator('.classroom-rows');
  // The list redraws in the frame after a scroll: lines found before it may be about to go.
  const settled = () => page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await list.evaluate((el) => (el.scrollTop = 0));
  await settled();
  for (;;) {
    const found = await page.locator('.classroom-row').evaluateAll((lines, source) => {
      const pass = new Function(`return (${source})`)() as (user: string, line: HTMLElement) => boolean;
      const line = lines.find((line) => pass(line.querySelector('.cell.user')?.textContent ?? '', line as HTMLElement));
      // In the middle of the view, it stays drawn while the test reads it.
      line?.scrollIntoView({ block: 'center' });
      return line?.getAttribute('data-session') ?? null;
    }, test.toString());
    await settled();
    if (found) {
      const row = page.locator(`.classroom-row[data-session="${found}"]`);
      if ((await row.count()) === 1) return row;
      continue;
    }
    const moved = await list.evaluate((el) => {
      const before = el.scrollTop;
      el.scrollTop += el.clientHeight / 2;
      return el.scrollTop !== before;
    });
    if (!moved) throw new Error('no such line in the list');
    await settled();
  }
}

describe('the classroom list', () => {
  it.each([
    { width: 1400, height: 900 },
    { width: 1920, height: 1080 },
  ])(
    'lists every session of a class, draws the ones picked ($width×$height)',
    async ({ width, height }) => {
      await page.setViewportSize({ width, height });
      const port = await app.watchServer();
      await expect(page.locator('#classroom').isVisible()).resolves.toBe(true);
      const clients = 10;
      const each = 4;
      const run = await runPython(CLASS, [String(port), String(clients), String(each)], { timeoutMs: 60_000 });
      expect(run.stdout.trim(), run.stderr).toBe('done');
      const summary = page.locator('.classroom-summary');
      await expect.poll(async () => (await summary.textContent()) ?? '', { timeout: 10_000 }).toMatch(/^40 sessions \(0 open, 9 with errors or refusals\)/);
      expect(await summary.textContent()).toMatch(/drawing #1, #2, #3, #4 · every session's events: \/\S+\.trace\.json$/);

      // Only the lines in view (and a few more) are in the DOM; the list is as tall as all 40.
      const rows = page.locator('.classroom-row');
      const inDom = await rows.count();
      expect(inDom).toBeGreaterThan(3);
      expect(inDom).toBeLessThan(40);
      const canvasHeight = await page.locator('.classroom-canvas').evaluate((el) => el.getBoundingClientRect().height);
      const rowHeight = await rows.first().evaluate((el) => el.getBoundingClientRect().height);
      expect(canvasHeight).toBeCloseTo(40 * rowHeight, 0);

      // The drawn sessions are on top; the newest of the others follows.
      expect(await rows.nth(0).getAttribute('aria-pressed')).toBe('true');
      expect(await rows.nth(4).locator('.cell.number').textContent()).toBe('#40');

      // Refusals are marked: the only-trouble filter leaves the refused sessions (and the drawn ones).
      await page.check('.classroom-trouble-only');
      const refused = page.locator('.classroom-row.trouble');
      await expect.poll(() => refused.count()).toBeGreaterThan(0);
      // The refused logins of 'student' (the class's other trouble, a hostile user name, may come first).
      // Only the lines in view are in the DOM, and which sessions are newest depends on the clients' timing (the
      // hostile names can fill the view): the list is scrolled until such a line is drawn.
      const first = await findRow(page, (user, line) => user === 'student' && line.classList.contains('trouble'));
      expect(await first.locator('.cell.user').textContent()).toBe('student');
      expect(await first.locator('.cell.reply').textContent()).toBe('530 Login incorrect.');
      expect(await first.locator('.cell.trouble').textContent()).toBe('1 refused');
      expect(await first.evaluate((el) => getComputedStyle(el).borderLeftColor)).toBe('rgb(194, 36, 29)');
      await page.uncheck('.classroom-trouble-only');

      // A name that is markup is shown as text (the list is scrolled until its line is drawn).
      const markup = await findRow(page, (user) => user.startsWith('<img'));
      expect(await markup.locator('.cell.user').textContent()).toBe('<img src=x onerror=alert(1)>');
      expect(await markup.locator('.cell.reply').textContent()).toBe('530 Login incorrect.');
      expect(await page.locator('#classroom img').count()).toBe(0);

      expect(await markup.locator('.cell.user').getAttribute('title')).toBe('<img src=x onerror=alert(1)>');
      // Nothing in a line is cut at this size but a long name or reply, whose whole text is then the cell's title.
      const cut = await rows.evaluateAll((lines) =>
        lines.flatMap((line) =>
          [...line.querySelectorAll<HTMLElement>('.cell')]
            .filter((c) => c.scrollWidth > c.clientWidth + 1 && c.title !== c.textContent)
            .map((c) => `${c.className}: ${c.textContent}`),
        ),
      );
      expect(cut).toEqual([]);

      // Picking a session that uploaded draws it from its start: more steps, and the newest upload in the transcript
      // (each session uploads a file of its own name) is now the picked session's.
      const steps = async () => Number(/\/ (\d+)/.exec((await page.locator('#step-counter').textContent()) ?? '')?.[1]);
      const lastUpload = async () => (await page.locator('#transcript li.line', { hasText: /STOR s\d+-\d+\.txt/ }).allTextContents()).at(-1);
      await expect.poll(lastUpload).toMatch(/STOR s\d+-\d+\.txt/);
      const [stepsBefore, uploadBefore] = [await steps(), await lastUpload()];
      const picked = await findRow(page, (user, line) => user === 'anonymous' && !line.classList.contains('followed'));
      const number = await picked.getAttribute('data-session');
      await picked.click();
      await expect.poll(() => page.locator(`.classroom-row[data-session="${number}"]`).getAttribute('aria-pressed')).toBe('true');
      await expect.poll(async () => (await summary.textContent()) ?? '').toMatch(new RegExp(`drawing #1, #2, #3, #4, #${number} `));
      await expect.poll(steps, { timeout: 10_000 }).toBeGreaterThan(stepsBefore);
      await expect.poll(lastUpload).not.toBe(uploadBefore);
      expect(await mark('client → server: QUIT').count()).toBeGreaterThan(0);
      await screenshot(`e2e-classroom-${width}`);

      // Picked again, it is followed no more: only that change travels (the page removes its events, connections
      // named alone included), and the picture is the one drawn before, step for step.
      await page.locator(`.classroom-row[data-session="${number}"]`).click();
      await expect.poll(async () => (await summary.textContent()) ?? '').toMatch(/drawing #1, #2, #3, #4 /);
      await expect.poll(steps, { timeout: 10_000 }).toBe(stepsBefore);
      expect(await lastUpload()).toBe(uploadBefore);
      await page.click('#stop');
    },
    90_000,
  );
});
