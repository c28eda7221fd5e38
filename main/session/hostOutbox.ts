// What one page is sent, and when: host messages gathered into numbered batches (HostBatch), a few in flight at a
// time, the next one only after the page acknowledges having taken one in (the `ack` request). A page that falls
// behind (fifty clients at once) slows the flow; the outbox never holds more than a bounded number of events for
// it: beyond that it drops the newest and, once it has room again, asks their source for everything the page should
// draw (a resync: trace.events with replace) and says how many were skipped (trace.skipped).
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
  /**
   * Where a host session's events can be had again (LabHost.resyncSource), asked when the outbox first drops some
   * of that session's events; none: the page is only told how many it lacks.
   */
  readonly resyncSource?: (sessionId: string) => ResyncSource | undefined;
}

/**
 * Everything the page should draw of one host session now, in seq order; undefined once that can no longer be told
 * (the watched server was stopped). Held only while a drop is waiting to be made good.
 */
export type ResyncSource = () => readonly TraceEvent[] | undefined;

/** Events held for one page at most, by default (HostOutboxOptions.maxQueuedEvents). */
export const DEFAULT_MAX_QUEUED_EVENTS = 20_000;

type EventsMessage = Extract<HostMessage, { type: 'trace.events' }>;
/** A group of one session's events as queued: `replace` and `dropSessions` as in its trace.events message. */
interface EventsGroup {
  sessionId: string;
  events: TraceEvent[];
  replace: boolean;
  dropSessions?: number[];
}
/** A queued entry: a group of one session's events (grown while it is the last entry), or any other message. */
type Entry = { kind: 'events'; message: EventsGroup } | { kind: 'other'; message: HostMessage };

export class HostOutbox {
  readonly #options: Required<HostOutboxOptions>;
  #queue: Entry[] = [];
  #queuedEvents = 0;
  /** The watched servers' session lines waiting to go: only the latest line of each session is sent. */
  readonly #rows = new Map<string, { total: number; followed: number[]; sessions: Map<number, SessionSummary> }>();
  /** Events dropped per host session since the page was last told, and where they can be had again. */
  readonly #skipped = new Map<string, { events: number; source: ResyncSource | undefined }>();
  #sent = 0;
  #acked = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: HostOutboxOptions) {
    this.#options = { window: 2, maxQueuedEvents: DEFAULT_MAX_QUEUED_EVENTS, maxBatchEvents: 2_000, gatherMs: 40, resyncSource: () => undefined, ...options };
  }

  /** Events waiting for the page (the bound the host's memory for it keeps to). */
  get queuedEvents(): number {
    return this.#queuedEvents;
  }

  push(message: HostMessage): void {
    if (this.#closed) return;
    switch (message.type) {
      case 'trace.event':
        this.#addEvents({ sessionId: message.sessionId, events: [message.event], replace: false });
        break;
      case 'trace.events':
        this.#addEvents({
          sessionId: message.sessionId,
          events: message.events,
          replace: message.replace === true,
          ...(message.dropSessions ? { dropSessions: message.dropSessions } : {}),
        });
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

  #addEvents(group: EventsGroup): void {
    const { sessionId, events, replace } = group;
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
    if (taken.length < events.length) this.#skip(sessionId, events.length - taken.length);
    // A group that changes what the page follows goes even empty (the page removes the sessions it names).
    const reshapes = replace || group.dropSessions !== undefined;
    if (taken.length === 0 && !reshapes) return;
    // Plain events join the group before them (after its removals, as the page applies them); a reshaping group
    // never joins one: the events queued before it must reach the page before it removes sessions.
    const last = this.#queue[this.#queue.length - 1];
    if (!reshapes && last?.kind === 'events' && last.message.sessionId === sessionId) last.message.events.push(...taken);
    else this.#queue.push({ kind: 'events', message: { ...group, events: [...taken] } });
    this.#queuedEvents += taken.length;
  }

  #skip(sessionId: string, events: number): void {
    const skipped = this.#skipped.get(sessionId);
    if (skipped) skipped.events += events;
    else this.#skipped.set(sessionId, { events, source: this.#options.resyncSource(sessionId) });
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
      const { sessionId, events, replace, dropSessions } = entry.message;
      // A replacing group goes whole (it is the page's new start); others are cut to the batch's size, the sessions
      // to remove going with the first part.
      const part = replace || events.length <= budget ? events : events.splice(0, budget);
      if (part === events) this.#queue.shift();
      else delete entry.message.dropSessions;
      budget = Math.max(0, budget - part.length);
      this.#queuedEvents -= part.length;
      messages.push({
        type: 'trace.events',
        sessionId,
        events: part,
        ...(replace ? { replace: true } : {}),
        ...(dropSessions ? { dropSessions } : {}),
      } satisfies EventsMessage);
    }
    // Once the queue has room again, after the events that did fit: what the page lacks is sent again whole, from
    // its source (every event pushed so far has been sent or dropped, so the source's events are exactly the page's
    // due), with the count. It goes in this batch, whole, as a replacing group would.
    if (this.#queue.length === 0) {
      for (const [sessionId, { events, source }] of this.#skipped) {
        const all = source?.();
        if (all) messages.push({ type: 'trace.events', sessionId, events: [...all], replace: true });
        messages.push({ type: 'trace.skipped', sessionId, events, ...(all ? { resynced: true } : {}) });
      }
      this.#skipped.clear();
    }
    if (messages.length === 0) return;
    // Counted before it goes (a page may acknowledge it before send returns), and taken back when it did not go:
    // a dropped batch will never be acknowledged (its messages are lost with the page that was not there).
    this.#sent += 1;
    if (!this.#options.send({ type: 'host.batch', batch: this.#sent, messages })) this.#sent -= 1;
  }
}
