// A teacher changing which sessions are drawn (Classroom.follow): only the change travels (the newly followed
// sessions' events and the sessions to remove), through a real outbox to a page that applies it as the renderer
// does (renderer/hostTraceEvents.ts) — and the page's trace is exactly what a full replace would have drawn.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostBatch, HostMessage } from '../../../core/api/labApi';
import type { TraceEvent } from '../../../core/trace/traceEvent';
import { Classroom } from '../../../main/session/classroom';
import { HostOutbox } from '../../../main/session/hostOutbox';
import { withHostEvents } from '../../../renderer/hostTraceEvents';
import { RecordedTrace } from '../../../renderer/recordedTrace';

/** A small deterministic generator (mulberry32): the same class every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A class's events interleaved: each session opens its control connection, sends notes, opens data connections,
 * and some events name only their connection (as a FIN seen from the other end does); at its end the control
 * connection closes (which ends the session: core/trace/sessionSummary).
 */
function* classEvents(sessions: number, rand: () => number): Generator<TraceEvent> {
  let seq = 0;
  let data = 0;
  const open = new Map<number, { dataConns: string[]; left: number }>();
  let next = 1;
  const make = (fields: Record<string, unknown>) => ({ seq: ++seq, t: seq, side: 'server', ...fields }) as unknown as TraceEvent;
  while (next <= sessions || open.size > 0) {
    if (next <= sessions && (open.size < 6 || rand() < 0.2)) {
      const n = next++;
      open.set(n, { dataConns: [], left: 5 + Math.floor(rand() * 30) });
      yield make({
        type: 'tcp.accept',
        channel: 'control',
        conn: `C${n}`,
        session: n,
        local: { host: '127.0.0.1', port: 21 },
        remote: { host: '127.0.0.1', port: 1000 + n },
      });
      continue;
    }
    const live = [...open.keys()];
    const n = live[Math.floor(rand() * live.length)]!;
    const s = open.get(n)!;
    const r = rand();
    if (s.left-- <= 0) {
      open.delete(n);
      yield make({ type: 'tcp.fin', channel: 'control', conn: `C${n}`, dir: 'received' });
      yield make({ type: 'tcp.close', channel: 'control', conn: `C${n}`, session: n });
    } else if (r < 0.15) {
      const conn = `D${++data}`;
      s.dataConns.push(conn);
      yield make({
        type: 'tcp.accept',
        channel: 'data',
        conn,
        session: n,
        local: { host: '127.0.0.1', port: 20 },
        remote: { host: '127.0.0.1', port: 2000 + data },
      });
    } else if (r < 0.35 && s.dataConns.length > 0) {
      // Only the connection is named: the page must attribute it as the classroom did.
      yield make({ type: 'tcp.fin', channel: 'data', conn: s.dataConns[Math.floor(rand() * s.dataConns.length)], dir: 'received' });
    } else yield make({ type: 'note', text: `s${n}`, session: n });
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Classroom.follow through the outbox to the page', () => {
  it('over a class and forty changes of pick, the page draws exactly what a full replace would: same events, same order', async () => {
    const rand = random(11);
    const meta = { createdAt: '2026-01-01T00:00:00.000Z', tool: 'test', passwordsMasked: true };
    let page = new RecordedTrace(meta, new Set(['server']));
    const pageMessages: HostMessage[] = [];
    // A page that takes each batch in at once; small batches, so that a change of pick is cut across several.
    const outbox: HostOutbox = new HostOutbox({
      maxBatchEvents: 7,
      send: (batch: HostBatch) => {
        for (const m of batch.messages) {
          pageMessages.push(m);
          if (m.type === 'trace.event' || m.type === 'trace.events') page = withHostEvents(page, m).trace;
        }
        queueMicrotask(() => outbox.ack(batch.batch));
        return true;
      },
    });
    const room = new Classroom({ sessionId: 's1', push: (m) => outbox.push(m), keepEndedSessions: 30 });
    const settle = async () => {
      for (let i = 0; i < 200; i += 1) await vi.advanceTimersByTimeAsync(40);
      expect(outbox.queuedEvents).toBe(0);
    };
    const fullReplace = () => room.followedEvents()!.map((e) => e.seq);

    let changes = 0;
    let observed = 0;
    for (const event of classEvents(120, rand)) {
      room.observe(event);
      observed += 1;
      if (observed % 37 !== 0) continue;
      // One more, one less, or a new set of up to MAX_FOLLOWED sessions, some of them ended and some forgotten.
      const now = room.followed;
      const pick = 1 + Math.floor(rand() * Math.min(120, event.seq / 5));
      const picks =
        rand() < 0.5 ? [...now.filter(() => rand() < 0.8), pick] : Array.from({ length: 1 + Math.floor(rand() * 8) }, () => 1 + Math.floor(rand() * 120));
      room.follow([...new Set(picks)].slice(0, 8));
      changes += 1;
      // Events go on arriving while the change travels.
      if (changes % 3 === 0) await settle();
    }
    await settle();
    expect(changes).toBeGreaterThanOrEqual(40);
    expect(page.events.map((e) => e.seq)).toEqual(fullReplace());
    // Only the first pick replaced the picture; later ones sent their change alone.
    const events = pageMessages.filter((m) => m.type === 'trace.events');
    expect(events.filter((m) => m.replace)).toHaveLength(1);
    expect(events.some((m) => m.dropSessions && m.dropSessions.length > 0)).toBe(true);
    // Connection-only events were drawn (and removed) with their sessions.
    expect(page.events.some((e) => e.session === undefined)).toBe(true);
    room.close();
    outbox.close();
  });

  it('after each change the page matches at once, and one more session sends that session only', async () => {
    const rand = random(5);
    const meta = { createdAt: '2026-01-01T00:00:00.000Z', tool: 'test', passwordsMasked: true };
    let page = new RecordedTrace(meta, new Set(['server']));
    const sentEvents: number[] = [];
    const outbox: HostOutbox = new HostOutbox({
      send: (batch: HostBatch) => {
        for (const m of batch.messages)
          if (m.type === 'trace.event' || m.type === 'trace.events') {
            sentEvents.push(m.type === 'trace.event' ? 1 : m.events.length);
            page = withHostEvents(page, m).trace;
          }
        queueMicrotask(() => outbox.ack(batch.batch));
        return true;
      },
    });
    const room = new Classroom({ sessionId: 's1', push: (m) => outbox.push(m), autoFollow: 0 });
    for (const event of classEvents(20, rand)) room.observe(event);
    const settle = async () => {
      for (let i = 0; i < 20; i += 1) await vi.advanceTimersByTimeAsync(40);
    };
    const picks: number[] = [];
    for (const n of [3, 9, 14, 2, 20]) {
      const before = room.followedEvents()!.length;
      picks.push(n);
      sentEvents.length = 0;
      room.follow(picks);
      await settle();
      expect(page.events.map((e) => e.seq)).toEqual(room.followedEvents()!.map((e) => e.seq));
      // The first pick sends its one session; each later one sends only the session added, not the others again.
      expect(sentEvents.reduce((a, b) => a + b, 0)).toBe(room.followedEvents()!.length - before);
    }
    for (const gone of [9, 3, 20]) {
      picks.splice(picks.indexOf(gone), 1);
      sentEvents.length = 0;
      room.follow(picks);
      await settle();
      expect(sentEvents.reduce((a, b) => a + b, 0)).toBe(0);
      expect(page.events.map((e) => e.seq)).toEqual(room.followedEvents()!.map((e) => e.seq));
      expect(page.events.some((e) => e.session === gone || ('conn' in e && e.conn === `C${gone}`))).toBe(false);
    }
    room.close();
    outbox.close();
  });
});
