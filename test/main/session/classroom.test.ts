// A class at once against a watched server (LabHost.watchServer): real ftplib clients on loopback, a page that
// never acknowledges anything (the worst page), and what the host keeps: a line per session, the followed
// sessions' events, a bounded outbox, and the complete trace in its file.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { HostBatch, HostMessage } from '../../../core/api/labApi';
import type { SessionSummary } from '../../../core/trace/sessionSummary';
import { parseTrace } from '../../../core/trace/traceFile';
import { HostOutbox } from '../../../main/session/hostOutbox';
import { LabHost } from '../../../main/session/labHost';
import { runPython } from '../../support/python';

let host: LabHost | undefined;
let dir: string | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** CLIENTS threads, each SESSIONS sessions: log in (every seventh as student with a wrong password), list, upload, a missing file, quit. */
const CLASS = `
import ftplib, io, sys, threading
port, clients, sessions = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
failed = []
def student(i):
  for k in range(sessions):
    try:
      f = ftplib.FTP(); f.connect('127.0.0.1', port, timeout=20)
      try:
        if (i * sessions + k) % 7 == 3: f.login('student', 'wrong')
        else: f.login('anonymous', 'x')
      except ftplib.error_perm:
        f.close(); continue
      f.retrlines('LIST', lambda line: None)
      f.storbinary('STOR s%d-%d.txt' % (i, k), io.BytesIO(b'x' * 1000))
      try: f.retrbinary('RETR missing.txt', lambda b: None)
      except ftplib.error_perm: pass
      f.quit()
    except Exception as e:
      failed.append(repr(e))
threads = [threading.Thread(target=student, args=(i,)) for i in range(clients)]
[t.start() for t in threads]; [t.join() for t in threads]
print(len(failed), failed[:3])
`;

it('a class of 20 clients: every session listed, the first few drawn, a late pick drawn from its start, the outbox bounded, the trace file complete', async () => {
  dir = await mkdtemp(join(tmpdir(), 'ftp-lab-classroom-'));
  host = new LabHost({ watchTraceDir: dir });
  // A page that takes nothing in: only the outbox's bound stands between the host and an endless backlog.
  const stalled = new HostOutbox({ send: () => true, maxQueuedEvents: 2_000 });
  // And a page that takes everything in at once (acknowledges each batch as it comes).
  const received: HostMessage[] = [];
  const eager: HostOutbox = new HostOutbox({
    send: (batch: HostBatch) => {
      received.push(...batch.messages);
      setImmediate(() => eager.ack(batch.batch));
      return true;
    },
  });
  let mostHeld = 0;
  host.subscribe((m) => {
    stalled.push(m);
    eager.push(m);
    mostHeld = Math.max(mostHeld, stalled.queuedEvents);
  });
  const { sessionId, port, traceFile } = (await host.request('watchServer', [{ port: 0 }])) as { sessionId: string; port: number; traceFile: string };
  expect(traceFile.startsWith(dir)).toBe(true);

  const clients = 20;
  const each = 3;
  const run = await runPython(CLASS, [String(port), String(clients), String(each)], { timeoutMs: 60_000 });
  expect(run.stdout.trim(), run.stderr).toBe('0 []');

  // Every session has its line, with what a teacher looks for.
  const lines = new Map<number, SessionSummary>();
  const latest = async () => {
    for (const m of received) if (m.type === 'classroom.sessions') for (const s of m.sessions) lines.set(s.session, s);
    return [...lines.values()].filter((s) => s.phase === 'closed').length;
  };
  await expect.poll(latest, { timeout: 10_000 }).toBe(clients * each);
  const refused = [...lines.values()].filter((s) => s.lastReply?.startsWith('530'));
  expect(refused.length).toBeGreaterThan(0);
  for (const s of refused) expect(s).toMatchObject({ user: 'student', refusals: 1, phase: 'closed' });
  const worked = [...lines.values()].find((s) => !s.lastReply?.startsWith('530'))!;
  expect(worked).toMatchObject({ user: 'anonymous', phase: 'closed', refusals: 1, lastReply: '221 Goodbye.' });
  expect(worked.bytes).toBeGreaterThanOrEqual(1000);
  expect(worked.client).toMatch(/^127\.0\.0\.1:\d+$/);

  // Only the first sessions were sent to be drawn (nothing was picked yet).
  const drawn = () => new Set(received.flatMap((m) => (m.type === 'trace.events' ? m.events.map((e) => e.session) : [])));
  expect([...drawn()].sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4]);

  // A pick after the fact: the session's events from its first (the accept) to its end replace the picture.
  const pick = clients * each - 1;
  const before = received.length;
  await host.request('follow', [sessionId, [pick]]);
  await expect.poll(() => received.slice(before).find((m) => m.type === 'trace.events' && m.replace)).toBeTruthy();
  const replaced = received.slice(before).find((m) => m.type === 'trace.events' && m.replace) as Extract<HostMessage, { type: 'trace.events' }>;
  expect(new Set(replaced.events.map((e) => e.session ?? pick))).toEqual(new Set([pick]));
  expect(replaced.events[0]).toMatchObject({ type: 'tcp.accept', channel: 'control' });
  expect(replaced.events.some((e) => e.type === 'ftp.reply' && e.code === 221)).toBe(true);

  // The stalled page cost the host a bounded number of events, not the class's.
  expect(mostHeld).toBeLessThanOrEqual(2_000);

  // The trace file has every session, complete.
  await host.request('stopSession', [sessionId]);
  const file = parseTrace(await readFile(traceFile, 'utf8'));
  const sessions = new Set(file.events.map((e) => e.session).filter((n) => n !== undefined));
  expect(sessions.size).toBe(clients * each);
  const quits = file.events.filter((e) => e.type === 'ftp.reply' && e.code === 221).length;
  expect(quits).toBe(clients * each - refused.length);
  stalled.close();
  eager.close();
}, 90_000);
