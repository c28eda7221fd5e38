// Which FTP session of a watched server an event belongs to: its own `session`, or, for an event that names only its
// connection, the session that connection was first seen with. One rule for the host's classroom (what it keeps and
// sends) and the page (what it removes when a session is followed no more), so the two never disagree.

import type { TraceEvent } from './traceEvent';

const connOf = (event: TraceEvent): string | undefined => ('conn' in event && event.conn ? event.conn : undefined);

/** Learns connections from events seen in seq order (connection ids are never reused within a trace: traceRecorder). */
export class SessionAttribution {
  readonly #connSession = new Map<string, number>();

  /** The event's session, if it can be told; an event with both a session and a connection ties the two. */
  sessionOf(event: TraceEvent): number | undefined {
    const conn = connOf(event);
    if (event.session !== undefined) {
      if (conn !== undefined && !this.#connSession.has(conn)) this.#connSession.set(conn, event.session);
      return event.session;
    }
    return conn === undefined ? undefined : this.#connSession.get(conn);
  }

  /** Connections no longer looked up (an ended session let go): their later events belong to no session. */
  forget(conns: Iterable<string>): void {
    for (const conn of conns) this.#connSession.delete(conn);
  }

  clear(): void {
    this.#connSession.clear();
  }
}

/** The events (in seq order) without those of `sessions`, attributed as the classroom attributes them. */
export function withoutSessions(events: readonly TraceEvent[], sessions: ReadonlySet<number>): TraceEvent[] {
  const attribution = new SessionAttribution();
  return events.filter((event) => {
    const session = attribution.sessionOf(event);
    return session === undefined || !sessions.has(session);
  });
}
