// The HTML player as a student uses it: the exported file opened from disk (file://, offline) in Debian's
// Chromium (playwright-core, never a downloaded browser), stepped with the buttons, the keys and the scrubber.
// A hostile trace must show its names as text and run nothing. Also: Mermaid itself draws the hostile
// Mermaid export in the browser, with every name literal.

import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { layoutTrace } from '../../core/diagram/layout/layout';
import { exportModel, narrateSteps } from '../../core/diagram/layout/exportModel';
import { stepReach } from '../../core/diagram/layout/stepReach';
import { questionBefore } from '../../core/quiz/questionKinds.table';
import type { TraceFile } from '../../core/trace/traceEvent';
import { renderExport, writeExport } from '../../main/export/exportFormats';
import { fixtures } from '../core/diagram/fixtures';
import { HOSTILE_FILE, HOSTILE_NOTE, HOSTILE_TITLE, hostileEvents } from '../core/diagram/hostileTrace';

const ARTIFACTS = join(process.cwd(), 'test-artifacts');

const hostile: TraceFile = {
  format: 'ftp-lab-trace',
  version: 1,
  meta: {
    createdAt: '2026-01-01T00:00:00Z',
    tool: 'test</script><script>alert("tool")</script>',
    title: HOSTILE_TITLE,
    scenario: 'textbook-upload',
    passwordsMasked: true,
  },
  events: hostileEvents(),
};

let dir: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let dialogs: string[];
let problems: string[];
let requests: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftp-lab-player-'));
  await mkdir(ARTIFACTS, { recursive: true });
  await writeExport(fixtures.textbookUpload, join(dir, 'textbook.html'));
  await writeExport(hostile, join(dir, 'hostile.html'), { theme: 'dark' });
  await writeExport(fixtures.textbookUpload, join(dir, 'quiz.html'), { quizKinds: QUIZ_KINDS });
  await writeExport(fixtures.textbookUploadKernel, join(dir, 'kernel.html'), { kernelStates: true });
  await writeExport(fixtures.textbookUpload, join(dir, 'time.html'), { axis: 'time' });
  await writeExport(fixtures.textbookUpload, join(dir, 'time-range.html'), { axis: 'time', range: { from: 14, to: 20 } });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
  page = await context.newPage();
  dialogs = [];
  problems = [];
  requests = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // A CSP violation (our own script refused, or anything injected) is reported as a console error.
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('request', (request) => requests.push(request.url()));
});

afterEach(async () => {
  expect(dialogs, 'no page may open a dialog').toEqual([]);
  expect(problems, 'no script errors or CSP violations').toEqual([]);
  expect(
    requests.filter((url) => !url.startsWith('file://')),
    'offline: nothing but the file itself',
  ).toEqual([]);
  await context.close();
});

/** The quiz export's kinds: who closes, and the 2yz replies (the textbook says 250 where the server says 226). */
const QUIZ_KINDS = ['data.close', 'reply.2yz'] as const;

const open = (name: string) => page.goto(pathToFileURL(join(dir, name)).href);
const visibleMarks = () => page.locator('#diagram g.mark:visible').count();
const counter = async () => (await page.locator('#counter').textContent()) ?? '';
const narration = async () => (await page.locator('#narration').textContent()) ?? '';

describe('HTML player', () => {
  it('steps through the textbook upload with buttons, keys and the scrubber; marks appear and the narration follows', async () => {
    const model = layoutTrace(fixtures.textbookUpload.events);
    await open('textbook.html');
    expect(await counter()).toBe(`Step 1 of ${model.steps}`);
    expect(await visibleMarks()).toBe(model.marks.filter((m) => m.step === 0).length);
    expect(await narration()).toBe('The client opens the control connection.');
    expect(await page.locator('#rfc').textContent()).toBe('RFC 959 §2.3');

    await page.click('#next');
    expect(await counter()).toBe(`Step 2 of ${model.steps}`);
    expect(await narration()).toMatch(/^The server answers|^220: the server is ready/);
    const afterTwo = await visibleMarks();
    expect(afterTwo).toBe(model.marks.filter((m) => m.step <= 1).length);

    for (let i = 0; i < 12; i++) await page.keyboard.press('ArrowRight');
    expect(await counter()).toBe(`Step 14 of ${model.steps}`);
    expect(await narration()).toMatch(/^The client sends PORT/);
    // The textbook scenario: at the 200 that answers PORT, where the textbook is wrong.
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('#textbook').textContent()).toMatch(/^The textbook \(step 7\) says/);
    expect(await visibleMarks()).toBeGreaterThan(afterTwo);

    // Scrub to the client's FIN at end of file: its badge shows, the data connection's span is drawn down to here only.
    await page.locator('#scrub').fill('20');
    expect(await counter()).toBe(`Step 20 of ${model.steps}`);
    expect(await narration()).toMatch(/^The client closes the data connection \(TCP FIN\): end of file in STREAM mode/);
    expect(await page.locator('g.mark.close-badge:visible text').allTextContents()).toEqual(['client closed: EOF in STREAM mode']);
    const spanHeight = () => page.locator('g.mark.connection rect.span').first().getAttribute('height');
    const partial = Number(await spanHeight());
    await page.keyboard.press('End');
    expect(await counter()).toBe(`Step ${model.steps} of ${model.steps}`);
    expect(await visibleMarks()).toBe(model.marks.length);
    expect(Number(await spanHeight())).toBeGreaterThan(partial);
    await page.screenshot({ path: join(ARTIFACTS, 'html-player-end.png') });

    await page.keyboard.press('Home');
    expect(await counter()).toBe(`Step 1 of ${model.steps}`);
    await page.keyboard.press('ArrowLeft');
    expect(await counter()).toBe(`Step 1 of ${model.steps}`);

    // Play (fast) runs on by itself; Space pauses.
    await page.selectOption('#speed', '350');
    await page.click('#play');
    await expect.poll(counter, { timeout: 5000 }).toBe(`Step 4 of ${model.steps}`);
    await page.locator('body').press(' ');
    const paused = await counter();
    await page.waitForTimeout(800);
    expect(await counter()).toBe(paused);
    expect(await page.locator('#play').textContent()).toBe('Play');
    await page.locator('#scrub').fill('19');
    await page.screenshot({ path: join(ARTIFACTS, 'html-player.png') });
  });

  it('the controls never cover the lane names: each is in sight, not covered, at the top and after the diagram scrolls', async () => {
    await page.setViewportSize({ width: 1300, height: 600 });
    await open('textbook.html');
    const lanes = layoutTrace(fixtures.textbookUpload.events).lanes.map((lane) => lane.title);
    expect(lanes).toEqual(['Client PI · control', 'Client DTP · data', 'Server DTP · data', 'Server PI · control']);
    /** For each lane name: is some element showing it in the viewport, below the controls, and the topmost thing at its centre? */
    const inSight = () =>
      page.evaluate((names) => {
        const controls = document.querySelector('.bar')!.getBoundingClientRect().bottom;
        return names.map((name) =>
          [...document.querySelectorAll('text.lane-title')]
            .filter((t) => t.textContent === name)
            .some((t) => {
              const box = t.getBoundingClientRect();
              const x = box.left + box.width / 2;
              const y = box.top + box.height / 2;
              if (box.top < controls || box.bottom > innerHeight || x < 0 || x > innerWidth) return false;
              const top = document.elementFromPoint(x, y);
              return top !== null && (top === t || t.contains(top));
            }),
        );
      }, lanes);
    const scrolled = () => page.locator('#scroller').evaluate((box) => box.scrollTop);
    const rowInView = () =>
      page.evaluate(() => {
        const row = document.querySelector('rect.player-current')!.getBoundingClientRect();
        const strip = document.querySelector('.lane-strip')!.getBoundingClientRect();
        return row.top >= strip.bottom - 1 && row.bottom <= innerHeight;
      });

    expect(await scrolled()).toBe(0);
    expect(await inSight()).toEqual([true, true, true, true]);
    await page.screenshot({ path: join(ARTIFACTS, 'html-player-lanes-top.png') });
    // Stepping on scrolls the diagram to keep the current row in view: the lane names stay.
    for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowRight');
    expect(await scrolled()).toBeGreaterThan(200);
    expect(await inSight()).toEqual([true, true, true, true]);
    expect(await rowInView()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'html-player-lanes-scrolled.png') });
    await page.keyboard.press('End');
    expect(await inSight()).toEqual([true, true, true, true]);
    expect(await rowInView()).toBe(true);
    // Scrolled by hand (the wheel), too.
    await page.mouse.move(600, 450);
    await page.mouse.wheel(0, -150);
    await expect.poll(scrolled).toBeGreaterThan(0);
    expect(await inSight()).toEqual([true, true, true, true]);
    // And back at the first step the diagram is at its top again, the current row under the lane names.
    await page.keyboard.press('Home');
    expect(await rowInView()).toBe(true);
    expect(await inSight()).toEqual([true, true, true, true]);
  });

  it('a hostile trace: names shown literally as text, nothing injected, nothing run', async () => {
    const model = layoutTrace(hostile.events);
    await open('hostile.html');
    expect(await page.title()).toBe(`${HOSTILE_TITLE} · FTP Lab player`);
    expect(await page.locator('h1').textContent()).toBe(HOSTILE_TITLE);
    expect(await page.locator('script').count()).toBe(3);
    expect(await page.locator('img, iframe, object, embed, foreignObject').count()).toBe(0);

    const stor = model.rows.findIndex((r) => model.marks.some((m) => m.step === r.step && m.kind === 'message' && m.verb === 'STOR'));
    await page.locator('#scrub').fill(String(stor + 1));
    expect(await page.locator('#summary').textContent()).toBe(`client → server: STOR ${HOSTILE_FILE}`);
    const note = model.marks.find((m) => m.kind === 'note');
    await page.locator('#scrub').fill(String((note?.step ?? 0) + 1));
    expect(await page.locator('#summary').textContent()).toBe(`note: ${HOSTILE_NOTE}`);
    expect(await narration()).toBe(HOSTILE_NOTE);
    // Every step once, both ways.
    for (let i = 0; i < model.steps; i++) await page.keyboard.press('ArrowRight');
    for (let i = 0; i < model.steps; i++) await page.keyboard.press('ArrowLeft');
    expect(await counter()).toBe(`Step 1 of ${model.steps}`);
    // The trace inside the file reads back whole.
    const embedded = await page.locator('#ftp-lab-trace').textContent();
    expect(JSON.parse(embedded ?? '')).toEqual(JSON.parse(JSON.stringify(hostile)));
    await page.keyboard.press('End');
    await page.screenshot({ path: join(ARTIFACTS, 'html-player-hostile.png'), fullPage: true });
  });
});

describe('HTML player: the time axis', () => {
  it('the counter says the step number, then the time: "Step 12 of 26 · 15.4 ms" (a range: which of those shown)', async () => {
    const model = exportModel(fixtures.textbookUpload, { axis: 'time' });
    await open('time.html');
    expect(await counter()).toBe(`Step 1 of ${model.steps} · ${model.rows[0]!.label}`);
    for (let i = 0; i < 11; i++) await page.keyboard.press('ArrowRight');
    expect(await counter()).toBe(`Step 12 of ${model.steps} · ${model.rows[11]!.label}`);
    expect(await counter()).toMatch(/^Step 12 of \d+ · [\d.]+ m?s$/);
    await page.screenshot({ path: join(ARTIFACTS, 'html-player-time-axis.png') });
    await open('time-range.html');
    await page.keyboard.press('ArrowRight');
    expect(await counter()).toBe(`Step 15 (2 of 7 shown) · ${model.rows[14]!.label}`);
  });
});

describe('HTML player: the kernel-states layer', () => {
  it('each kernel state band grows step by step as the app draws it: down to the current step, whole once the next state began', async () => {
    const events = fixtures.textbookUploadKernel.events;
    const full = layoutTrace(events, { kernelStates: true });
    /** The bands as the app draws step N (from 1): the layout of the trace up to that step (RecordedTrace.upTo). */
    const appBands = (step: number) =>
      Object.fromEntries(
        layoutTrace(events, { kernelStates: true, range: { from: 1, to: stepReach(full, step, true) } }).marks.flatMap((m) =>
          m.kind === 'kernel-state' ? [[m.id, Math.max(2, m.y2 - m.y1)]] : [],
        ),
      );
    const playerBands = () =>
      page.evaluate(() =>
        Object.fromEntries(
          [...document.querySelectorAll('#diagram g.mark.kernel-state')]
            .filter((g) => getComputedStyle(g).display !== 'none')
            .map((g) => [g.getAttribute('data-mark'), Number(g.querySelector('rect.kernel-band')!.getAttribute('height'))]),
        ),
      );
    const whole = appBands(full.steps);
    expect(Object.keys(whole).length).toBeGreaterThan(8);
    await open('kernel.html');
    let grew = 0;
    for (let step = 1; step <= full.steps; step++) {
      if (step > 1) await page.keyboard.press('ArrowRight');
      expect(await counter()).toBe(`Step ${step} of ${full.steps}`);
      const shown = await playerBands();
      const drawn = appBands(step);
      expect(Object.keys(shown).sort(), `the bands at step ${step}`).toEqual(Object.keys(drawn).sort());
      for (const [id, height] of Object.entries(drawn)) expect(shown[id], `${id} at step ${step}`).toBeCloseTo(height, 0);
      if (Object.entries(drawn).some(([id, height]) => height < (whole[id] ?? 0) - 1)) grew++;
      grew++;
      if (step === 12) await page.screenshot({ path: join(ARTIFACTS, 'html-player-kernel-step12.png') });
    }
    // Most steps have a band still growing (the control connection's ESTABLISHED at least).
    expect(grew).toBeGreaterThan(full.steps / 2);
  });
});

describe('HTML player: the quiz', () => {
  const trace = fixtures.textbookUpload;
  const model = layoutTrace(trace.events);
  const told = narrateSteps(trace, model);
  /** The question core/quiz asks before a step (0-based), as the app asks it. */
  const questionAt = (step: number) => questionBefore(trace.events, model.rows[step]!.seq, QUIZ_KINDS, 'textbook-upload');
  const text = async (selector: string) => (await page.locator(selector).textContent()) ?? '';
  const choices = () => page.locator('#quiz-choices button').allTextContents();
  /** The step the question on screen is asked before: the one after the step shown. */
  const askedBefore = async () => Number(await page.locator('body').getAttribute('data-step'));

  it.each([
    { width: 1400, height: 900 },
    { width: 1920, height: 1080 },
  ])(
    'a round at $width×$height: asked before the step, answered right with a key and wrong with a click, the score kept, the narration revealed',
    async (viewport) => {
      await page.setViewportSize(viewport);
      await open('quiz.html');
      expect(await text('#quiz-score')).toBe('Quiz: no questions yet');
      expect(await text('#quiz-verdict')).toMatch(/^Step on: a question comes before each step of these kinds: Who closes the data connection/);

      // Step 2 is the server's 220: the player stops before it and asks, showing step 1 still.
      await page.keyboard.press('ArrowRight');
      expect(await counter()).toBe(`Step 1 of ${model.steps}`);
      expect(await page.locator('#quiz').getAttribute('class')).toBe('quiz asking');
      const first = questionAt(1)!;
      expect(await text('#quiz-prompt')).toBe(first.prompt);
      expect(await choices()).toEqual(first.choices.map((c, i) => `${i + 1}${c}`));
      expect(first.choices[first.answer]).toBe('220');
      // Stepping on again does not get past the question.
      await page.click('#next');
      expect(await counter()).toBe(`Step 1 of ${model.steps}`);
      await page.keyboard.press(String(first.answer + 1));
      expect(await counter()).toBe(`Step 2 of ${model.steps}`);
      expect(await text('#quiz-score')).toBe('Score: 1 of 1 right');
      expect(await text('#quiz-verdict')).toMatch(/^Right: 220\./);
      expect(await page.locator('#quiz').getAttribute('class')).toBe('quiz revealed right');
      expect(await narration()).toBe(told.get(model.rows[1]!.seq)!.text);

      // On to the end: each question on the way is answered right (by a click), until STOR's completion.
      let asked = 1;
      for (;;) {
        await page.keyboard.press('End');
        const step = await askedBefore();
        const question = questionAt(step);
        expect(question, `a question before step ${step + 1}`).toBeDefined();
        if (question!.prompt.endsWith('to STOR?') && question!.kind === 'reply.2yz') break;
        await page.locator('#quiz-choices button').nth(question!.answer).click();
        asked += 1;
        expect(await text('#quiz-score')).toBe(`Score: ${asked} of ${asked} right`);
      }
      // The textbook says 250 where RFC 959 and the server say 226: a choice; chosen, it is wrong.
      const stor = await askedBefore();
      expect(await choices()).toContain('2250');
      await page.screenshot({ path: join(ARTIFACTS, `html-player-quiz-asking-${viewport.width}.png`) });
      await page.locator('#quiz-choices button', { hasText: '250' }).click();
      expect(await counter()).toBe(`Step ${stor + 1} of ${model.steps}`);
      expect(await text('#quiz-score')).toBe(`Score: ${asked} of ${asked + 1} right`);
      expect(await text('#quiz-verdict')).toMatch(/^Not this time: you chose 250; the answer is 226\./);
      expect(await page.locator('#quiz').getAttribute('class')).toBe('quiz revealed wrong');
      expect(await narration()).toBe(told.get(model.rows[stor]!.seq)!.text);
      expect(await narration()).toMatch(/^The server answers STOR\. 226/);
      expect(await page.locator('#quiz-choices button').count()).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, `html-player-quiz-revealed-${viewport.width}.png`) });

      // Back and forth again: an answered question is not asked twice; Play stops before the next one.
      await page.keyboard.press('Home');
      expect(await page.locator('#quiz').getAttribute('class')).toBe('quiz');
      await page.selectOption('#speed', '350');
      await page.click('#play');
      await expect.poll(() => page.locator('#quiz').getAttribute('class'), { timeout: 20_000 }).toBe('quiz asking');
      expect(await page.locator('#play').textContent()).toBe('Play');
      expect(await askedBefore()).toBeGreaterThan(stor);
      expect(await text('#quiz-prompt')).toBe(questionAt(await askedBefore())!.prompt);
    },
  );
});

describe('Mermaid export in the browser', () => {
  it('Mermaid draws the hostile export: every name literal, no element or script from the trace', async () => {
    await page.setContent('<!doctype html><html><body><div id="out"></div></body></html>');
    await page.addScriptTag({ content: await readFile(join(process.cwd(), 'node_modules/mermaid/dist/mermaid.min.js'), 'utf8') });
    const text = String(await renderExport(hostile, 'mmd'));
    const drawn = await page.evaluate(async (source) => {
      const api = (window as unknown as { mermaid: { initialize(c: object): void; render(id: string, text: string): Promise<{ svg: string }> } }).mermaid;
      api.initialize({ startOnLoad: false, securityLevel: 'strict' });
      const { svg } = await api.render('hostile', source);
      const out = document.getElementById('out')!;
      out.innerHTML = svg;
      return {
        texts: [...out.querySelectorAll('text')].map((t) => t.textContent ?? ''),
        injected: out.querySelectorAll('script, img, iframe, foreignObject').length,
      };
    }, text);
    expect(drawn.injected).toBe(0);
    expect(drawn.texts).toContain(HOSTILE_TITLE);
    expect(drawn.texts.some((t) => t.endsWith(`STOR ${HOSTILE_FILE}`))).toBe(true);
    expect(drawn.texts.some((t) => t.endsWith(HOSTILE_NOTE.replace('\n', '\u240a')))).toBe(true);
    await page.locator('#out svg').screenshot({ path: join(ARTIFACTS, 'mermaid-hostile.png') });
  });
});
