// What the diagram says about a data connection must be what happened on it, in the order it happened,
// end to end in Debian's Chromium (playwright-core, never a downloaded browser):
// - watching the built-in server while an external client (curl, Python's ftplib) uploads a file, the
//   data the client sent is drawn above the client's FIN that ended it (STREAM mode: the FIN is the end
//   of file, after the last byte);
// - a live run paced by the step gate, with a breakpoint on `tcp.fin:data`, stops at the client's end-of-
//   file FIN of an upload, as the same breakpoint does when the recorded trace is replayed.
// Screenshots go to the system's temporary folder, not into the checkout.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useApp } from './appFixture';

const app = useApp();
const { mark, markStarting, counter, status } = app;
let page: Page;
beforeEach(() => {
  page = app.page;
});

/** The uploaded file: 9 bytes. */
const CONTENT = 'hello ftp';

// ---------------------------------------------------------------------------------------------------------
// Helpers: external clients (stopped after each test), the watched server and the live session (stopped too).

const children = new Set<ChildProcess>();
let scratch: string | undefined;

afterEach(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  // The watched server or the live session: Stop closes its sockets (the page going away would too).
  if (!page.isClosed() && !(await page.locator('#stop').isDisabled())) {
    await page.click('#stop');
    await expect.poll(() => page.locator('#stop').isDisabled(), { timeout: 10_000 }).toBe(true);
  }
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

/** Runs an external client to its end (killed after `timeoutMs`, or after the test); rejects unless it exits 0. */
function runClient(command: string, args: readonly string[], timeoutMs = 10_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let output = '';
    child.stdout?.on('data', (b: Buffer) => (output += b.toString('utf8')));
    child.stderr?.on('data', (b: Buffer) => (output += b.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      children.delete(child);
      reject(new Error(`cannot start ${command}: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code === 0) resolve();
      else reject(new Error(`${command} exited with ${code ?? signal}: ${output}`));
    });
  });
}

/** The on-screen y of an arrow mark's shaft (a transfer's band starts higher; its arrow is on its own row). */
async function arrowY(locator: Locator): Promise<number> {
  const box = await locator.locator('line.hit').boundingBox();
  if (!box) throw new Error(`the mark ${await locator.getAttribute('aria-label')} is not drawn`);
  return box.y + box.height / 2;
}

/** A data-connection mark's label, short and without timings: 'data: 9 bytes client → server', 'FIN from client'. */
function shortLabel(ariaLabel: string): string {
  const rest = ariaLabel.replace(/^data connection D\d+: /, '');
  const bytes = /^(\d+ bytes \w+ → \w+)/.exec(rest);
  return bytes ? `data: ${bytes[1]}` : (rest.split(',')[0] ?? rest);
}

interface DrawnRow {
  readonly label: string;
  readonly step: number;
  readonly y: number;
}

/** The data connection's transfer and FIN arrows as drawn, top to bottom. */
async function dataArrowsTopToBottom(): Promise<DrawnRow[]> {
  const rows: DrawnRow[] = [];
  for (const m of await page.locator('g.mark.channel-data.transfer, g.mark.channel-data.fin').all()) {
    rows.push({
      label: shortLabel((await m.getAttribute('aria-label')) ?? ''),
      step: Number(await m.getAttribute('data-step')),
      y: Math.round(await arrowY(m)),
    });
  }
  return rows.sort((a, b) => a.y - b.y);
}

/** The transcript's lines about data connection D1, in the order listed. */
async function transcriptD1(): Promise<string[]> {
  const lines = await page.locator('#transcript li').allTextContents();
  return lines
    .filter((line) => /\bD1\b/.test(line) && !/opened/.test(line))
    .map((line) => line.replace(/^data D1: (\d+ bytes \w+ → \w+).*$/, 'data: $1').replace(/^data connection D1 (closed by \w+) \(FIN\).*$/, 'FIN: $1'));
}

// ---------------------------------------------------------------------------------------------------------

const UPLOADERS = [
  {
    name: 'curl, passive',
    slug: 'curl-passive',
    async upload(port: number, file: string) {
      await runClient('curl', ['-sS', '--max-time', '8', '-T', file, `ftp://127.0.0.1:${port}/up.txt`]);
    },
  },
  {
    name: "Python's ftplib, active",
    slug: 'ftplib-active',
    async upload(port: number, file: string) {
      const script = [
        'import ftplib, sys',
        'f = ftplib.FTP()',
        "f.connect('127.0.0.1', int(sys.argv[1]), timeout=8)",
        'f.login()',
        'f.set_pasv(False)',
        "with open(sys.argv[2], 'rb') as data: f.storbinary('STOR up.txt', data)",
        'f.quit()',
      ].join('\n');
      await runClient('python3', ['-c', script, String(port), file]);
    },
  },
] as const;

describe('watching the server while a client uploads', () => {
  it.each(UPLOADERS)("watch mode: an upload's data row comes before the client's FIN row ($name)", async ({ slug, upload }) => {
    scratch = await mkdtemp(join(tmpdir(), 'ftp-lab-data-truth-'));
    const file = join(scratch, 'up.txt');
    await writeFile(file, CONTENT);
    const port = await app.watchServer();

    await upload(port, file);

    // The session through QUIT, its 221, and both FINs of the data connection are drawn.
    await expect.poll(() => mark('client → server: QUIT').count(), { message: 'QUIT drawn' }).toBe(1);
    await expect.poll(() => markStarting('server → client: 221').count(), { message: '221 drawn' }).toBe(1);
    const transfer = page.locator('g.mark.channel-data.transfer');
    const clientFin = markStarting('data connection D1: FIN from client');
    const serverFin = markStarting('data connection D1: FIN from server');
    await expect.poll(() => transfer.count(), { message: "the upload's data arrow drawn" }).toBe(1);
    await expect(clientFin.count(), "the client's FIN drawn").resolves.toBe(1);
    await expect(serverFin.count(), "the server's FIN drawn").resolves.toBe(1);
    expect(await clientFin.getAttribute('aria-label')).toBe('data connection D1: FIN from client, end of file in STREAM mode (RFC 959 §3.4.1)');
    expect(await transfer.getAttribute('aria-label')).toMatch(/^data connection D1: 9 bytes client → server in /);
    // No client of ours in watch mode: its state machine is not shown (an empty 'not started' list was); the server's is.
    // (The panel is worked out only while it is shown: shown for this, then hidden again.)
    const hidden = (machine: string) => page.locator(`.statechart[data-machine="${machine}"]`).evaluate((el) => (el as HTMLElement).hidden);
    await page.click('#show-statecharts');
    await expect.poll(() => hidden('client'), { message: 'client statechart hidden while watching' }).toBe(true);
    expect(await hidden('server'), 'server statechart shown while watching').toBe(false);
    await page.click('#show-statecharts');
    // Stepped back and playing again while still watching: the status says playing, not paused.
    await page.selectOption('#speed', '1');
    for (let i = 0; i < 3; i++) await page.click('#step-back');
    await page.click('#resume');
    await expect.poll(status, { message: 'playing while watching' }).toMatch(/^Playing step \d+ of \d+ — still watching the server on 127\.0\.0\.1:\d+\.$/);

    // Let the follow transition land, then keep a picture of the data connection's rows.
    await clientFin.scrollIntoViewIfNeeded();
    await page.waitForTimeout(450);
    const shot = join(tmpdir(), `ftp-lab-dataTruth-watch-${slug}.png`);
    await page.screenshot({ path: shot });

    const drawn = await dataArrowsTopToBottom();
    const listed = await transcriptD1();
    const where = `drawn top to bottom: ${JSON.stringify(drawn)}; transcript: ${JSON.stringify(listed)}; screenshot ${shot}`;
    // In STREAM mode the sender's FIN is the end of file: the bytes come first, then the FIN, then the
    // receiver's answering FIN. The transcript the page lists says the same.
    expect.soft(listed, `the transcript's order (${where})`).toEqual(['data: 9 bytes client → server', 'FIN: closed by client', 'FIN: closed by server']);
    expect(
      drawn.map((row) => row.label),
      `the diagram's order (${where})`,
    ).toEqual(['data: 9 bytes client → server', 'FIN from client', 'FIN from server']);
    // And by step number, as the rows are counted.
    const stepOf = (label: string) => drawn.find((row) => row.label === label)!.step;
    expect(stepOf('data: 9 bytes client → server'), where).toBeLessThan(stepOf('FIN from client'));
  });
});

// ---------------------------------------------------------------------------------------------------------

/** What the page shows about the step it is paused at. */
async function pausedAt(): Promise<{ status: string; currentFin: string[]; narration: string; transcriptCurrent: string }> {
  const currentFin = await page.locator('g.mark.fin.channel-data.current').evaluateAll((nodes) => nodes.map((n) => n.getAttribute('aria-label') ?? ''));
  return {
    status: await status(),
    currentFin,
    narration: ((await page.locator('#narration-body .narration-text').first().textContent()) ?? '').trim(),
    transcriptCurrent: ((await page.locator('#transcript li.current').last().textContent()) ?? '').trim(),
  };
}

const CLIENT_EOF_FIN = 'data connection D1: FIN from client, end of file in STREAM mode (RFC 959 §3.4.1)';

describe.each([2, 5])('a tcp.fin:data breakpoint at %s steps/s', (speed) => {
  it("live run: a tcp.fin:data breakpoint stops at the client's end-of-file FIN", async () => {
    await page.selectOption('#scenario', 'textbook-upload');
    await app.openFold('breakpoints');
    await page.locator('#bp-events input[value="tcp.fin:data"]').check();
    await page.selectOption('#speed', String(speed));
    await page.click('#run');
    await expect.poll(status, { timeout: 30_000, message: 'the run pauses at a breakpoint' }).toMatch(/^Paused at a breakpoint/);
    expect(await page.locator('body').getAttribute('data-playing')).toBe('false');
    const shot = join(tmpdir(), `ftp-lab-dataTruth-live-break-${speed}.png`);
    await page.waitForTimeout(450);
    await page.screenshot({ path: shot });

    const at = await pausedAt();
    const step = await counter();
    const finSteps = await page
      .locator('g.mark.fin.channel-data')
      .evaluateAll((nodes) => nodes.map((n) => `${n.getAttribute('data-step')}: ${n.getAttribute('aria-label')}`));
    const where = `step counter ${step}; data FINs drawn (row: label) ${JSON.stringify(finSteps)}; screenshot ${shot}`;
    // The client's FIN is the end of file (RFC 959 §3.4.1): the first tcp.fin on the data connection, so the
    // breakpoint stops there, with the client's FIN the current step and the server's not yet shown.
    expect(at, where).toEqual({
      status: 'Paused at a breakpoint after tcp.fin:data. Step (→) or Resume (space) to go on.',
      currentFin: [CLIENT_EOF_FIN],
      narration: expect.stringMatching(/client closes the data connection \(TCP FIN\): end of file in STREAM mode/),
      transcriptCurrent: expect.stringMatching(/^data connection D1 closed by client \(FIN\): end of file in STREAM mode/),
    });
    expect(await markStarting('data connection D1: FIN from server').count(), `the server's FIN is not shown yet (${where})`).toBe(0);
  }, 40_000);

  it('live run: after the FIN breakpoint, Resume stops again before 226 (a reply-code breakpoint is not skipped)', async () => {
    await page.selectOption('#scenario', 'textbook-upload');
    await app.openFold('breakpoints');
    await page.locator('#bp-events input[value="tcp.fin:data"]').check();
    await page.fill('#bp-codes', '226');
    await page.selectOption('#speed', String(speed));
    await page.click('#run');
    await expect.poll(status, { timeout: 30_000, message: 'the run pauses at the client FIN' }).toMatch(/^Paused at a breakpoint after tcp.fin:data/);
    // The server answers the client's FIN with its own (959 §5.2): another data FIN, another stop.
    await page.click('#resume');
    await expect.poll(() => markStarting('data connection D1: FIN from server').count(), { timeout: 30_000, message: "the server's FIN" }).toBe(1);
    await expect.poll(status, { timeout: 30_000, message: 'the run pauses at the server FIN' }).toMatch(/^Paused at a breakpoint after tcp.fin:data/);
    // Then the 226, which an event breakpoint stopping just before must not let through.
    await page.click('#resume');
    await expect.poll(status, { timeout: 30_000, message: 'the run pauses before 226' }).toMatch(/^Paused at a breakpoint before reply 226/);
    expect(await markStarting('226').count(), 'the 226 is not shown yet').toBe(0);
  }, 40_000);

  it("replay (control): the same breakpoint stops at the client's end-of-file FIN", async () => {
    await app.runToEnd('textbook-upload');
    const clientFin = markStarting('data connection D1: FIN from client');
    const finStep = Number(await clientFin.getAttribute('data-step'));
    expect(finStep).toBeGreaterThan(4);
    // Back a few rows before the FIN (the scrubber), then play the recorded trace at the speed.
    await page.locator('#scrub').fill(String(finStep - 3));
    await expect.poll(counter).toBe(finStep - 3);
    await app.openFold('breakpoints');
    await page.locator('#bp-events input[value="tcp.fin:data"]').check();
    await page.selectOption('#speed', String(speed));
    await page.click('#resume');
    await expect.poll(status, { timeout: 15_000, message: 'the replay pauses at a breakpoint' }).toMatch(/^Paused at a breakpoint/);
    expect(await counter()).toBe(finStep + 1);
    expect(await pausedAt()).toEqual({
      status: 'Paused at a breakpoint after tcp.fin:data. Step (→) or Resume (space) to go on.',
      currentFin: [CLIENT_EOF_FIN],
      narration: expect.stringMatching(/client closes the data connection \(TCP FIN\): end of file in STREAM mode/),
      transcriptCurrent: expect.stringMatching(/^data connection D1 closed by client \(FIN\): end of file in STREAM mode/),
    });
  });
});
