// The host's outbox to one page: batches, the window of unacknowledged batches, the bound on what it holds for a
// page that does not keep up (and the sentence that says so), and the messages it merges. Its timers run on
// vitest's fake clock: the page's pace is the test's to set, and nothing here needs a socket.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostBatch, HostMessage } from '../../../core/api/labApi';
import type { SessionSummary } from '../../../core/trace/sessionSummary';
import type { TraceEvent } from '../../../core/trace/traceEvent';
import { HostOutbox } from '../../../main/session/hostOutbox';

const note = (seq: number, session = 1): TraceEvent => ({ type: 'note', side: 'server', text: `n${seq}`, seq, t: seq, session });
const event = (seq: number, sessionId = 's1'): HostMessage => ({ type: 'trace.event', sessionId, event: note(seq) });
const row = (session: number, bytes: number): SessionSummary => ({
  session,
  client: '127.0.0.1:5000',
  phase: 'logged in',
  bytes,
  errors: 0,
  refusals: 0,
  events: 1,
  firstT: 0,
  lastT: 0,
});

function outbox(options: Partial<ConstructorParameters<typeof HostOutbox>[0]> = {}) {
  const sent: HostBatch[] = [];
  const box = new HostOutbox({ send: (b) => sent.push(b) > 0, ...options });
  const seqs = (b: HostBatch | undefined) => (b?.messages ?? []).flatMap((m) => (m.type === 'trace.events' ? m.events.map((e) => e.seq) : []));
  return { box, sent, seqs };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('HostOutbox', () => {
  it('gathers 40 ms of events into one numbered batch, one group per session in order', () => {
    const { box, sent } = outbox();
    for (const seq of [1, 2, 3]) box.push(event(seq));
    box.push(event(4, 's2'));
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(40);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.batch).toBe(1);
    expect(sent[0]!.messages.map((m) => (m.type === 'trace.events' ? `${m.sessionId}:${m.events.map((e) => e.seq).join(',')}` : m.type))).toEqual([
      's1:1,2,3',
      's2:4',
    ]);
  });

  it('sends two batches ahead of the acks and then waits for the page', () => {
    const { box, sent, seqs } = outbox();
    box.push(event(1));
    vi.advanceTimersByTime(40);
    box.push(event(2));
    vi.advanceTimersByTime(40);
    box.push(event(3));
    vi.advanceTimersByTime(1000);
    expect(sent.map((b) => b.batch)).toEqual([1, 2]);
    box.ack(1);
    vi.advanceTimersByTime(40);
    expect(sent.map((b) => b.batch)).toEqual([1, 2, 3]);
    expect(seqs(sent[2])).toEqual([3]);
    // A repeated or future ack changes nothing.
    box.ack(1);
    box.ack(99);
    box.push(event(4));
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(3);
  });

  it('a batch the transport could not deliver is not waited for: after the page is back, batches go on', () => {
    const delivered: HostBatch[] = [];
    let pageThere = false;
    const box = new HostOutbox({ send: (b) => pageThere && delivered.push(b) > 0 });
    // The page is gone (or not the app's): three batches are dropped, none of them will ever be acknowledged.
    for (const seq of [1, 2, 3]) {
      box.push(event(seq));
      vi.advanceTimersByTime(40);
    }
    expect(delivered).toEqual([]);
    pageThere = true;
    box.push(event(4));
    vi.advanceTimersByTime(40);
    expect(delivered.map((b) => b.batch)).toEqual([1]);
    expect(delivered[0]!.messages).toEqual([{ type: 'trace.events', sessionId: 's1', events: [expect.objectContaining({ seq: 4 })] }]);
  });

  it('a page that loads again is not waited for: the batches sent to the page before it are no longer in flight', () => {
    const { box, sent } = outbox();
    for (const seq of [1, 2, 3]) {
      box.push(event(seq));
      vi.advanceTimersByTime(40);
    }
    expect(sent.map((b) => b.batch)).toEqual([1, 2]);
    // The page reloaded before acknowledging 1 and 2: the new page never will.
    box.pageLoaded();
    vi.advanceTimersByTime(40);
    expect(sent.map((b) => b.batch)).toEqual([1, 2, 3]);
    box.push(event(4));
    vi.advanceTimersByTime(40);
    expect(sent.map((b) => b.batch)).toEqual([1, 2, 3, 4]);
    box.push(event(5));
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(4);
    box.ack(4);
    vi.advanceTimersByTime(40);
    expect(sent.map((b) => b.batch)).toEqual([1, 2, 3, 4, 5]);
  });

  it('holds a bounded number of events for a page that does not answer, drops the newest, and says how many once it catches up', () => {
    const { box, sent, seqs } = outbox({ maxQueuedEvents: 1000, maxBatchEvents: 400 });
    for (let seq = 1; seq <= 100_000; seq++) box.push(event(seq));
    vi.advanceTimersByTime(40);
    vi.advanceTimersByTime(40);
    // Two batches of 400 went; the rest it holds is bounded, whatever came.
    expect(sent).toHaveLength(2);
    expect(box.queuedEvents).toBeLessThanOrEqual(1000);
    for (let n = 1; n <= 10; n++) {
      box.ack(sent.length);
      vi.advanceTimersByTime(40);
    }
    const delivered = sent.flatMap((b) => seqs(b));
    expect(delivered).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    const skipped = sent.flatMap((b) => b.messages).filter((m) => m.type === 'trace.skipped');
    expect(skipped).toEqual([{ type: 'trace.skipped', sessionId: 's1', events: 99_000 }]);
  });

  it('a replacing group supersedes the events of that session still waiting, and goes whole', () => {
    const { box, sent } = outbox({ maxBatchEvents: 2 });
    box.push(event(1));
    box.push(event(2, 's2'));
    box.push({ type: 'trace.events', sessionId: 's1', events: [note(10), note(11), note(12)], replace: true });
    vi.advanceTimersByTime(40);
    expect(sent[0]!.messages).toEqual([
      { type: 'trace.events', sessionId: 's2', events: [note(2)] },
      { type: 'trace.events', sessionId: 's1', events: [note(10), note(11), note(12)], replace: true },
    ]);
  });

  it('a change of pick never joins the group before it, takes the plain events after it, and names its removals in its first part only', () => {
    const { box, sent } = outbox({ maxBatchEvents: 2 });
    box.push(event(5));
    // Session 1 is followed no more, session 2 now is (its earlier events, older than 5).
    box.push({ type: 'trace.events', sessionId: 's1', events: [note(2, 2), note(3, 2), note(4, 2)], dropSessions: [1] });
    box.push({ type: 'trace.event', sessionId: 's1', event: note(6, 2) });
    // A change that removes only (no events) still goes.
    box.push({ type: 'trace.events', sessionId: 's1', events: [], dropSessions: [2] });
    for (let n = 1; n <= 4; n++) {
      vi.advanceTimersByTime(40);
      box.ack(sent.length);
    }
    const groups = sent.flatMap((b) => b.messages).map((m) => (m.type === 'trace.events' ? [m.events.map((e) => e.seq), m.dropSessions] : m.type));
    expect(groups).toEqual([
      [[5], undefined],
      [[2], [1]],
      [[3, 4], undefined],
      [[6], undefined],
      [[], [2]],
    ]);
  });

  it('once it has room again, a page that missed events is sent what it should draw, whole, from their source, and told so', () => {
    const source = Array.from({ length: 3000 }, (_, i) => note(i + 1));
    const asked: string[] = [];
    const { box, sent } = outbox({
      maxQueuedEvents: 1000,
      maxBatchEvents: 400,
      resyncSource: (sessionId) => {
        asked.push(sessionId);
        return () => source;
      },
    });
    for (const e of source) box.push({ type: 'trace.event', sessionId: 's1', event: e });
    // Asked once, when the first event was dropped (the source is held until the page is made whole).
    expect(asked).toEqual(['s1']);
    for (let n = 1; n <= 10; n++) {
      vi.advanceTimersByTime(40);
      box.ack(sent.length);
    }
    const messages = sent.flatMap((b) => b.messages);
    const last = messages.slice(-2);
    expect(last).toEqual([
      { type: 'trace.events', sessionId: 's1', events: source, replace: true },
      { type: 'trace.skipped', sessionId: 's1', events: 2000, resynced: true },
    ]);
    // Before it, the thousand that fitted, in order.
    expect(messages.slice(0, -2).flatMap((m) => (m.type === 'trace.events' ? m.events.map((e) => e.seq) : []))).toEqual(
      Array.from({ length: 1000 }, (_, i) => i + 1),
    );
  });

  it('a source that can no longer tell (a stopped server) leaves the page told only how many it lacks', () => {
    const { box, sent } = outbox({ maxQueuedEvents: 10, resyncSource: () => () => undefined });
    for (let seq = 1; seq <= 30; seq++) box.push(event(seq));
    for (let n = 1; n <= 4; n++) {
      vi.advanceTimersByTime(40);
      box.ack(sent.length);
    }
    expect(sent.flatMap((b) => b.messages).filter((m) => m.type !== 'trace.events')).toEqual([{ type: 'trace.skipped', sessionId: 's1', events: 20 }]);
  });

  it("keeps only the gate's latest report and each session's latest line", () => {
    const { box, sent } = outbox();
    box.push({ type: 'gate.state', sessionId: 's1', paused: true, waiting: '220 ready', side: 'server' });
    box.push({ type: 'gate.state', sessionId: 's1', paused: false });
    box.push({ type: 'classroom.sessions', sessionId: 's1', total: 2, followed: [1], sessions: [row(1, 10), row(2, 0)] });
    box.push({ type: 'classroom.sessions', sessionId: 's1', total: 3, followed: [1, 3], sessions: [row(1, 99), row(3, 0)] });
    box.push({ type: 'session.end', sessionId: 's1', ok: true });
    vi.advanceTimersByTime(40);
    expect(sent[0]!.messages).toEqual([
      { type: 'classroom.sessions', sessionId: 's1', total: 3, followed: [1, 3], sessions: [row(1, 99), row(2, 0), row(3, 0)] },
      { type: 'gate.state', sessionId: 's1', paused: false },
      { type: 'session.end', sessionId: 's1', ok: true },
    ]);
  });

  it('sends nothing once closed', () => {
    const { box, sent } = outbox();
    box.push(event(1));
    box.close();
    box.push(event(2));
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([]);
  });
});
