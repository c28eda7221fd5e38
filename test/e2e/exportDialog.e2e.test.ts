// File → Export, end to end in Debian's Chromium: the dialog's live preview (the SVG as an image, the text
// formats as text), the download, the step range, and a hostile file name that stays text everywhere.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { ARTIFACTS, useApp } from './appFixture';

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

/** The SVG the preview image shows, decoded from its data: URL ('' when no picture is shown). */
async function previewSvg(): Promise<string> {
  const image = page.locator('#export-preview img');
  if ((await image.count()) === 0) return '';
  const src = (await image.getAttribute('src')) ?? '';
  const prefix = 'data:image/svg+xml;charset=utf-8,';
  expect(src.startsWith(prefix)).toBe(true);
  return decodeURIComponent(src.slice(prefix.length));
}

const previewText = async (): Promise<string> => (await page.locator('#export-preview-text').textContent()) ?? '';
const markCount = (svg: string): number => (svg.match(/ data-mark="/g) ?? []).length;

describe('File → Export', () => {
  it('previews the SVG and Mermaid, downloads the Mermaid, and narrows to a range of steps', async () => {
    await runToEnd('download');
    await openExport();

    await expect.poll(previewSvg).toContain('server closed: EOF in STREAM mode');
    const allSvg = await previewSvg();
    expect(allSvg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // The image really drew (a data: image is allowed by the CSP; the afterEach checks for violations).
    await expect.poll(() => page.locator('#export-preview img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(100);
    await expect(page.locator('.export-dialog').textContent()).resolves.toContain('PNG and PDF: use ftp-lab export');

    await page.selectOption('#export-theme', 'dark');
    await expect.poll(previewSvg).toContain('theme-dark');
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-export-dialog-svg.png') });
    await page.selectOption('#export-theme', 'light');

    await page.selectOption('#export-format', 'mmd');
    await expect.poll(previewText).toMatch(/^sequenceDiagram/);
    await expect(page.locator('#export-preview img').count()).resolves.toBe(0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-download')]);
    expect(download.suggestedFilename()).toMatch(/^download-.*\.mmd$/);
    const path = join(ARTIFACTS, 'e2e-export-download.mmd');
    await download.saveAs(path);
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

  it(`shows a file named ${EVIL} as text in every preview and runs nothing`, async () => {
    await runToEnd('textbook-upload', () => page.fill('#file', EVIL));
    await openExport();
    const svg = await previewSvg();
    expect(svg).toContain('STOR &lt;img src=x onerror=alert(1)&gt;.txt');
    expect(svg).not.toContain(EVIL);
    for (const format of ['mmd', 'puml', 'html', 'json']) {
      await page.selectOption('#export-format', format);
      await expect.poll(async () => (await previewText()).length, { message: format }).toBeGreaterThan(0);
    }
    // JSON holds the name as it was typed: the <pre> shows it literally, no element is made from it.
    await expect.poll(previewText).toContain(EVIL);
    expect(await page.locator('#export-preview-text').evaluate((pre) => pre.childElementCount)).toBe(0);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('[onerror]').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'e2e-export-dialog-evil-name.png') });
    // afterEach: no dialog (alert) opened, no script error, no CSP violation.
  });
});
