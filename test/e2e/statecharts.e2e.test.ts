// The state machines drawn as graphs, end to end in Debian's Chromium (playwright-core, never a downloaded
// browser): the state the trace says each data connection is in is the one lit, at three steps of the textbook
// upload and after stepping back; the arrow that step took is marked; and the charts fit the window at
// 1400×900 and at 1920×1080 (where their words are at least 16 px), at the desk and in presenter mode, with
// every word inside its box as Chromium draws it.

import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { useApp } from './appFixture';

const app = useApp();
const { markStarting, counter, screenshot, runToEnd } = app;
let page: Page;
beforeEach(() => {
  page = app.page;
});

/** Shows the state machines (they are hidden until asked for) and waits until elkjs has laid them out. */
async function showStatecharts(): Promise<void> {
  await page.click('#show-statecharts');
  await expect(page.locator('#show-statecharts').getAttribute('aria-pressed')).resolves.toBe('true');
  await page.locator('#statecharts-body[data-layout="ready"]').waitFor({ state: 'attached', timeout: 20_000 });
}
/** The state a machine's region is lit in. */
const lit = (machine: string, region: string) =>
  page.locator(`.statechart[data-machine="${machine}"] .statechart-region[data-region="${region}"] g.state.active-leaf`).getAttribute('data-state');
/** The arrows marked as just taken in a machine's region. */
const taken = (machine: string, region: string) =>
  page
    .locator(`.statechart[data-machine="${machine}"] .statechart-region[data-region="${region}"] g.arrow.taken`)
    .evaluateAll((gs) => gs.map((g) => (g as SVGGElement).dataset.arrow));
/** The step (as the counter counts) of a diagram mark. */
const stepOf = async (prefix: string) => Number(await markStarting(prefix).first().getAttribute('data-step')) + 1;
const goTo = async (step: number) => {
  await page.locator('#scrub').fill(String(step));
  await expect.poll(counter).toBe(step);
};

describe('the data connection states of the textbook upload', () => {
  it('light the state the trace names at each step, also stepping back, and mark the arrow the step took', async () => {
    await runToEnd('textbook-upload');
    await showStatecharts();
    const transfer = await stepOf('data connection D1: 4096 bytes');
    const clientFin = await stepOf('data connection D1: FIN from client');
    const serverFin = await stepOf('data connection D1: FIN from server');
    expect(transfer < clientFin && clientFin < serverFin).toBe(true);

    // The bytes travel: the client's data connection is open (it connected before it could send).
    await goTo(transfer);
    await expect.poll(() => lit('client', 'data')).toBe('data.open');

    // The client's FIN ends the upload (STREAM mode): its side is half closed, its FIN sent; the server has
    // seen it, so the server's side is half closed too, the other way round.
    await goTo(clientFin);
    await expect.poll(() => lit('client', 'data')).toBe('data.halfClosed.finSent');
    await expect.poll(() => lit('server', 'data')).toBe('data.halfClosed.finReceived');
    await expect(taken('client', 'data')).resolves.toEqual(['data.open->data.halfClosed.finSent']);
    await expect(taken('server', 'data')).resolves.toEqual(['data.open->data.halfClosed.finReceived']);
    await expect(page.locator('.statechart[data-machine="client"] .state-moved').textContent()).resolves.toBe(
      "Data connection: Open → Client's FIN sent (sends its FIN)",
    );
    await screenshot('e2e-statecharts-client-fin');

    // The server answers with its own FIN: its side is closed; the client's is still waiting for that FIN.
    await goTo(serverFin);
    await expect.poll(() => lit('server', 'data')).toBe('data.closed');
    await expect(taken('server', 'data')).resolves.toEqual(['data.halfClosed.finReceived->data.closed']);
    await expect.poll(() => lit('client', 'data')).toBe('data.halfClosed.finSent');
    await expect(taken('client', 'data')).resolves.toEqual([]);

    // One step back: the server is half closed again, and its arrow into it is the one marked.
    await page.click('#step-back');
    await expect.poll(counter).toBe(serverFin - 1);
    await expect.poll(() => lit('server', 'data')).toBe('data.halfClosed.finReceived');
    await expect(
      page.locator('.statechart[data-machine="server"] .statechart-region[data-region="data"] g.state[data-state="data.closed"]').getAttribute('class'),
    ).resolves.not.toContain('active');

    // The end of the session: both let their data connection go.
    await page.keyboard.press('End');
    await expect.poll(() => lit('client', 'data')).toBe('data.released');
    await expect.poll(() => lit('client', 'session')).toBe('session.done');
  });
});

/** Everything in the statechart panel that would be cut off or unreadable, measured in the page. */
async function measurePanel(): Promise<{ problems: string[]; scales: number[] }> {
  return page.evaluate(() => {
    const problems: string[] = [];
    type Box = { x: number; y: number; width: number; height: number };
    const within = (a: Box, b: Box, slack = 0.5) =>
      a.x >= b.x - slack && a.y >= b.y - slack && a.x + a.width <= b.x + b.width + slack && a.y + a.height <= b.y + b.height + slack;
    const show = (b: Box) => [b.x, b.y, b.width, b.height].map(Math.round).join(',');
    // Every state's words inside its box, and every arrow's inside its label, as Chromium draws the font.
    for (const g of document.querySelectorAll<SVGGElement>('.statechart-graph g.state')) {
      const frame = g.querySelector<SVGRectElement>(':scope > rect.frame');
      const text = g.querySelector<SVGTextElement>(':scope > text');
      if (!frame || !text?.textContent) continue;
      if (!within(text.getBBox(), frame.getBBox()))
        problems.push(`words of ${g.dataset.box} (${show(text.getBBox())}) outside its box (${show(frame.getBBox())})`);
    }
    for (const g of document.querySelectorAll<SVGGElement>('.statechart-graph g.arrow-label')) {
      const [rect, text] = [g.querySelector('rect')!, g.querySelector('text')!];
      if (!within(text.getBBox(), rect.getBBox(), 1)) problems.push(`words of arrow ${g.dataset.arrow} outside their label`);
    }
    // The panel, both machines and their four charts inside the window, each chart's box big enough to use.
    const win = { x: 0, y: 0, width: window.innerWidth, height: window.innerHeight };
    const panel = document.querySelector('#statecharts')!.getBoundingClientRect();
    if (!within(panel, win)) problems.push(`the panel (${show(panel)}) leaves the window`);
    for (const el of document.querySelectorAll<HTMLElement>('#statecharts .statechart, #statecharts .statechart-region, #statecharts .statecharts-head')) {
      const r = el.getBoundingClientRect();
      if (!within(r, panel, 1))
        problems.push(`${el.className} ${el.dataset.machine ?? el.dataset.region ?? ''} (${show(r)}) leaves the panel (${show(panel)})`);
      if (el.classList.contains('statechart-region') && (r.width < 150 || r.height < 60))
        problems.push(`chart ${el.dataset.region} too small to use: ${show(r)}`);
    }
    for (const el of document.querySelectorAll<HTMLElement>('#statecharts .state-moved, #statecharts .statechart h3, #statecharts .statecharts-head')) {
      if (el.scrollWidth > el.clientWidth + 1) problems.push(`"${el.textContent}" is cut`);
    }
    // Every chart can be scrolled to its far corner: nothing in it is out of reach.
    for (const el of document.querySelectorAll<HTMLElement>('#statecharts .statechart-region')) {
      const svg = el.querySelector('svg')!;
      if (el.scrollWidth < svg.getBoundingClientRect().width - 1 || el.scrollHeight < svg.getBoundingClientRect().height - 1)
        problems.push(`chart ${el.dataset.region} cannot be scrolled to its end`);
    }
    const scales = [...document.querySelectorAll<SVGSVGElement>('.statechart-graph')].map(
      (svg) => svg.getBoundingClientRect().width / svg.viewBox.baseVal.width,
    );
    return { problems, scales };
  });
}

describe('the charts fit the window', () => {
  for (const [width, height] of [
    [1400, 900],
    [1920, 1080],
  ] as const) {
    it(`at ${width}×${height}, at the desk and beside the diagram in presenter mode`, async () => {
      await page.setViewportSize({ width, height });
      // The charts start at a zoom for the window they open in.
      await page.reload();
      await page.locator('body[data-ready="true"]').waitFor();
      await page.locator('#scenario option[value="textbook-upload"]').waitFor({ state: 'attached' });
      await runToEnd('textbook-upload');
      // Hidden until asked for: the diagram has the whole stage.
      await expect(page.locator('#statecharts').isVisible()).resolves.toBe(false);
      await showStatecharts();
      await goTo(await stepOf('data connection D1: FIN from client'));
      await expect(page.locator('#statecharts').isVisible()).resolves.toBe(true);

      const desk = await measurePanel();
      expect(desk.problems).toEqual([]);
      expect(desk.scales).toHaveLength(4);
      // 16 px words on a 1920 px screen; smaller in proportion on a smaller one, never under 11 px.
      for (const scale of desk.scales) expect(scale * 16).toBeGreaterThanOrEqual(width >= 1920 ? 16 : 11);
      await screenshot(`e2e-statecharts-desk-${width}x${height}`);

      // Presenter mode keeps its own choice: hidden until asked for there too; then they stand beside the diagram.
      await page.click('#presenter');
      await expect.poll(() => page.locator('#statecharts').isVisible()).toBe(false);
      await page.click('#show-statecharts');
      await expect.poll(() => page.locator('#statecharts').isVisible()).toBe(true);
      await page.waitForTimeout(400);
      const [diagram, panel] = [await page.locator('#diagram-wrap').boundingBox(), await page.locator('#statecharts').boundingBox()];
      expect(panel!.x).toBeGreaterThanOrEqual(diagram!.x + diagram!.width - 1);
      const presenter = await measurePanel();
      expect(presenter.problems).toEqual([]);
      for (const scale of presenter.scales) expect(scale * 16).toBeGreaterThanOrEqual(width >= 1920 ? 16 : 11);
      await screenshot(`e2e-statecharts-presenter-${width}x${height}`);

      // Fit: each chart whole in its box (its words small), and back to 100 %.
      await page.getByRole('button', { name: 'Fit each chart into its box' }).click();
      const fitted = await measurePanel();
      expect(fitted.problems).toEqual([]);
      for (const region of await page.locator('#statecharts .statechart-region').all()) {
        const fits = await region.evaluate((el) => el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1);
        expect(fits, `${await region.getAttribute('data-region')} fits its box`).toBe(true);
      }
      await page.getByRole('button', { name: 'Actual size: words at 16 px' }).click();
      await expect.poll(async () => (await measurePanel()).scales.every((s) => Math.abs(s - 1) < 0.01)).toBe(true);
    }, 60_000);
  }
});
