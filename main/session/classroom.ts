// A watched server with a class of clients: one line per FTP session for the page's list (core/trace/sessionSummary),
// the events of the few sessions the teacher follows sent to be drawn, and a bounded memory of recent sessions'
// events so that a session picked later is drawn from its start. Everything else is in the host's trace file
// only: the host's memory stays bounded however many sessions the class makes.

import type { HostMessage } from '../../core/api/labApi';
import { SessionAttribution } from '../../core/trace/sessionAttribution';
import { foldSessionEvent, newSessionSummary, type SessionSummary } from '../../core/trace/sessionSummary';
import type { TraceEvent } from '../../core/trace/traceEvent';

export interface ClassroomOptions {
  /** The host session (watchServer's id) the messages are about. */
  readonly sessionId: string;
  readonly push: (message: HostMessage) => void;
  /** Until the page picks, the first sessions are followed by themselves (one student's client is drawn at once). */
  readonly autoFollow?: number;
  /** Ended sessions whose events are kept, newest first, for a late pick (default 100). */
  readonly keepEndedSessions?: number;
  /** One session's events kept (a long one keeps its latest: at least this many, at most a quarter more). */
  readonly maxEventsPerSession?: number;
  /** All kept sessions' events together at most: past it, the oldest sessions not followed lose theirs (ended ones first). */
  readonly maxKeptEvents?: number;
  /** Session lines kept for the list at most (the oldest ended go first). */
  readonly maxSessions?: number;
  /** How often changed lines are sent (ms). */
  readonly rowsEveryMs?: number;
}

interface Kept {
  summary: SessionSummary;
  events: TraceEvent[];
  ended: boolean;
  /** Its events were let go (the total budget): none is kept for it any more (the trace file has them). */
  forgotten: boolean;
  conns: Set<string>;
}

export const DEFAULT_AUTO_FOLLOW = 4;

/**
 * What the host keeps by default. Measured (bench/classroomRetained.ts, node --expose-gc): a kept event retains
 * about 320 bytes of heap, a session's line about 1.1 KB. So 150,000 events and 10,000 lines are at most ~46 + ~10
 * MiB (400,000 events were ~123 MiB: too much beside Chromium on a teacher's laptop, for late picks of live sessions
 * that a class of fifty makes a few hundred events each). A session keeps 10,000 to 12,500 of its latest events: the
 * MAX_FOLLOWED sessions at that cap (100,000) stay within the budget, and one newly followed fits a page's outbox
 * (20,000 events) whole.
 */
export const CLASSROOM_BUDGET = { maxEventsPerSession: 10_000, maxKeptEvents: 150_000, maxSessions: 10_000, keepEndedSessions: 100 } as const;

export class Classroom {
  readonly #options: Required<ClassroomOptions>;
  readonly #sessions = new Map<number, Kept>();
  /** Which session a connection belongs to: a few events (a FIN seen from the other end) name only their connection. */
  readonly #attribution = new SessionAttribution();
  readonly #followed = new Set<number>();
  #picked = false;
  #total = 0;
  readonly #changed = new Set<number>();
  /** Ended sessions that still keep their events, oldest first. */
  #endedWithEvents: number[] = [];
  /** Events kept over all sessions. */
  #keptEvents = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: ClassroomOptions) {
    this.#options = {
      autoFollow: DEFAULT_AUTO_FOLLOW,
      ...CLASSROOM_BUDGET,
      rowsEveryMs: 250,
      ...options,
    };
    this.#timer = setInterval(() => this.#sendRows(), this.#options.rowsEveryMs);
    this.#timer.unref?.();
  }

  get followed(): readonly number[] {
    return [...this.#followed];
  }

  /** Events kept over all sessions, counted afresh (for tests and the bench: what the budget bounds). */
  get keptEvents(): number {
    let n = 0;
    for (const kept of this.#sessions.values()) n += kept.events.length;
    return n;
  }

  /** Session lines kept for the list. */
  get sessionLines(): number {
    return this.#sessions.size;
  }

  /** One recorded event of the watched server. */
  observe(event: TraceEvent): void {
    const number = this.#attribution.sessionOf(event);
    if (number === undefined) return;
    let kept = this.#sessions.get(number);
    if (!kept) {
      kept = { summary: newSessionSummary({ ...event, session: number }), events: [], ended: false, forgotten: false, conns: new Set() };
      this.#sessions.set(number, kept);
      this.#total += 1;
      if (!this.#picked && this.#followed.size < this.#options.autoFollow) this.#followed.add(number);
    }
    if ('conn' in event && event.conn) kept.conns.add(event.conn);
    kept.summary = foldSessionEvent(kept.summary, event);
    if (!kept.forgotten) {
      kept.events.push(event);
      this.#keptEvents += 1;
      // Trimmed in chunks (a quarter of the cap at a time): one splice per event at the cap would copy the whole array each time.
      const max = this.#options.maxEventsPerSession;
      if (kept.events.length > max + Math.ceil(max / 4)) {
        const excess = kept.events.length - max;
        kept.events.splice(0, excess);
        this.#keptEvents -= excess;
      }
    }
    if (!kept.ended && kept.summary.phase === 'closed') {
      kept.ended = true;
      if (kept.forgotten) this.#forgetEvents(number);
      else this.#endedWithEvents.push(number);
      this.#forgetOld();
    }
    if (this.#keptEvents > this.#options.maxKeptEvents) this.#keepToBudget();
    this.#changed.add(number);
    if (this.#followed.has(number)) this.#options.push({ type: 'trace.event', sessionId: this.#options.sessionId, event });
  }

  /**
   * The page picked these sessions: it is sent what is kept of the ones it was not following (merged into its trace
   * in seq order), told which it no longer follows (it removes their events), and then sent theirs as they come. The
   * first pick replaces the page's picture whole (until then it drew the sessions followed by themselves).
   */
  follow(sessions: readonly number[]): void {
    const first = !this.#picked;
    this.#picked = true;
    const before = new Set(this.#followed);
    this.#followed.clear();
    // A session named twice is sent once.
    for (const n of sessions) this.#followed.add(n);
    const sessionId = this.#options.sessionId;
    if (first) this.#options.push({ type: 'trace.events', sessionId, events: this.#keptOf([...this.#followed]), replace: true });
    else {
      const added = [...this.#followed].filter((n) => !before.has(n));
      const dropSessions = [...before].filter((n) => !this.#followed.has(n));
      this.#options.push({ type: 'trace.events', sessionId, events: this.#keptOf(added), dropSessions });
    }
    this.#sendRows(true);
    // Sessions no longer followed may be past their time: they are forgotten now.
    this.#forgetOld();
    if (this.#keptEvents > this.#options.maxKeptEvents) this.#keepToBudget();
  }

  /**
   * Everything the page should draw now: the followed sessions' kept events, in seq order (a resync after events
   * were skipped); undefined once closed (nothing is kept any more).
   */
  followedEvents(): TraceEvent[] | undefined {
    return this.#closed ? undefined : this.#keptOf([...this.#followed]);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#sendRows();
    this.#sessions.clear();
    this.#attribution.clear();
  }

  #keptOf(sessions: readonly number[]): TraceEvent[] {
    return sessions.flatMap((n) => this.#sessions.get(n)?.events ?? []).sort((a, b) => a.seq - b.seq);
  }

  #sendRows(always = false): void {
    if (this.#changed.size === 0 && !always) return;
    const sessions = [...this.#changed].flatMap((n) => {
      const kept = this.#sessions.get(n);
      return kept ? [kept.summary] : [];
    });
    this.#changed.clear();
    this.#options.push({ type: 'classroom.sessions', sessionId: this.#options.sessionId, sessions, total: this.#total, followed: [...this.#followed] });
  }

  /** Ended sessions beyond the kept number lose their events (not a followed one); beyond the list's size, the oldest ended lose their line too. */
  #forgetOld(): void {
    // The followed ones do not count, and keep their place in the list (oldest first): once unfollowed, they go first.
    let excess = this.#endedWithEvents.filter((n) => !this.#followed.has(n)).length - this.#options.keepEndedSessions;
    if (excess > 0) {
      const stay: number[] = [];
      for (const n of this.#endedWithEvents) {
        if (excess > 0 && !this.#followed.has(n)) {
          this.#forgetEvents(n);
          excess -= 1;
        } else stay.push(n);
      }
      this.#endedWithEvents = stay;
    }
    if (this.#sessions.size <= this.#options.maxSessions) return;
    // Sessions are numbered in order and a Map keeps insertion order: the first ended ones are the oldest.
    let dropped = false;
    for (const [n, kept] of this.#sessions) {
      if (this.#sessions.size <= this.#options.maxSessions) break;
      if (kept.ended && !this.#followed.has(n)) {
        this.#forgetEvents(n);
        this.#sessions.delete(n);
        dropped = true;
      }
    }
    // A line let go is no longer among the ended sessions keeping events (a followed one can be, past its time).
    if (dropped) this.#endedWithEvents = this.#endedWithEvents.filter((n) => this.#sessions.has(n));
  }

  /**
   * Over the total budget: the sessions not followed let their events go, the ended ones first, each oldest first
   * (the followed ones alone, MAX_FOLLOWED of them at their cap, stay well within the default budget).
   */
  #keepToBudget(): void {
    const ended = new Set(this.#endedWithEvents);
    const order = [...this.#endedWithEvents, ...[...this.#sessions.keys()].filter((n) => !ended.has(n))];
    for (const n of order) {
      if (this.#keptEvents <= this.#options.maxKeptEvents) break;
      if (this.#followed.has(n)) continue;
      this.#forgetEvents(n);
      this.#sessions.get(n)!.forgotten = true;
    }
    this.#endedWithEvents = this.#endedWithEvents.filter((n) => this.#sessions.get(n)?.forgotten !== true);
  }

  /** A session's kept events let go (its line stays; an ended one's connections are no longer looked up). */
  #forgetEvents(n: number): void {
    const kept = this.#sessions.get(n);
    if (!kept) return;
    this.#keptEvents -= kept.events.length;
    kept.events = [];
    if (kept.ended) {
      this.#attribution.forget(kept.conns);
      kept.conns.clear();
    }
  }
}
