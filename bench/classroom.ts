// The classroom figures (issue 11, item 7): a class of Python ftplib clients (bench/classClients.py) against
// "Watch server" in the browser host (its own process, bench/webHostChild.ts, so its memory is its own), the page in
// Debian's Chromium following a few sessions as a teacher would (every few seconds the newest open session is
// clicked in the list). Measured: the page's frames/s during the load (requestAnimationFrame), how far behind
// live the followed sessions are drawn (an event's time on the host's clock, createdAt + t, to the second frame
// after its batch arrived: the frame it is drawn in), the page's DOM node count, the host's RSS (/proc), and
// afterwards whether the host's trace file holds every session. With `watchMinutes`, the page goes on watching
// after the load (as a teacher's would for the rest of the hour) while the host's VmRSS and retained heap are
// sampled every few seconds: does the host's memory level off (bench/memoryTrend.ts)?
/// <reference lib="dom" />
// (The functions passed to page.evaluate and addInitScript run in the page.)
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser } from 'playwright-core';
import { buildRenderer } from '../scripts/buildRenderer';
import { startProcess, stopProcess } from './proc';
import { launchChromium } from '../test/support/chromium';
import { CHECKOUT, processMemory } from './servers';
import { memoryTrend, type MemorySample, type MemoryTrend } from './memoryTrend';

export interface ClassroomLoad {
  clients: number;
  sessions: number;
  seconds: number;
  /** Minutes the page goes on watching after the load, the host's memory sampled (0 or absent: none). */
  watchMinutes?: number;
}

export interface ClassroomResult {
  load: ClassroomLoad;
  chromium: string;
  /** What the clients said: sessions that worked, were refused (530, as planned), failed; and how long they took. */
  clients: { ok: number; refused: number; failed: number; errors: string[]; seconds: number };
  /** rAF-to-rAF intervals while the load ran, ms. */
  frameMs: number[];
  loadMs: number;
  /** Followed sessions' events: ms from being recorded on the host to the frame they are drawn in. */
  lagMs: number[];
  /** The page's element count, sampled. */
  domNodes: number[];
  /** The host's VmRSS, KiB, sampled (before the load first). */
  hostRssKiB: number[];
  hostPeakKiB: number;
  /** Sessions in the page's list at the end, and in the host's trace file. */
  listed: number;
  traceFile: { events: number; sessions: number; bytes: number } | undefined;
  /** Events the page was sent to draw, and told it was not sent (trace.skipped). */
  pageEvents: number;
  skipped: number;
  pageErrors: string[];
  /**
   * From the load's start to the end of the watch after it (watchMinutes only), every TREND_EVERY_MS: the host's
   * VmRSS, and its heap after a full collection (node --expose-gc in the host), with their trends.
   */
  memory?: { rss: MemorySample[]; heap: MemorySample[]; rssTrend?: MemoryTrend; heapTrend?: MemoryTrend; loadEndMs: number };
}

const FOLLOW_EVERY_MS = 3000;
const TREND_EVERY_MS = 5000;
const SAMPLE_EVERY_MS = 500;

/** Runs in the page before its scripts: frame times, and each followed event's way from the host to the screen. */
function instrumentPage(): void {
  const w = window as unknown as {
    bench: { frames: number[]; lags: number[]; events: number; skipped: number; createdAt: number | undefined; recording: boolean };
  };
  w.bench = { frames: [], lags: [], events: 0, skipped: 0, createdAt: undefined, recording: false };
  let last: number | undefined;
  const tick = (now: number) => {
    if (w.bench.recording && last !== undefined) w.bench.frames.push(now - last);
    last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  const Native = window.WebSocket;
  // A listener added first, in the constructor: it sees each message before the app does.
  class Observed extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (event: MessageEvent) => {
        if (typeof event.data !== 'string') return;
        const message = JSON.parse(event.data) as {
          type?: string;
          value?: { trace?: { meta?: { createdAt?: string } } };
          messages?: { type: string; replace?: boolean; events?: { t: number }[]; events_?: number }[];
        };
        const created = message.value?.trace?.meta?.createdAt;
        if (created) w.bench.createdAt = Date.parse(created);
        if (message.type !== 'host.batch') return;
        let newest: number | undefined;
        for (const m of message.messages ?? []) {
          if (m.type === 'trace.skipped') w.bench.skipped += (m as unknown as { events: number }).events;
          if (m.type !== 'trace.events' || !m.events) continue;
          w.bench.events += m.events.length;
          // A replacing batch is history (a session picked after the fact), not live: no lag to measure.
          if (m.replace) continue;
          for (const e of m.events) newest = Math.max(newest ?? e.t, e.t);
        }
        if (newest === undefined || w.bench.createdAt === undefined || !w.bench.recording) return;
        const recordedAt = w.bench.createdAt + newest;
        requestAnimationFrame(() => requestAnimationFrame(() => w.bench.lags.push(Date.now() - recordedAt)));
      });
    }
  }
  window.WebSocket = Observed;
}

/**
 * `profileTo`: a file for the page's CPU profile (Chromium's profiler, over CDP) while the load runs; `traceTo`: a file
 * for a performance trace of the same time (Chromium's tracing, the timeline DevTools shows: bench/timeline.ts sums it by phase).
 */
export async function measureClassroom(
  load: ClassroomLoad,
  log: (line: string) => void = () => undefined,
  profileTo?: string,
  traceTo?: string,
): Promise<ClassroomResult> {
  const work = await mkdtemp(join(tmpdir(), 'ftp-lab-bench-classroom-'));
  let browser: Browser | undefined;
  const host = { child: undefined as ReturnType<typeof startProcess> | undefined };
  const pageErrors: string[] = [];
  try {
    const rendererDir = await buildRenderer({ outDir: join(work, 'renderer') });
    const watching = (load.watchMinutes ?? 0) > 0;
    host.child = startProcess(
      process.execPath,
      [
        ...(watching ? ['--expose-gc'] : []),
        '--import',
        'tsx',
        join(CHECKOUT, 'bench', 'webHostChild.ts'),
        rendererDir,
        work,
        ...(watching ? [String(TREND_EVERY_MS)] : []),
      ],
      ['ignore', 'pipe', 'inherit'],
      {
        cwd: CHECKOUT,
      },
    );
    const heap: MemorySample[] = [];
    const trend = { from: undefined as number | undefined };
    const url = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: host.child!.stdout! });
      lines.once('line', (line) => resolve(line.trim()));
      // Then the host's retained heap, every TREND_EVERY_MS (watchMinutes only).
      lines.on('line', (line) => {
        if (!line.startsWith('heap ') || trend.from === undefined) return;
        heap.push({ ms: performance.now() - trend.from, kib: (JSON.parse(line.slice(5)) as { heapUsedKiB: number }).heapUsedKiB });
      });
      host.child!.once('exit', (code) => reject(new Error(`the browser host exited (${code}) before printing its address`)));
    });
    const hostPid = host.child.pid!;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
    await context.addInitScript(instrumentPage);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(url);
    await page.locator('body[data-ready="true"]').waitFor();
    await page.fill('#watch-port', '0');
    await page.click('#watch-server');
    await page.locator('#classroom:not([hidden])').waitFor();
    const port = Number(/127\.0\.0\.1:(\d+)/.exec((await page.locator('#session-title').textContent()) ?? '')?.[1]);
    if (!port) throw new Error('the page did not say which port the watched server listens on');

    const hostRssKiB: number[] = [];
    const domNodes: number[] = [];
    const sample = async () => {
      const memory = await processMemory(hostPid);
      if (memory) hostRssKiB.push(memory.rssKiB);
      domNodes.push(await page.evaluate(() => document.getElementsByTagName('*').length));
    };
    await sample();
    log(`  ${load.clients} ftplib clients, ${load.sessions} sessions over ${load.seconds} s, against 127.0.0.1:${port} ...`);
    await page.evaluate(() => {
      (window as unknown as { bench: { recording: boolean } }).bench.recording = true;
    });
    const cdp = profileTo ? await context.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.start');
    }
    if (traceTo) await browser.startTracing(page, { path: traceTo, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8'] });
    const started = performance.now();
    trend.from = started;
    const rss: MemorySample[] = [];
    let nextTrend = started;
    const sampleTrend = async () => {
      if (!watching || performance.now() < nextTrend) return;
      nextTrend += TREND_EVERY_MS;
      const memory = await processMemory(hostPid);
      if (memory) rss.push({ ms: performance.now() - started, kib: memory.rssKiB });
    };
    const clients = startProcess(
      'python3',
      [join(CHECKOUT, 'bench', 'classClients.py'), String(port), String(load.clients), String(load.sessions), String(load.seconds)],
      ['ignore', 'pipe', 'inherit'],
    );
    const clientsSaid = new Promise<string>((resolve) => {
      let out = '';
      clients.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      clients.once('exit', () => resolve(out.trim()));
    });
    let running = true;
    void clientsSaid.then(() => (running = false));
    let nextFollow = performance.now() + FOLLOW_EVERY_MS;
    while (running) {
      await new Promise((r) => setTimeout(r, SAMPLE_EVERY_MS));
      await sample();
      await sampleTrend();
      if (performance.now() >= nextFollow) {
        nextFollow += FOLLOW_EVERY_MS;
        // The teacher keeps following the student who stays logged in (session 1, followed from the start; the drawn
        // sessions are listed on top), stops drawing sessions that have ended, and picks the newest open one.
        const ended = page.locator('.classroom-row.followed.phase-closed');
        for (let n = await ended.count(); n > 0; n--)
          await ended
            .first()
            .click({ timeout: 2000 })
            .catch(() => undefined);
        const open = page.locator('.classroom-row:not(.phase-closed):not(.followed)').first();
        if (await open.count()) await open.click({ timeout: 2000 }).catch(() => undefined);
      }
    }
    const loadMs = performance.now() - started;
    if (cdp && profileTo) await writeFile(profileTo, JSON.stringify((await cdp.send('Profiler.stop')).profile));
    if (traceTo) await browser.stopTracing();
    const said = JSON.parse((await clientsSaid) || '{}') as ClassroomResult['clients'];
    // Let the last lines and events arrive, then read what the page measured.
    await page.waitForTimeout(1500);
    await sample();
    const measured = await page.evaluate(() => {
      const b = (window as unknown as { bench: { frames: number[]; lags: number[]; events: number; skipped: number; recording: boolean } }).bench;
      b.recording = false;
      return { frames: b.frames, lags: b.lags, events: b.events, skipped: b.skipped };
    });
    let memory: ClassroomResult['memory'];
    if (watching) {
      // The teacher's page stays open on the class (the followed session drawn) while the host is watched.
      const loadEndMs = performance.now() - started;
      const until = performance.now() + load.watchMinutes! * 60_000;
      log(`  watching for ${load.watchMinutes} min after the load, the host's VmRSS and heap sampled every ${TREND_EVERY_MS / 1000} s ...`);
      while (performance.now() < until) {
        await new Promise((r) => setTimeout(r, 1000));
        await sampleTrend();
      }
      const after = (xs: MemorySample[]) => xs.filter((x) => x.ms >= loadEndMs);
      const rssTrend = memoryTrend(after(rss));
      const heapTrend = memoryTrend(after(heap));
      memory = { rss, heap: [...heap], loadEndMs, ...(rssTrend ? { rssTrend } : {}), ...(heapTrend ? { heapTrend } : {}) };
    }
    const listed = Number(/^(\d+) session/.exec((await page.locator('.classroom-summary').textContent()) ?? '')?.[1] ?? NaN);
    const hostPeakKiB = (await processMemory(hostPid))?.hwmKiB ?? NaN;
    await page.click('#stop');
    await page.waitForTimeout(1000);
    await stopProcess(host.child);
    // The host writes it in a private folder of its own under `work` (labHost.ts openWatchTrace).
    const files = (await readdir(work, { recursive: true })).filter((f) => f.endsWith('.trace.json'));
    let traceFile: ClassroomResult['traceFile'];
    if (files[0]) {
      traceFile = await countTraceFile(join(work, files[0]));
    }
    return {
      load,
      chromium: browser.version(),
      clients: said,
      frameMs: measured.frames,
      loadMs,
      lagMs: measured.lags,
      domNodes,
      hostRssKiB,
      hostPeakKiB,
      listed,
      traceFile,
      pageEvents: measured.events,
      skipped: measured.skipped,
      pageErrors,
      ...(memory ? { memory } : {}),
    };
  } finally {
    await browser?.close().catch(() => undefined);
    if (host.child) await stopProcess(host.child).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The host's trace file counted line by line: the writer puts one event on each line (traceFileWriter.ts), and a
 * class of a few minutes writes more than parseTrace takes in one string (64 MiB). Each event line must parse.
 */
async function countTraceFile(path: string): Promise<{ events: number; sessions: number; bytes: number }> {
  const sessions = new Set<number>();
  let events = 0;
  let bytes = 0;
  for await (const line of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    bytes += line.length + 1;
    const body = line.trim().replace(/,$/, '');
    if (!body.startsWith('{"')) continue;
    const event = JSON.parse(body) as { session?: number };
    events += 1;
    if (event.session !== undefined) sessions.add(event.session);
  }
  return { events, sessions: sessions.size, bytes };
}

if (process.argv[1]?.endsWith('classroom.ts')) {
  const [clients = '50', sessions = '1500', seconds = '60', watchMinutes = '0'] = process.argv.slice(2);
  const result = await measureClassroom(
    { clients: Number(clients), sessions: Number(sessions), seconds: Number(seconds), watchMinutes: Number(watchMinutes) },
    (l) => console.log(l),
    process.env.CLASSROOM_PROFILE,
    process.env.CLASSROOM_TRACE,
  );
  const { frameMs, lagMs, domNodes, hostRssKiB, ...rest } = result;
  const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  console.log(JSON.stringify(rest));
  console.log('fps', (frameMs.length / (result.loadMs / 1000)).toFixed(1), 'frame median', q(frameMs, 0.5), 'p95', q(frameMs, 0.95));
  console.log('lag median', q(lagMs, 0.5), 'p95', q(lagMs, 0.95), 'max', Math.max(...lagMs), 'n', lagMs.length);
  console.log('dom max', Math.max(...domNodes), 'host rss KiB first/max/last', hostRssKiB[0], Math.max(...hostRssKiB), hostRssKiB.at(-1));
}
