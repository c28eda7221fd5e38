// What the classroom's bounds cost in bytes (issue 11, item 7): the heap a watched server's Classroom retains per
// kept event and per session line, measured with full collections (node --expose-gc) around holding them, and the
// upper bound its defaults allow (maxKeptEvents events, maxSessions lines) plus one page's outbox (maxQueuedEvents).
// The events are a real watched session's (test/core/diagram/fixtures/serve-curl.trace.json, `ftp-lab serve` with
// curl: accept, replies, commands, state changes, FINs), renumbered into many sessions, each event a fresh object as
// the recorder makes them.
// Usage: node --expose-gc --import tsx bench/classroomRetained.ts [EVENTS]

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostMessage } from '../core/api/labApi';
import type { TraceEvent, TraceFile } from '../core/trace/traceEvent';
import { Classroom, CLASSROOM_BUDGET } from '../main/session/classroom';
import { DEFAULT_MAX_QUEUED_EVENTS, HostOutbox } from '../main/session/hostOutbox';
import { CHECKOUT } from './servers';

export interface RetainedResult {
  events: number;
  sessions: number;
  /** Heap retained per kept event (its object, its place in a session's list), bytes. */
  bytesPerEvent: number;
  /** Heap retained per session line once its events are let go (summary, connections), bytes. */
  bytesPerSessionLine: number;
  /** Per event waiting in an outbox for a page (the event itself is shared with the classroom while both hold it). */
  bytesPerQueuedEvent: number;
  /** The defaults' upper bound, MiB: maxKeptEvents × bytesPerEvent + maxSessions × bytesPerSessionLine + one page's maxQueuedEvents × bytesPerQueuedEvent. */
  boundMiB: number;
  /** The same with the budget before it was measured (400,000 events). */
  boundWas400kMiB: number;
}

const collect = (globalThis as { gc?: () => void }).gc;

function heapAfterGc(): number {
  if (!collect) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 3; i += 1) collect();
  return process.memoryUsage().heapUsed;
}

/** A watched server's events: the fixture's sessions again and again, each copy its own session and connections, every event a fresh object. */
function* classEvents(count: number): Generator<TraceEvent> {
  const file = JSON.parse(readFileSync(join(CHECKOUT, 'test/core/diagram/fixtures/serve-curl.trace.json'), 'utf8')) as TraceFile;
  const template = file.events.filter((e) => e.session !== undefined);
  const sessionsInTemplate = new Set(template.map((e) => e.session)).size;
  let seq = 0;
  for (let copy = 0; seq < count; copy += 1) {
    for (const e of template) {
      if (seq >= count) return;
      const clone = structuredClone(e) as TraceEvent & { session: number; conn?: string; seq: number; t: number };
      clone.session = copy * sessionsInTemplate + e.session!;
      if ('conn' in clone && clone.conn) clone.conn = `${clone.conn}-${copy}`;
      clone.seq = ++seq;
      clone.t = seq;
      yield clone;
    }
  }
}

export function measureRetained(events = 100_000): RetainedResult {
  const pushed: HostMessage[] = [];
  const push = (m: HostMessage) => void (m.type === 'classroom.sessions' ? undefined : pushed.push(m));
  // Nothing let go: every event and line kept.
  const before = heapAfterGc();
  let room: Classroom | undefined = new Classroom({
    sessionId: 's1',
    push,
    autoFollow: 0,
    keepEndedSessions: Number.MAX_SAFE_INTEGER,
    maxKeptEvents: Number.MAX_SAFE_INTEGER,
    maxSessions: Number.MAX_SAFE_INTEGER,
    rowsEveryMs: 3_600_000,
  });
  for (const e of classEvents(events)) room.observe(e);
  const holding = heapAfterGc();
  // The same sessions' lines only (their events let go: the ended ones beyond keepEndedSessions).
  room.close();
  room = new Classroom({ sessionId: 's1', push, autoFollow: 0, keepEndedSessions: 0, maxSessions: Number.MAX_SAFE_INTEGER, rowsEveryMs: 3_600_000 });
  const lineBefore = heapAfterGc();
  let sessions = 0;
  for (const e of classEvents(events)) {
    room.observe(e);
    sessions = Math.max(sessions, e.session ?? 0);
  }
  const linesOnly = heapAfterGc() - lineBefore;
  room.close();
  room = undefined;
  // An outbox holding events for a page that does not acknowledge (its own copies: the classroom let them go).
  const outbox = new HostOutbox({ send: () => true, maxQueuedEvents: events, gatherMs: 3_600_000 });
  const queueBefore = heapAfterGc();
  for (const e of classEvents(events)) outbox.push({ type: 'trace.event', sessionId: 's1', event: e });
  const queued = heapAfterGc() - queueBefore;
  outbox.close();
  const bytesPerEvent = (holding - before - linesOnly) / events;
  const bytesPerSessionLine = linesOnly / sessions;
  const bytesPerQueuedEvent = queued / events;
  const bound = (keptEvents: number) =>
    (keptEvents * bytesPerEvent + CLASSROOM_BUDGET.maxSessions * bytesPerSessionLine + DEFAULT_MAX_QUEUED_EVENTS * bytesPerQueuedEvent) / (1024 * 1024);
  return {
    events,
    sessions,
    bytesPerEvent,
    bytesPerSessionLine,
    bytesPerQueuedEvent,
    boundMiB: bound(CLASSROOM_BUDGET.maxKeptEvents),
    boundWas400kMiB: bound(400_000),
  };
}

if (process.argv[1]?.endsWith('classroomRetained.ts')) {
  const result = measureRetained(Number(process.argv[2] ?? 100_000));
  console.log(JSON.stringify(result));
}
