// Predict, then reveal, end to end in Debian's Chromium (playwright-core, never a downloaded browser): a teacher
// turns the quiz on for closes and 1yz replies only, runs the textbook upload at wire speed, and the live session
// stops before STOR's reply and before the first FIN of the data connection; the class answers one wrong (by a
// click) and one right (key 2 or 1), each answer reveals the step with its narration, and the score counts. At
// 1400×900 at the desk and at 1920×1080 in presenter mode (its words 20 px and up), nothing overflows.

import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { useApp } from './appFixture';

const app = useApp();
const { counter, screenshot, status } = app;
let page: Page;
beforeEach(() => {
  page = app.page;
});

const text = (selector: string) => page.locator(selector).textContent();
const choices = () => page.locator('#quiz .quiz-choice span').allTextContents();

/** The quiz card (and its settings), measured as Chromium lays them out: what leaves the window or its box, is cut, or is too small to read. */
function layoutProblems(minFontPx: number) {
  return page.evaluate((minFont) => {
    const problems: string[] = [];
    const show = (r: DOMRect) => `${Math.round(r.x)},${Math.round(r.y)} ${Math.round(r.width)}×${Math.round(r.height)}`;
    const card = document.querySelector<HTMLElement>('#quiz')!;
    const box = card.getBoundingClientRect();
    if (box.left < 0 || box.top < 0 || box.right > window.innerWidth + 0.5 || box.bottom > window.innerHeight + 0.5)
      problems.push(`the card (${show(box)}) leaves the window`);
    if (card.scrollWidth > card.clientWidth + 1 || card.scrollHeight > card.clientHeight + 1) problems.push('the card scrolls: something overflows it');
    // The diagram keeps room to be read under the card.
    const diagram = document.querySelector('#diagram-wrap')!.getBoundingClientRect();
    if (diagram.height < window.innerHeight * 0.35) problems.push(`the diagram is squeezed to ${Math.round(diagram.height)} px`);
    for (const el of card.querySelectorAll<HTMLElement>('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.bottom > box.bottom + 0.5)
        problems.push(`"${el.textContent}" (${show(r)}) leaves the card`);
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible') problems.push(`"${el.textContent}" is cut`);
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (el.textContent && el.children.length === 0 && size < minFont) problems.push(`"${el.textContent}" at ${size} px`);
    }
    // The teacher's checkboxes (in the sidebar, at the desk): each kind's words within the panel.
    const settings = document.querySelector<HTMLElement>('.quiz-settings')!;
    const panel = settings.getBoundingClientRect();
    for (const label of settings.querySelectorAll<HTMLElement>('label, p, h2')) {
      const r = label.getBoundingClientRect();
      if (panel.width > 0 && (r.left < panel.left - 0.5 || r.right > panel.right + 0.5 || label.scrollWidth > label.clientWidth + 1))
        problems.push(`"${label.textContent}" (${show(r)}) leaves the quiz settings`);
    }
    return problems;
  }, minFontPx);
}

describe('a full quiz round on a live run of the textbook upload', () => {
  for (const { width, height, presenter } of [
    { width: 1400, height: 900, presenter: false },
    { width: 1920, height: 1080, presenter: true },
  ]) {
    it(`at ${width}×${height}${presenter ? ' in presenter mode' : ' at the desk'}: one wrong and one right answer, each revealed with its narration, scored`, async () => {
      await page.setViewportSize({ width, height });
      // The teacher asks before closes and 1yz replies only.
      await app.openFold('quiz');
      await page.check('#quiz-on');
      for (const box of await page.locator('#quiz-kinds input').all()) {
        const value = await box.getAttribute('value');
        await box.setChecked(value === 'data.close' || value === 'reply.1yz');
      }
      await page.selectOption('#scenario', 'textbook-upload');
      await page.selectOption('#speed', '0');
      if (presenter) await page.keyboard.press('p');
      await page.click('#run');

      // Before STOR's reply: the session is held at the gate, the reply not shown.
      await expect.poll(() => text('#quiz .quiz-prompt'), { timeout: 15_000 }).toBe('Which reply does the server send next, to STOR?');
      // The textbook's 250 (its step 13) is one of the choices.
      await expect(choices()).resolves.toEqual(['125', '150', '226', '250']);
      await expect(text('#quiz .quiz-score')).resolves.toBe('Quiz: no questions yet');
      const before = await counter();
      await expect(status()).resolves.toMatch(
        new RegExp(`^A question before step ${before + 1}: Which reply does the server send next, to STOR\\? Answer with a key from 1 to 4\\.$`),
      );
      await expect(page.locator('g.mark[aria-label^="reply 150"]').count()).resolves.toBe(0);
      expect(await layoutProblems(presenter ? 20 : 12)).toEqual([]);
      await screenshot(`quiz-asking-${width}x${height}`);

      // A wrong answer, by a click: 250, the textbook's.
      await page.locator('#quiz .quiz-choice', { hasText: '250' }).click();
      await expect.poll(() => text('#quiz .quiz-verdict')).toBe('Not this time: you chose 250; the answer is 150.');
      await expect.poll(counter).toBe(before + 1);
      await expect(page.locator('#quiz').getAttribute('class')).resolves.toBe('quiz revealed wrong');
      await expect(text('#quiz .quiz-score')).resolves.toBe('Score: 0 of 1 right');
      // The step is told in the words of "What happened", with the textbook's correction.
      const told = presenter ? '#caption' : '#quiz';
      const correction = presenter ? '#caption' : '#narration-body';
      await expect.poll(() => text(told)).toMatch(/The server answers STOR\. 150: a preliminary reply/);
      await expect.poll(() => text(correction)).toMatch(/The textbook \(step 13\) says/);
      if (!presenter) await expect(text('#narration-body .narration-text')).resolves.toMatch(/^The server answers STOR\. 150/);
      expect(await layoutProblems(presenter ? 20 : 12)).toEqual([]);
      await screenshot(`quiz-revealed-wrong-${width}x${height}`);

      // Resume: the next question is the first FIN of D1; the right answer, by key 1.
      await page.keyboard.press(' ');
      await expect.poll(() => text('#quiz .quiz-prompt'), { timeout: 15_000 }).toBe('Who closes data connection D1 first: who sends its first FIN?');
      await expect(choices()).resolves.toEqual(['The client', 'The server']);
      await page.keyboard.press('1');
      await expect.poll(() => text('#quiz .quiz-verdict')).toBe('Right: The client.');
      await expect(text('#quiz .quiz-score')).resolves.toBe('Score: 1 of 2 right');
      await expect.poll(() => text(told)).toMatch(/The client closes the data connection \(TCP FIN\): end of file in STREAM mode/);
      expect(await layoutProblems(presenter ? 20 : 12)).toEqual([]);
      await screenshot(`quiz-revealed-right-${width}x${height}`);

      // No more questions of these kinds: the session runs to its end, the score stays.
      await page.keyboard.press(' ');
      await expect.poll(status, { timeout: 15_000 }).toMatch(/^Session complete/);
      await expect(text('#quiz .quiz-score')).resolves.toBe('Score: 1 of 2 right');
    });
  }

  it('keys 1–4 do nothing without a question; a recorded session replayed asks too (the greeting, before step 2)', async () => {
    await app.runToEnd('textbook-upload');
    await expect(page.locator('#quiz').isVisible()).resolves.toBe(false);
    const end = await counter();
    await page.keyboard.press('1');
    await expect(counter()).resolves.toBe(end);
    await expect(status()).resolves.toMatch(/^Session complete/);

    // The quiz turned on afterwards, every kind: the replay from the top stops before the server's first reply.
    // The header no longer says "active": who connects to whom is one of the questions.
    await expect(text('#session-title')).resolves.toBe('The textbook upload, done as RFC 959 says · STREAM mode · active · TYPE I');
    await app.openFold('quiz');
    await page.check('#quiz-on');
    await expect.poll(() => text('#session-title')).toBe('The textbook upload, done as RFC 959 says · STREAM mode · TYPE I');
    await expect(text('details.fold[data-fold="transfer"] .fold-state')).resolves.toBe('STREAM');
    await page.locator('#diagram').focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await expect.poll(counter).toBe(1);
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => text('#quiz .quiz-prompt')).toBe('A client has connected. Which reply does the server send first?');
    await expect(choices()).resolves.toEqual(['120', '220', '230', '421']);
    await expect(counter()).resolves.toBe(1);
    await page.keyboard.press('2');
    await expect.poll(() => text('#quiz .quiz-verdict')).toBe('Right: 220.');
    await expect(counter()).resolves.toBe(2);
    await expect(text('#quiz .quiz-score')).resolves.toBe('Score: 1 of 1 right');
  });
});
