// Renderer figures (issue 4): the browser host (startWebHost) serves a fresh build of the renderer to
// Debian's Chromium (playwright-core, /usr/bin/chromium, never a downloaded browser). A long trace is
// opened through the page's "Open trace…" file input, and we measure
//   - first full draw: from setInputFiles to the frame after the diagram shows every step
//     (g.mark elements present, #step-counter "step N / N"), timed in the page (performance.now());
//   - scrolling: one wheel event over #diagram per animation frame for ~2 s (the diagram pans on the
//     wheel, d3-zoom), frame times from requestAnimationFrame timestamps.
// Everything started here (browser, host, renderer build) is stopped or removed before returning.
/// <reference lib="dom" />
// (The functions passed to page.evaluate run in the page.)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startWebHost, type WebHost } from '../main/web/webHost';
import { buildRenderer } from '../scripts/buildRenderer';
import { launchChromium } from '../test/support/chromium';

const VIEWPORT = { width: 1600, height: 900 };

export interface RendererRun {
  /** From setInputFiles (Node) to the diagram detected complete in the page, plus the frame it is painted in. */
  firstDrawMs: number;
  /** The same, measured in the page: from the input's change event to the painted frame. */
  firstDrawInPageMs: number;
  steps: number;
  marksDrawn: number;
  scroll: ScrollRun;
}

export interface ScrollRun {
  /** rAF-to-rAF intervals while scrolling, ms. */
  frameMs: number[];
  durationMs: number;
  wheelEvents: number;
  /** How far the diagram moved (screen px), summed over the run. */
  scrolledPx: number;
  /** Marks in the DOM at the end (only what is in view, plus a margin, is drawn). */
  marksInDom: number;
}

export interface RendererResult {
  chromium: string;
  runs: RendererRun[];
  pageErrors: string[];
}

export async function measureRenderer(
  tracePath: string,
  reps: number,
  scrollMs = 2000,
  log: (line: string) => void = () => undefined,
): Promise<RendererResult> {
  const buildDir = await mkdtemp(join(tmpdir(), 'ftp-lab-bench-renderer-'));
  let host: WebHost | undefined;
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  try {
    const rendererDir = await buildRenderer({ outDir: join(buildDir, 'renderer') });
    host = await startWebHost({ port: 0, rendererDir });
    browser = await launchChromium();
    const version = browser.version();
    const runs: RendererRun[] = [];
    for (let i = 0; i < reps; i++) {
      const context = await browser.newContext({ viewport: VIEWPORT });
      // tsx (esbuild keepNames) wraps named functions in __name(...): the functions passed to page.evaluate need it too.
      await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
      try {
        const page = await context.newPage();
        page.on('pageerror', (error) => pageErrors.push(error.message));
        await page.goto(host.url);
        await page.locator('body[data-ready="true"]').waitFor();
        // Watch, from the page, for the complete diagram: checked every frame from the input's change event on.
        await page.evaluate(() => {
          const w = window as unknown as { benchDrawn: Promise<{ changeAt: number; drawnAt: number; steps: number; marks: number }> };
          const input = document.querySelector<HTMLInputElement>('#trace-file')!;
          w.benchDrawn = new Promise((resolve, reject) => {
            setTimeout(
              () =>
                reject(
                  new Error(
                    `the diagram was not drawn within 60 s (${document.querySelector('#step-counter')?.textContent ?? ''}, ${document.querySelector('#status')?.textContent ?? ''})`,
                  ),
                ),
              60_000,
            );
            input.addEventListener(
              'change',
              () => {
                const changeAt = performance.now();
                const check = () => {
                  const counter = /step (\d+) \/ (\d+)/.exec(document.querySelector('#step-counter')?.textContent ?? '');
                  const marks = document.querySelectorAll('#diagram g.mark').length;
                  if (counter && counter[1] === counter[2] && Number(counter[2]) > 0 && marks > 0) {
                    // Detected before this frame's paint; the next callback runs once it has been painted.
                    requestAnimationFrame((drawnAt) => resolve({ changeAt, drawnAt: Math.max(drawnAt, performance.now()), steps: Number(counter[2]), marks }));
                  } else requestAnimationFrame(check);
                };
                requestAnimationFrame(check);
              },
              { capture: true, once: true },
            );
          });
        });
        const t0 = performance.now();
        await page.locator('#trace-file').setInputFiles(tracePath);
        const drawn = await page.evaluate(
          () => (window as unknown as { benchDrawn: Promise<{ changeAt: number; drawnAt: number; steps: number; marks: number }> }).benchDrawn,
        );
        const firstDrawMs = performance.now() - t0;
        // Let the load settle (late layout, the narration and statechart panels) before scrolling.
        await page.waitForTimeout(500);
        const scroll = await page.evaluate(scrollFor, scrollMs);
        runs.push({ firstDrawMs, firstDrawInPageMs: drawn.drawnAt - drawn.changeAt, steps: drawn.steps, marksDrawn: drawn.marks, scroll });
        log(
          `  run ${i + 1}: first draw ${firstDrawMs.toFixed(0)} ms (in page ${(drawn.drawnAt - drawn.changeAt).toFixed(0)} ms, ${drawn.steps} steps, ${drawn.marks} marks in the DOM); ` +
            `scroll: ${scroll.frameMs.length} frames in ${scroll.durationMs.toFixed(0)} ms, ${scroll.wheelEvents} wheel events, ${scroll.scrolledPx.toFixed(0)} px`,
        );
      } finally {
        await context.close();
      }
    }
    return { chromium: version, runs, pageErrors };
  } finally {
    await browser?.close().catch(() => undefined);
    await host?.close().catch(() => undefined);
    await rm(buildDir, { recursive: true, force: true });
  }
}

/**
 * Runs in the page: one wheel event (deltaY 100 px, a mouse-wheel notch) over the diagram in every animation
 * frame, for `durationMs`, upward from the end where a loaded trace opens, turning round at either end.
 */
function scrollFor(durationMs: number): Promise<ScrollRun> {
  return new Promise((resolve) => {
    const svg = document.querySelector<SVGSVGElement>('#diagram')!;
    const viewport = svg.querySelector<SVGGElement>('g.viewport')!;
    const box = svg.getBoundingClientRect();
    const y = () => {
      const m = /translate\(\s*[-\d.e]+\s*,\s*([-\d.e]+)/.exec(viewport.getAttribute('transform') ?? '');
      return m ? Number(m[1]) : 0;
    };
    const frames: number[] = [];
    let direction = -1;
    let wheelEvents = 0;
    let scrolledPx = 0;
    let start: number | undefined;
    let last: number | undefined;
    const frame = (now: number) => {
      if (start === undefined) start = now;
      if (last !== undefined) frames.push(now - last);
      last = now;
      if (now - start >= durationMs) {
        resolve({ frameMs: frames, durationMs: now - start, wheelEvents, scrolledPx, marksInDom: svg.querySelectorAll('g.mark').length });
        return;
      }
      const before = y();
      svg.dispatchEvent(
        new WheelEvent('wheel', {
          deltaY: 100 * direction,
          deltaMode: 0,
          clientX: box.left + box.width / 2,
          clientY: box.top + box.height / 2,
          bubbles: true,
          cancelable: true,
        }),
      );
      wheelEvents++;
      const moved = Math.abs(y() - before);
      if (moved < 1) direction = -direction;
      scrolledPx += moved;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}
