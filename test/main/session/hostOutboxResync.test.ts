// A page that stops acknowledging (a background tab) while a run or a class goes on: its outbox drops what does
// not fit, and once the page acknowledges again it is sent everything it should draw (LabHost.resyncSource) —
// its trace ends equal to the host's. Real LabHost, real sockets (ftplib clients for the class), real outboxes.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { HostBatch, HostMessage } from '../../../core/api/labApi';
import { SessionAttribution } from '../../../core/trace/sessionAttribution';
import type { TraceFile } from '../../../core/trace/traceEvent';
import { parseTrace } from '../../../core/trace/traceFile';
import { HostOutbox } from '../../../main/session/hostOutbox';
import { LabHost } from '../../../main/session/labHost';
import { withHostEvents } from '../../../renderer/hostTraceEvents';
import { RecordedTrace } from '../../../renderer/recordedTrace';
import { runPython } from '../../support/python';

let host: LabHost | undefined;
let dir: string | undefined;
const outboxes: HostOutbox[] = [];
afterEach(async () => {
  for (const o of outboxes.splice(0)) o.close();
  await host?.close();
  host = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/**
 * A page on its own outbox: it applies every message as the renderer does; while `stalled` it acknowledges
 * nothing (so its outbox fills up and drops), and once resumed it acknowledges what it has and each batch after.
 */
function page(lab: LabHost, maxQueuedEvents: number, maxBatchEvents = 2_000) {
  const state = { stalled: false, trace: undefined as RecordedTrace | undefined, skipped: [] as Extract<HostMessage, { type: 'trace.skipped' }>[], last: 0 };
  const outbox: HostOutbox = new HostOutbox({
    maxQueuedEvents,
    maxBatchEvents,
    resyncSource: (id) => lab.resyncSource(id),
    send: (batch: HostBatch) => {
      for (const m of batch.messages) {
        if ((m.type === 'trace.event' || m.type === 'trace.events') && state.trace) state.trace = withHostEvents(state.trace, m).trace;
        if (m.type === 'trace.skipped') state.skipped.push(m);
      }
      state.last = batch.batch;
      if (!state.stalled) setImmediate(() => outbox.ack(batch.batch));
      return true;
    },
  });
  outboxes.push(outbox);
  lab.subscribe((m) => outbox.push(m));
  const resume = () => {
    state.stalled = false;
    outbox.ack(state.last);
  };
  const start = (file: TraceFile) => (state.trace = RecordedTrace.fromFile(file));
  return { state, outbox, resume, start };
}

it('a run: the page that stopped acknowledging ends with every event of the run, as the page that never did', async () => {
  host = new LabHost();
  // Batches of 5 at most: the two batches sent before the page stops acknowledging cannot carry most of the run
  // (they once did, on a loaded machine whose 40 ms gathers came late), so its queue is sure to fill and drop.
  const behind = page(host, 20, 5);
  const eager = page(host, 100_000);
  behind.state.stalled = true;
  const { sessionId, trace } = (await host.request('startSession', [{ scenario: 'textbook-upload' }])) as { sessionId: string; trace: TraceFile };
  behind.start(trace);
  eager.start(trace);
  await expect.poll(() => eager.state.trace!.events.some((e) => e.type === 'ftp.reply' && e.code === 221), { timeout: 10_000 }).toBe(true);
  // The run is over (the host let it go) before the page acknowledges again.
  await expect.poll(() => host!.resyncSource(sessionId), { timeout: 10_000 }).toBeUndefined();
  // Its queue is full to its bound or less (what waits once the outbox has asked for the resync is not counted on).
  await expect.poll(() => behind.outbox.queuedEvents).toBeGreaterThan(0);
  expect(behind.outbox.queuedEvents).toBeLessThanOrEqual(20);
  // Behind, the page lacks most of the run.
  expect(behind.state.trace!.events.length).toBeLessThan(eager.state.trace!.events.length);
  const toldBefore = behind.state.skipped.length;
  behind.resume();
  await expect.poll(() => behind.state.skipped.length, { timeout: 5_000 }).toBe(toldBefore + 1);
  expect(behind.state.skipped.at(-1)).toMatchObject({ sessionId, resynced: true });
  expect(behind.state.skipped.at(-1)!.events).toBeGreaterThan(0);
  // Made whole, though the run had ended before the page caught up (its outbox held on to the run's recorder).
  expect(behind.state.trace!.events).toEqual(eager.state.trace!.events);
}, 30_000);

it("a class: the page that stopped acknowledging ends drawing every event of the followed sessions, as the host's trace file has them", async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftp-lab-resync-'));
  host = new LabHost({ watchTraceDir: dir });
  // Small batches and a small queue: the two batches in flight when it stalls cannot carry the class.
  const behind = page(host, 50, 10);
  const { sessionId, port, trace, traceFile } = (await host.request('watchServer', [{ port: 0 }])) as {
    sessionId: string;
    port: number;
    trace: TraceFile;
    traceFile: string;
  };
  behind.start(trace);
  behind.state.stalled = true;
  // Eight clients, five sessions each: log in, list, upload, quit. The first four sessions are followed by themselves.
  const run = await runPython(
    `
import ftplib, io, sys, threading
port = int(sys.argv[1])
failed = []
def student(i):
  for k in range(5):
    try:
      f = ftplib.FTP(); f.connect('127.0.0.1', port, timeout=20); f.login('anonymous', 'x')
      f.retrlines('LIST', lambda line: None)
      f.storbinary('STOR r%d-%d.txt' % (i, k), io.BytesIO(b'x' * 3000))
      f.quit()
    except Exception as e:
      failed.append(repr(e))
threads = [threading.Thread(target=student, args=(i,)) for i in range(8)]
[t.start() for t in threads]; [t.join() for t in threads]
print(len(failed))
`,
    [String(port)],
    { timeoutMs: 60_000 },
  );
  expect(run.stdout.trim(), run.stderr).toBe('0');
  // Picks while behind: the first replaces the picture, the next drops session 2.
  await host.request('follow', [sessionId, [1, 2, 3, 4, 30]]);
  await host.request('follow', [sessionId, [1, 3, 4, 30]]);
  // Behind, the page lacks some of what it should draw.
  expect(behind.state.trace!.events.length).toBeLessThan(host.resyncSource(sessionId)!()!.length);
  // Only the last count matters here (one may have been told before the stall took hold).
  const toldBefore = behind.state.skipped.length;
  behind.resume();
  await expect.poll(() => behind.state.skipped.length, { timeout: 5_000 }).toBe(toldBefore + 1);
  expect(behind.state.skipped.at(-1)).toMatchObject({ sessionId, resynced: true });

  // The host's complete trace: the followed sessions' events in it, attributed as the classroom does.
  await host.request('stopSession', [sessionId]);
  const file = parseTrace(await readFile(traceFile, 'utf8'));
  const attribution = new SessionAttribution();
  const followed = new Set([1, 3, 4, 30]);
  const expected = file.events.filter((e) => followed.has(attribution.sessionOf(e) ?? 0));
  expect(expected.length).toBeGreaterThan(200);
  expect(behind.state.trace!.events).toEqual(expected);
}, 90_000);
