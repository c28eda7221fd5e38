// A watched server with a class of clients: one line per FTP session for the page's list (core/trace/sessionSummary),
// the events of the few sessions the teacher follows sent to be drawn, and a bounded memory of recent sessions'
// events so that a session picked later is drawn from its start. Everything else is in the host's trace file
// only: the host's memory stays bounded however many sessions the class makes.

import type { HostMessage } from '../../core/api/labApi';
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
  /** One session's events kept at most (a long one keeps its latest). */
  readonly maxEventsPerSession?: number;
  /** Session lines kept for the list at most (the oldest ended go first). */
  readonly maxSessions?: number;
  /** How often changed lines are sent (ms). */
  readonly rowsEveryMs?: number;
}

interface Kept {
  summary: SessionSummary;
  events: TraceEvent[];
  ended: boolean;
  conns: Set<string>;
}

export const DEFAULT_AUTO_FOLLOW = 4;

export class Classroom {
  readonly #options: Required<ClassroomOptions>;
  readonly #sessions = new Map<number, Kept>();
  /** Which session a connection belongs to: a few events (a FIN seen from the other end) name only their connection. */
  readonly #connSession = new Map<string, number>();
  readonly #followed = new Set<number>();
  #picked = false;
  #total = 0;
  readonly #changed = new Set<number>();
  /** Ended sessions that still keep their events, oldest first. */
  #endedWithEvents: number[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: ClassroomOptions) {
    this.#options = { autoFollow: DEFAULT_AUTO_FOLLOW, keepEndedSessions: 100, maxEventsPerSession: 20_000, maxSessions: 10_000, rowsEveryMs: 250, ...options };
    this.#timer = setInterval(() => this.#sendRows(), this.#options.rowsEveryMs);
    this.#timer.unref?.();
  }

  get followed(): readonly number[] {
    return [...this.#followed];
  }

  /** One recorded event of the watched server. */
  observe(event: TraceEvent): void {
    const number = event.session ?? ('conn' in event && event.conn ? this.#connSession.get(event.conn) : undefined);
    if (number === undefined) return;
    let kept = this.#sessions.get(number);
    if (!kept) {
      kept = { summary: newSessionSummary({ ...event, session: number }), events: [], ended: false, conns: new Set() };
      this.#sessions.set(number, kept);
      this.#total += 1;
      if (!this.#picked && this.#followed.size < this.#options.autoFollow) this.#followed.add(number);
    }
    if ('conn' in event && event.conn && !kept.conns.has(event.conn)) {
      kept.conns.add(event.conn);
      this.#connSession.set(event.conn, number);
    }
    kept.summary = foldSessionEvent(kept.summary, event);
    kept.events.push(event);
    if (kept.events.length > this.#options.maxEventsPerSession) kept.events.splice(0, kept.events.length - this.#options.maxEventsPerSession);
    if (!kept.ended && kept.summary.phase === 'closed') {
      kept.ended = true;
      this.#endedWithEvents.push(number);
      this.#forgetOld();
    }
    this.#changed.add(number);
    if (this.#followed.has(number)) this.#options.push({ type: 'trace.event', sessionId: this.#options.sessionId, event });
  }

  /** The page picked these sessions: it is sent what is kept of them, in order, and then theirs as they come. */
  follow(sessions: readonly number[]): void {
    this.#picked = true;
    this.#followed.clear();
    for (const n of sessions) this.#followed.add(n);
    const events = sessions.flatMap((n) => this.#sessions.get(n)?.events ?? []).sort((a, b) => a.seq - b.seq);
    this.#options.push({ type: 'trace.events', sessionId: this.#options.sessionId, events, replace: true });
    this.#sendRows(true);
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#sendRows();
    this.#sessions.clear();
    this.#connSession.clear();
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
    while (this.#endedWithEvents.length > this.#options.keepEndedSessions) {
      const n = this.#endedWithEvents.shift()!;
      const kept = this.#sessions.get(n);
      if (!kept || this.#followed.has(n)) continue;
      kept.events = [];
      for (const conn of kept.conns) this.#connSession.delete(conn);
      kept.conns.clear();
    }
    if (this.#sessions.size <= this.#options.maxSessions) return;
    // Sessions are numbered in order and a Map keeps insertion order: the first ended ones are the oldest.
    for (const [n, kept] of this.#sessions) {
      if (this.#sessions.size <= this.#options.maxSessions) break;
      if (kept.ended && !this.#followed.has(n)) this.#sessions.delete(n);
    }
  }
}
