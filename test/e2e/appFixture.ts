// The shared set-up of the app's end-to-end tests: a fresh renderer build served by the browser host,
// Debian's Chromium (playwright-core, never a downloaded browser), one page per test, and the checks
// every test ends with: no dialog, no script error, no console error (CSP violations included).

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { buildRenderer } from '../../scripts/buildRenderer';
import { startWebHost, type WebHost } from '../../main/web/webHost';

export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

export interface AppFixture {
  /** The current test's page (set before each test). */
  readonly page: Page;
  /** A diagram mark by its accessible name, exactly or by its start. */
  mark(label: string): Locator;
  markStarting(prefix: string): Locator;
  /** The step counter's current step, and the status line. */
  counter(): Promise<number>;
  status(): Promise<string>;
  /** Saves test-artifacts/NAME.png once the last step's animation has landed. */
  screenshot(name: string): Promise<void>;
  /** Runs a scenario as fast as the wire allows and waits for it to end; `setup` fills options first. */
  runToEnd(scenario: string, setup?: () => Promise<void>): Promise<void>;
  /** Starts "Watch server" on a free port and returns the port. */
  watchServer(): Promise<number>;
  /** Opens a folded group of the sidebar (its data-fold name: layers, transfer, breakpoints, quiz …) as a user would, by its heading. */
  openFold(name: string): Promise<void>;
}

/** Registers the hooks; call once at the top of a test file. */
export function useApp(): AppFixture {
  let rendererDir: string | undefined;
  let host: WebHost | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let dialogs: string[] = [];
  let pageErrors: string[] = [];
  let consoleErrors: string[] = [];

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    // A fresh build of the renderer as it is now, in a folder of its own (no race with other test files).
    rendererDir = await buildRenderer({ outDir: join(await mkdtemp(join(tmpdir(), 'ftp-lab-e2e-')), 'renderer') });
    host = await startWebHost({ port: 0, rendererDir });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    if (rendererDir) await rm(join(rendererDir, '..'), { recursive: true, force: true });
  });

  beforeEach(async () => {
    context = await browser!.newContext({ viewport: { width: 1600, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    dialogs = [];
    pageErrors = [];
    consoleErrors = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // A Content-Security-Policy violation (an inline style, a blocked connection) is reported here.
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    await page.goto(host!.url);
    await page.locator('body[data-ready="true"]').waitFor();
    await page.locator('#scenario option[value="textbook-upload"]').waitFor({ state: 'attached' });
  });

  afterEach(async () => {
    expect(dialogs, 'no page may open a dialog').toEqual([]);
    expect(pageErrors, 'no script errors in the page').toEqual([]);
    expect(consoleErrors, 'no console errors (CSP violations included)').toEqual([]);
    await context?.close();
  });

  const current = (): Page => {
    if (!page) throw new Error('no page: useApp() hooks have not run');
    return page;
  };
  const status = async () => (await current().locator('#status').textContent()) ?? '';
  return {
    get page() {
      return current();
    },
    mark: (label) => current().locator(`g.mark[aria-label="${label}"]`),
    markStarting: (prefix) => current().locator(`g.mark[aria-label^="${prefix}"]`),
    counter: async () => Number(/step (\d+)/.exec((await current().locator('#step-counter').textContent()) ?? '')?.[1] ?? NaN),
    status,
    async screenshot(name) {
      await current().waitForTimeout(500);
      await current().screenshot({ path: join(ARTIFACTS, `${name}.png`) });
    },
    async runToEnd(scenario, setup = async () => undefined) {
      await current().selectOption('#scenario', scenario);
      await setup();
      await current().selectOption('#speed', '0');
      await current().click('#run');
      await expect.poll(status, { timeout: 15_000 }).toMatch(/Session complete/);
    },
    async watchServer() {
      await current().fill('#watch-port', '0');
      await current().click('#watch-server');
      const watchStatus = current().locator('#watch-status');
      await expect.poll(async () => (await watchStatus.textContent()) ?? '').toMatch(/^Watching 127\.0\.0\.1:\d+\./);
      const port = Number(/127\.0\.0\.1:(\d+)/.exec((await watchStatus.textContent()) ?? '')?.[1]);
      expect(port).toBeGreaterThan(0);
      return port;
    },
    async openFold(name) {
      const fold = current().locator(`details.fold[data-fold="${name}"]`);
      if (!(await fold.evaluate((d) => (d as HTMLDetailsElement).open))) await fold.locator(':scope > summary').click();
    },
  };
}
