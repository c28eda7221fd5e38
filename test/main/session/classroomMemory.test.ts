// The classroom's memory of a watched server's sessions (main/session/classroom.ts): what a pick is sent, and the
// bounds that keep the host's memory finite however long the class runs.

import { afterEach, describe, expect, it } from 'vitest';
import { Classroom, CLASSROOM_BUDGET, type ClassroomOptions } from '../../../main/session/classroom';
import { DEFAULT_MAX_QUEUED_EVENTS } from '../../../main/session/hostOutbox';
import { MAX_FOLLOWED, validateRequest, type HostMessage } from '../../../core/api/labApi';
import type { TraceEvent } from '../../../core/trace/traceEvent';

let seq = 0;
const note = (session: number): TraceEvent => ({ type: 'note', side: 'server', text: `note ${seq}`, seq: ++seq, t: seq, session });
// The control connection's close ends a session (core/trace/sessionSummary.ts); only its channel is read.
const close = (session: number) =>
  ({ type: 'tcp.close', channel: 'control', side: 'server', conn: `C${session}`, seq: ++seq, t: seq, session }) as unknown as TraceEvent;

let room: Classroom | undefined;
afterEach(() => room?.close());

function classroom(options: Partial<ClassroomOptions> = {}) {
  const pushed: HostMessage[] = [];
  room = new Classroom({ sessionId: 's1', push: (m) => pushed.push(m), autoFollow: 0, ...options });
  /** Follows `sessions` and answers the events a page then draws of them (their sessions): what a full replace would send. */
  const follow = (sessions: number[]) => {
    room!.follow(sessions);
    return room!.followedEvents()!.map((e) => e.session);
  };
  /** A session of `events` notes, ended. */
  const session = (n: number, events: number) => {
    for (let i = 0; i < events; i += 1) room!.observe(note(n));
    room!.observe(close(n));
  };
  return { room: room, pushed, follow, session };
}

describe('Classroom', () => {
  it('a session named twice is followed once: its events are sent once, and once as they come', () => {
    const { room, pushed, follow, session } = classroom();
    session(1, 2);
    expect(follow([1, 1, 1])).toEqual([1, 1, 1]);
    expect(room.followed).toEqual([1]);
    room.observe(note(1));
    expect(pushed.filter((m) => m.type === 'trace.event')).toHaveLength(1);
  });

  it('the contract refuses a follow that names a session more than once', () => {
    expect(() => validateRequest('follow', ['s1', [1, 2, 1]])).toThrow(/^Bad arguments for follow: 1: a session is named more than once/);
    expect(validateRequest('follow', ['s1', [1, 2]]).args).toEqual(['s1', [1, 2]]);
  });

  it('a followed session past its time keeps its events while followed, and lets them go once unfollowed', () => {
    const { follow, session } = classroom({ keepEndedSessions: 1 });
    session(1, 2);
    follow([1]);
    session(2, 2);
    session(3, 2);
    // Followed: still drawn whole (and the newest ended session is the one kept besides it).
    expect(follow([1])).toHaveLength(3);
    follow([]);
    // Unfollowed, and older than the one ended session kept: forgotten.
    expect(follow([1])).toEqual([]);
    expect(follow([3])).toHaveLength(3);
  });

  it('a long session keeps its latest events, trimmed in chunks (between the cap and a quarter more)', () => {
    const { room, follow } = classroom({ maxEventsPerSession: 8 });
    for (let i = 0; i < 50; i += 1) room.observe(note(1));
    const kept = follow([1]).length;
    expect(kept).toBeGreaterThanOrEqual(8);
    expect(kept).toBeLessThanOrEqual(10);
  });

  it('all sessions together keep at most maxKeptEvents: the oldest not followed let theirs go, ended ones first', () => {
    const { room, follow, session } = classroom({ maxKeptEvents: 40 });
    room.observe(note(99));
    follow([99]);
    for (let n = 1; n <= 10; n += 1) session(n, 9);
    // Ten sessions of ten events and the followed one's: the oldest ended went first.
    expect(follow([1, 99])).toEqual([99]);
    expect(follow([10])).toHaveLength(10);
  });

  it('past the budget, a live session not followed lets its events go and keeps nothing more (the trace file has them)', () => {
    const { room, follow } = classroom({ maxKeptEvents: 10 });
    for (let i = 0; i < 3; i += 1) room.observe(note(1));
    for (let i = 0; i < 9; i += 1) room.observe(note(2));
    expect(follow([1])).toEqual([]);
    room.observe(note(1));
    expect(follow([2])).toHaveLength(9);
    expect(follow([1])).toEqual([]);
  });
});

describe('Classroom bounds over a long class', () => {
  it("the defaults: the followed sessions at their cap stay within the budget, and one session fits a page's outbox", () => {
    const atCap = CLASSROOM_BUDGET.maxEventsPerSession + Math.ceil(CLASSROOM_BUDGET.maxEventsPerSession / 4);
    expect(MAX_FOLLOWED * atCap).toBeLessThanOrEqual(CLASSROOM_BUDGET.maxKeptEvents);
    expect(atCap).toBeLessThanOrEqual(DEFAULT_MAX_QUEUED_EVENTS);
  });

  it('never keeps more events than its budget nor more lines than maxSessions, however many sessions come, live and ended', () => {
    const budget = 60;
    const { room } = classroom({ maxKeptEvents: budget, maxEventsPerSession: 8, keepEndedSessions: 3, maxSessions: 25 });
    // Two followed sessions at their cap (8 and a quarter more: 10 each) stay well within the budget.
    let most = 0;
    let mostLines = 0;
    const live = new Set<number>();
    let next = 1;
    // Deterministic: 3,000 sessions, up to a dozen live at once, each a few to forty notes long.
    let r = 7;
    const rand = () => (r = (r * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    while (next <= 3000 || live.size > 0) {
      if (next <= 3000 && live.size < 12) live.add(next++);
      const n = [...live][Math.floor(rand() * live.size)]!;
      if (rand() < 0.04) {
        room.observe(close(n));
        live.delete(n);
      } else room.observe(note(n));
      if (rand() < 0.01) room.follow([...live].slice(0, 2));
      most = Math.max(most, room.keptEvents);
      mostLines = Math.max(mostLines, room.sessionLines);
    }
    expect(most).toBeLessThanOrEqual(budget);
    // The budget was reached (it bounds, not just never tested).
    expect(most).toBeGreaterThan(budget - 10);
    expect(mostLines).toBeLessThanOrEqual(25 + 12);
  });
});
