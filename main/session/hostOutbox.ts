// What one page is sent, and when: host messages gathered into numbered batches (HostBatch), a few in flight at a
// time, the next one only after the page acknowledges having taken one in (the `ack` request). A page that falls
// behind (fifty clients at once) slows the flow; the outbox never holds more than a bounded number of events for
// it: beyond that it drops the newest and says how many (trace.skipped) — the host's trace file keeps them all.
// Both transports use it: the browser host's WebSocket (main/web/apiSocket.ts) and Electron's IPC (main/electron/ipc.ts).

import type { HostBatch, HostMessage } from '../../core/api/labApi';
import type { SessionSummary } from '../../core/trace/sessionSummary';
import type { TraceEvent } from '../../core/trace/traceEvent';

export interface HostOutboxOptions {
  /**
   * Hands one batch to the transport; false when it could not deliver it (the page is gone, or not the app's):
   * such a batch is not waited for — no ack will ever come for it.
   */
  readonly send: (batch: HostBatch) => boolean;
  /** Batches sent and not yet acknowledged before the outbox waits for the page (default 2). */
  readonly window?: number;
  /** Events held for the page at most (default 20,000: a few MiB); more are dropped and counted. */
  readonly maxQueuedEvents?: number;
  /** Events in one batch at most (default 2,000), so one batch is one frame's work for the page. */
  readonly maxBatchEvents?: number;
  /** How long messages gather before a batch goes (default 40 ms: a page redraws at most 25 times a second for a busy host, well within a second of live). */
  readonly gatherMs?: number;
}

type EventsMessage = Extract<HostMessage, { type: 'trace.events' }>;
/** A queued entry: a group of one session's events (grown while it is the last entry), or any other message. */
type Entry = { kind: 'events'; message: { sessionId: string; events: TraceEvent[]; replace: boolean } } | { kind: 'other'; message: HostMessage };

export class HostOutbox {
  readonly #options: Required<HostOutboxOptions>;
  #queue: Entry[] = [];
  #queuedEvents = 0;
  /** The watched servers' session lines waiting to go: only the latest line of each session is sent. */
  readonly #rows = new Map<string, { total: number; followed: number[]; sessions: Map<number, SessionSummary> }>();
  /** Events dropped per host session since the page was last told. */
  readonly #skipped = new Map<string, number>();
  #sent = 0;
  #acked = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: HostOutboxOptions) {
    this.#options = { window: 2, maxQueuedEvents: 20_000, maxBatchEvents: 2_000, gatherMs: 40, ...options };
  }

  /** Events waiting for the page (the bound the host's memory for it keeps to). */
  get queuedEvents(): number {
    return this.#queuedEvents;
  }

  push(message: HostMessage): void {
    if (this.#closed) return;
    switch (message.type) {
      case 'trace.event':
        this.#addEvents(message.sessionId, [message.event], false);
        break;
      case 'trace.events':
        this.#addEvents(message.sessionId, message.events, message.replace === true);
        break;
      case 'classroom.sessions': {
        const rows = this.#rows.get(message.sessionId) ?? { total: 0, followed: [], sessions: new Map<number, SessionSummary>() };
        rows.total = message.total;
        rows.followed = message.followed;
        for (const row of message.sessions) rows.sessions.set(row.session, row);
        this.#rows.set(message.sessionId, rows);
        break;
      }
      case 'gate.state':
        // Only what the gate holds now matters: an older report of the same session still waiting is replaced.
        this.#queue = this.#queue.filter((e) => !(e.kind === 'other' && e.message.type === 'gate.state' && e.message.sessionId === message.sessionId));
        this.#queue.push({ kind: 'other', message });
        break;
      default:
        this.#queue.push({ kind: 'other', message });
    }
    this.#schedule();
  }

  /** The page has taken in batch `n` (acks count up; a late or repeated one changes nothing). */
  ack(n: number): void {
    if (n > this.#acked && n <= this.#sent) this.#acked = n;
    this.#schedule();
  }

  /**
   * The page has loaded again (a reload): batches sent to the page before can no longer be acknowledged, so none
   * is in flight any more.
   */
  pageLoaded(): void {
    this.#acked = this.#sent;
    this.#schedule();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#queue = [];
    this.#queuedEvents = 0;
    this.#rows.clear();
  }

  #addEvents(sessionId: string, events: readonly TraceEvent[], replace: boolean): void {
    if (replace) {
      // Everything the page should draw of this session: what was still waiting for it is superseded.
      this.#queue = this.#queue.filter((e) => {
        if (e.kind !== 'events' || e.message.sessionId !== sessionId) return true;
        this.#queuedEvents -= e.message.events.length;
        return false;
      });
      this.#skipped.delete(sessionId);
    }
    const room = Math.max(0, this.#options.maxQueuedEvents - this.#queuedEvents);
    const taken = events.length <= room ? events : events.slice(0, room);
    if (taken.length < events.length) this.#skipped.set(sessionId, (this.#skipped.get(sessionId) ?? 0) + events.length - taken.length);
    if (taken.length === 0 && !replace) return;
    const last = this.#queue[this.#queue.length - 1];
    if (!replace && last?.kind === 'events' && last.message.sessionId === sessionId) last.message.events.push(...taken);
    else this.#queue.push({ kind: 'events', message: { sessionId, events: [...taken], replace } });
    this.#queuedEvents += taken.length;
  }

  #schedule(): void {
    if (this.#closed || this.#timer !== undefined) return;
    if (this.#sent - this.#acked >= this.#options.window) return;
    if (this.#queue.length === 0 && this.#rows.size === 0 && this.#skipped.size === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
      this.#schedule();
    }, this.#options.gatherMs);
  }

  #flush(): void {
    const messages: HostMessage[] = [];
    for (const [sessionId, rows] of this.#rows)
      messages.push({ type: 'classroom.sessions', sessionId, total: rows.total, followed: rows.followed, sessions: [...rows.sessions.values()] });
    this.#rows.clear();
    let budget = this.#options.maxBatchEvents;
    while (this.#queue.length > 0) {
      const entry = this.#queue[0]!;
      if (entry.kind === 'other') {
        messages.push(entry.message);
        this.#queue.shift();
        continue;
      }
      if (budget === 0) break;
      const { sessionId, events, replace } = entry.message;
      // A replacing group goes whole (it is the page's new start); others are cut to the batch's size.
      const part = replace || events.length <= budget ? events : events.splice(0, budget);
      if (part === events) this.#queue.shift();
      budget = Math.max(0, budget - part.length);
      this.#queuedEvents -= part.length;
      messages.push({ type: 'trace.events', sessionId, events: part, ...(replace ? { replace: true } : {}) } satisfies EventsMessage);
    }
    // Told once the queue has room again, after the events that did fit.
    if (this.#queue.length === 0) {
      for (const [sessionId, events] of this.#skipped) messages.push({ type: 'trace.skipped', sessionId, events });
      this.#skipped.clear();
    }
    if (messages.length === 0) return;
    // Counted before it goes (a page may acknowledge it before send returns), and taken back when it did not go:
    // a dropped batch will never be acknowledged (its messages are lost with the page that was not there).
    this.#sent += 1;
    if (!this.#options.send({ type: 'host.batch', batch: this.#sent, messages })) this.#sent -= 1;
  }
}
