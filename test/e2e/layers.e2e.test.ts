// The diagram's layers in the app (issue 12): the options panel's toggles draw each end's kernel TCP state on its
// lane and the TCP segments under each connect and FIN, from the one layout; the step count stays the same.

import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ARTIFACTS, useApp } from './appFixture';

const app = useApp();

describe('diagram layers', () => {
  it('textbook upload: TIME_WAIT on the client’s data lane, none on the server’s; SYN-ACK and ACK under each connect', async () => {
    const { page } = app;
    await app.runToEnd('textbook-upload');
    const steps = await app.counter();
    await expect.poll(() => app.markStarting('D1: the client').count()).toBe(0);

    await app.openFold('layers');
    await page.check('#layer-kernel-states');
    await page.check('#layer-tcp');
    await expect.poll(() => app.markStarting("D1: the client's kernel has it in TIME_WAIT").count()).toBe(1);
    expect(await app.markStarting("D1: the server's kernel has it in TIME_WAIT").count()).toBe(0);
    expect(await app.markStarting("D1: the server's kernel has it in CLOSED").count()).toBe(1);
    // The TIME_WAIT band is on the client's data lane, left of the middle.
    const band = await page.locator('g.mark.kernel-state[aria-label^="D1: the client\'s kernel has it in TIME_WAIT"] rect.kernel-band').boundingBox();
    const serverData = await page.locator('g.mark.kernel-state[aria-label^="D1: the server\'s kernel"] rect.kernel-band').first().boundingBox();
    expect(band && serverData && band.x < serverData.x).toBe(true);
    expect(await page.locator('g.mark.segment[aria-label^="data connection D1: SYN-ACK from client to server"]').count()).toBe(1);
    expect(await page.locator('g.mark.segment[aria-label^="control connection C1: ACK from client to server"]').count()).toBeGreaterThan(0);
    expect(await app.counter()).toBe(steps);
    // At the step D1's TIME_WAIT begins, the narration says why it is the client's end that waits.
    const timeWaitStep = Number(
      await page.locator('g.mark.kernel-state[aria-label^="D1: the client\'s kernel has it in TIME_WAIT"]').getAttribute('data-step'),
    );
    await page.locator('#scrub').fill(String(timeWaitStep + 1));
    await expect
      .poll(async () => (await page.locator('#narration-body').textContent()) ?? '')
      .toContain('The client sent the first FIN on D1, so it is the client');
    await page.locator('#scrub').fill(String(steps));

    for (const [width, height] of [
      [1400, 900],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width, height });
      await app.screenshot(`layers-${width}x${height}`);
    }
    // Export…: the dialog starts with the view's layers ticked, and its PNG shows them.
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.click('#export-svg');
    expect(await page.locator('#export-kernel-states').isChecked()).toBe(true);
    expect(await page.locator('#export-tcp').isChecked()).toBe(true);
    await page.selectOption('#export-format', 'png');
    await expect.poll(() => page.locator('#export-download').isEnabled(), { timeout: 30_000 }).toBe(true);
    const download = page.waitForEvent('download');
    await page.click('#export-download');
    await (await download).saveAs(join(ARTIFACTS, 'layers-export.png'));
    await app.screenshot('layers-export-dialog');
    await page.click('#export-close');
    // Off again: the marks go.
    await page.uncheck('#layer-kernel-states');
    await page.uncheck('#layer-tcp');
    await expect.poll(() => page.locator('g.mark.kernel-state, g.mark.segment').count()).toBe(0);
  });

  it('a trace without kernel states says so in the legend', async () => {
    const { page } = app;
    await page.locator('#trace-file').setInputFiles('test/core/diagram/fixtures/download.trace.json');
    await expect.poll(() => app.counter()).toBeGreaterThan(0);
    await app.openFold('layers');
    await page.check('#layer-kernel-states');
    await expect.poll(async () => (await page.locator('#legend li.layer-note').textContent()) ?? '').toMatch(/^No kernel TCP states in this trace/);
  });
});
