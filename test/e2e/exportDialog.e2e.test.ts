// File → Export, end to end in Debian's Chromium: the host renders every format with `ftp-lab export`'s code;
// the dialog previews pictures as images, an HTML export as a page in a sandboxed frame and text as text; each
// download is opened with what people open it with (pngjs, poppler's pdftotext, an XML parser, Mermaid's own
// parser, the player in the browser); the textbook table; a scale too large refused with a sentence; and a
// hostile file name that stays text everywhere.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { JSDOM } from 'jsdom';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { EXPORT_FORMAT_TABLE, EXPORT_FORMATS, type ExportFormat } from '../../core/diagram/painters/exportFormats.table';
import { parseTrace } from '../../core/trace/traceFile';
import { parseMermaid } from '../core/diagram/mermaidParser';
import { ARTIFACTS, useApp } from './appFixture';

const run = promisify(execFile);
const EVIL = '<img src=x onerror=alert(1)>.txt';

const app = useApp();
const { runToEnd } = app;
let page: Page;
beforeEach(() => {
  page = app.page;
});

async function openExport(): Promise<void> {
  await expect(page.locator('#export-svg').textContent()).resolves.toBe('Export…');
  await page.click('#export-svg');
  await expect.poll(() => page.locator('#export-dialog').evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
}

/** The SVG the preview image shows, decoded from its data: URL ('' when no SVG picture is shown). */
async function previewSvg(): Promise<string> {
  const image = page.locator('#export-preview img');
  if ((await image.count()) === 0) return '';
  const src = (await image.getAttribute('src')) ?? '';
  const prefix = 'data:image/svg+xml;charset=utf-8,';
  return src.startsWith(prefix) ? decodeURIComponent(src.slice(prefix.length)) : '';
}

const previewText = async (): Promise<string> => (await page.locator('#export-preview-text').textContent()) ?? '';
const markCount = (svg: string): number => (svg.match(/ data-mark="/g) ?? []).length;

/** Waits until the host's answer for the chosen format is shown and the Download button is ready. */
async function rendered(format: ExportFormat): Promise<void> {
  await expect
    .poll(() => page.locator('#export-file-name').textContent(), { message: format, timeout: 30_000 })
    .toMatch(new RegExp(`\\${EXPORT_FORMAT_TABLE[format].extension}$`));
  await expect.poll(() => page.locator('#export-download').isEnabled(), { message: format, timeout: 30_000 }).toBe(true);
  await expect(page.locator('#export-status').textContent()).resolves.not.toBe('Rendering…');
}

/** Chooses a format, waits for its preview, downloads it into test-artifacts and returns the file's path. */
async function downloadAs(format: ExportFormat, name: string): Promise<string> {
  if ((await page.locator('#export-format').inputValue()) !== format) await page.selectOption('#export-format', format);
  await rendered(format);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-download')]);
  expect(download.suggestedFilename()).toBe(await page.locator('#export-file-name').textContent());
  const path = join(ARTIFACTS, `${name}${EXPORT_FORMAT_TABLE[format].extension}`);
  await download.saveAs(path);
  return path;
}

const pdfText = async (path: string) => (await run('pdftotext', ['-layout', path, '-'])).stdout;
const pngSize = async (path: string) => {
  const png = PNG.sync.read(await readFile(path));
  return { width: png.width, height: png.height };
};

describe('File → Export', () => {
  it('previews the SVG and Mermaid, downloads the Mermaid, and narrows to a range of steps', async () => {
    await runToEnd('download');
    await openExport();

    await expect.poll(previewSvg).toContain('server closed: EOF in STREAM mode');
    const allSvg = await previewSvg();
    expect(allSvg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // The image really drew (a data: image is allowed by the CSP; the afterEach checks for violations).
    await expect.poll(() => page.locator('#export-preview img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);

    await page.selectOption('#export-theme', 'dark');
    await expect.poll(previewSvg).toContain('theme-dark');
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-export-dialog-svg.png') });
    await page.selectOption('#export-theme', 'light');
    await expect.poll(previewSvg).toContain('theme-light');

    await page.selectOption('#export-format', 'mmd');
    await expect.poll(previewText).toMatch(/^sequenceDiagram/);
    await expect(page.locator('#export-preview img').count()).resolves.toBe(0);
    const path = await downloadAs('mmd', 'e2e-export-download');
    expect(await page.locator('#export-file-name').textContent()).toMatch(/^download-.*\.mmd$/);
    const mermaid = await readFile(path, 'utf8');
    expect(mermaid.startsWith('sequenceDiagram')).toBe(true);
    expect(mermaid).toBe(await previewText());
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-export-dialog-mermaid.png') });

    // A range: fewer marks in the SVG; a bad range is refused with a sentence and no download.
    await page.selectOption('#export-format', 'svg');
    await page.fill('#export-from', '3');
    await page.fill('#export-to', '6');
    await expect.poll(async () => markCount(await previewSvg())).toBeLessThan(markCount(allSvg));
    expect(markCount(await previewSvg())).toBeGreaterThan(0);
    await page.fill('#export-to', '2');
    await expect.poll(() => page.locator('#export-error').textContent()).toBe('From (3) must not be after To (2).');
    await expect(page.locator('#export-download').isDisabled()).resolves.toBe(true);
    await page.fill('#export-to', '999');
    await expect.poll(() => page.locator('#export-error').textContent()).toMatch(/^The diagram has \d+ steps: choose from 1 to \d+\.$/);
    await page.fill('#export-from', '');
    await page.fill('#export-to', '');
    await expect.poll(() => page.locator('#export-error').isVisible()).toBe(false);
    await expect.poll(async () => markCount(await previewSvg())).toBe(markCount(allSvg));

    await page.click('#export-close');
    await expect.poll(() => page.locator('#export-dialog').evaluate((d) => (d as HTMLDialogElement).open)).toBe(false);
    await expect(page.locator('img').count()).resolves.toBe(0);
  });

  it('every format, rendered by the host, downloaded and opened: PNG, PDF, SVG, Mermaid, PlantUML, the HTML player, JSON', async () => {
    await runToEnd('textbook-upload');
    await openExport();
    const options = await page.locator('#export-format option').evaluateAll((list) => list.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual([...EXPORT_FORMATS]);
    const saved = new Map<ExportFormat, string>();
    for (const format of EXPORT_FORMATS) {
      saved.set(format, await downloadAs(format, `e2e-export-textbook-upload`));
      if (format === 'png') {
        await page.setViewportSize({ width: 1400, height: 900 });
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(ARTIFACTS, 'e2e-export-dialog-png-1400x900.png') });
        await page.setViewportSize({ width: 1600, height: 900 });
      }
      if (format === 'html') {
        await page.setViewportSize({ width: 1920, height: 1080 });
        await expect.poll(() => page.frameLocator('#export-preview-frame').locator('#counter').textContent(), { timeout: 10_000 }).toMatch(/^Step 1 of \d+$/);
        await page.screenshot({ path: join(ARTIFACTS, 'e2e-export-dialog-html-1920x1080.png') });
        await page.setViewportSize({ width: 1600, height: 900 });
      }
    }

    // PNG: a real image of the diagram's size (26 rows and the legend), and the preview showed those pixels.
    const png = await pngSize(saved.get('png')!);
    expect(png.width).toBeGreaterThan(1000);
    expect(png.height).toBeGreaterThan(26 * 34);
    // PDF: searchable text, the wire's commands and replies in it.
    const pdf = await pdfText(saved.get('pdf')!);
    expect(pdf).toContain('PORT 127,0,0,1');
    expect(pdf).toContain('226');
    expect(pdf).toContain('STOR report.bin');
    // SVG: well-formed XML with the diagram in it.
    const svgDoc = new JSDOM(await readFile(saved.get('svg')!, 'utf8'), { contentType: 'image/svg+xml' }).window.document;
    expect(svgDoc.querySelector('parsererror')).toBeNull();
    expect(svgDoc.documentElement.tagName).toBe('svg');
    expect([...svgDoc.querySelectorAll('text')].map((t) => t.textContent)).toContain('STOR report.bin');
    // Mermaid: its own parser reads four participants and the upload.
    const mermaid = await parseMermaid(await readFile(saved.get('mmd')!, 'utf8'));
    expect(mermaid.actors).toHaveLength(4);
    expect(mermaid.messages.flatMap((m) => m.lines).some((l) => l.endsWith('STOR report.bin'))).toBe(true);
    // PlantUML: one diagram, the upload in it.
    const puml = await readFile(saved.get('puml')!, 'utf8');
    expect(puml.startsWith('@startuml')).toBe(true);
    expect(puml.trimEnd().endsWith('@enduml')).toBe(true);
    expect(puml).toContain('STOR report.bin');
    // JSON: the trace, which opens again.
    const trace = parseTrace(await readFile(saved.get('json')!, 'utf8'));
    expect(trace.meta.scenario).toBe('textbook-upload');
    expect(trace.events.some((e) => e.type === 'ftp.reply' && e.code === 226)).toBe(true);
    // HTML: the player, opened from disk, steps.
    const player = await page.context().newPage();
    await player.goto(pathToFileURL(saved.get('html')!).href);
    await expect(player.locator('#counter').textContent()).resolves.toMatch(/^Step 1 of \d+$/);
    await player.keyboard.press('End');
    await expect(player.locator('#narration').textContent()).resolves.toMatch(/\S/);
    await player.close();
  }, 120_000);

  it('the HTML preview is a page in a sandboxed frame of its own: it plays, and cannot reach the app', async () => {
    await runToEnd('textbook-upload');
    await openExport();
    await page.selectOption('#export-format', 'html');
    await rendered('html');
    const frame = page.frameLocator('#export-preview-frame');
    await expect.poll(() => frame.locator('#counter').textContent(), { timeout: 10_000 }).toMatch(/^Step 1 of \d+$/);
    await frame.locator('#next').click();
    await expect.poll(() => frame.locator('#counter').textContent()).toMatch(/^Step 2 of \d+$/);
    expect(await page.locator('#export-preview-frame').getAttribute('sandbox')).toBe('allow-scripts');
    const inside = page.frames().find((f) => f.url().endsWith('/export-preview.html'));
    expect(inside).toBeDefined();
    const reach = await inside!.evaluate(() => {
      let parentDocument = 'readable';
      try {
        void window.parent.document.title;
      } catch {
        parentDocument = 'blocked';
      }
      let cookie = 'readable';
      try {
        void document.cookie;
      } catch {
        cookie = 'blocked';
      }
      return { origin: window.origin, parentDocument, cookie };
    });
    expect(reach).toEqual({ origin: 'null', parentDocument: 'blocked', cookie: 'blocked' });
    // The app's own page holds none of the export's markup.
    await expect(page.locator('#counter, #ftp-lab-player-data, script[type="application/json"]').count()).resolves.toBe(0);

    // The quiz, ticked: the player asks before the server's first reply (the app's quiz is off: every kind asks).
    await page.check('#export-quiz');
    await rendered('html');
    await expect.poll(() => frame.locator('#quiz').getAttribute('class'), { timeout: 10_000 }).toBe('quiz');
    await frame.locator('#next').click();
    await expect.poll(() => frame.locator('#quiz').getAttribute('class')).toBe('quiz asking');
    expect(await frame.locator('#counter').textContent()).toMatch(/^Step 1 of \d+$/);
    expect(await frame.locator('#quiz-prompt').textContent()).toBe('A client has connected. Which reply does the server send first?');
    await page.selectOption('#export-format', 'svg');
    expect(await page.locator('#export-quiz').isDisabled()).toBe(true);
  });

  it('the textbook table: as SVG, PNG, PDF and HTML, its text in the PDF', async () => {
    await runToEnd('textbook-upload');
    await openExport();
    await page.check('#export-textbook');
    await expect(page.locator('#export-notes').isDisabled()).resolves.toBe(true);
    await expect(page.locator('#export-from').isDisabled()).resolves.toBe(true);
    await expect.poll(previewSvg, { timeout: 15_000 }).toContain('The textbook upload, step by step, beside RFC 959');
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-export-dialog-textbook.png') });
    expect(await page.locator('#export-file-name').textContent()).toMatch(/^textbook-upload-.*-textbook\.svg$/);
    const pdf = await pdfText(await downloadAs('pdf', 'e2e-export-textbook-table'));
    expect(pdf).toContain('The textbook upload, step by step, beside RFC 959');
    expect(pdf).toContain('PORT is answered 200 Command okay');
    const png = await pngSize(await downloadAs('png', 'e2e-export-textbook-table'));
    expect(png.width).toBeGreaterThan(800);
    expect(png.height).toBeGreaterThan(400);
    await page.selectOption('#export-format', 'html');
    await rendered('html');
    await expect
      .poll(() => page.frameLocator('#export-preview-frame').locator('svg text').allTextContents(), { timeout: 10_000 })
      .toContain('The textbook upload, step by step, beside RFC 959');
    // Mermaid cannot draw the table: the box is off, the diagram's options are back.
    await page.selectOption('#export-format', 'mmd');
    await expect(page.locator('#export-textbook').isDisabled()).resolves.toBe(true);
    await expect.poll(previewText).toMatch(/^sequenceDiagram/);
  }, 60_000);

  it('a PNG scale: 2 doubles the picture, a huge one is refused with a sentence and nothing to download', async () => {
    await runToEnd('download');
    await openExport();
    await page.selectOption('#export-format', 'png');
    const one = await pngSize(await downloadAs('png', 'e2e-export-scale-1'));
    await page.fill('#export-scale', '2');
    await expect.poll(() => page.locator('#export-download').isDisabled()).toBe(true);
    const two = await pngSize(await downloadAs('png', 'e2e-export-scale-2'));
    expect(two).toEqual({ width: one.width * 2, height: one.height * 2 });
    await page.fill('#export-scale', '100000');
    await expect
      .poll(() => page.locator('#export-error').textContent())
      .toBe('A scale of 100000 is too large: give a number from 0.1 to 8 (pixels per diagram pixel).');
    await expect(page.locator('#export-download').isDisabled()).resolves.toBe(true);
    await expect(page.locator('#export-scale').getAttribute('aria-invalid')).resolves.toBe('true');
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-export-dialog-scale-refused.png') });
    // Within the bounds but too many pixels for the page: the host says so.
    await page.check('#export-notes');
    await page.fill('#export-scale', '8');
    await expect
      .poll(() => page.locator('#export-error').textContent(), { timeout: 15_000 })
      .toMatch(/^The PNG would have \d+ million pixels \(\d+ × \d+\), more than the 100 million allowed: export a range of steps or at a smaller scale\.$/);
    await expect(page.locator('#export-download').isDisabled()).resolves.toBe(true);
  }, 60_000);

  it(`shows a file named ${EVIL} as text in every preview and runs nothing`, async () => {
    await runToEnd('textbook-upload', async () => {
      await app.openFold('transfer');
      await page.fill('#file', EVIL);
    });
    await openExport();
    await expect.poll(previewSvg).toContain('STOR &lt;img src=x onerror=alert(1)&gt;.txt');
    expect(await previewSvg()).not.toContain(EVIL);
    for (const format of ['mmd', 'puml', 'json'] as const) {
      await page.selectOption('#export-format', format);
      await rendered(format);
      await expect.poll(async () => (await previewText()).length, { message: format }).toBeGreaterThan(0);
    }
    // JSON holds the name as it was typed: the <pre> shows it literally, no element is made from it.
    await expect.poll(previewText).toContain(EVIL);
    expect(await page.locator('#export-preview-text').evaluate((pre) => pre.childElementCount)).toBe(0);
    // The player shows it as text, in its own frame.
    await page.selectOption('#export-format', 'html');
    await rendered('html');
    const frame = page.frameLocator('#export-preview-frame');
    await expect.poll(() => frame.locator('#diagram svg text').allTextContents(), { timeout: 10_000 }).toContain(`STOR ${EVIL}`);
    await expect(frame.locator('img, [onerror]').count()).resolves.toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('[onerror]').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-export-dialog-evil-name.png') });
    // afterEach: no dialog (alert) opened, no script error, no CSP violation.
  });
});
