// One line about one FTP session of a server that several clients use at once (a watched server in class):
// who the client is, who it logged in as, what it is doing, how many bytes moved, the last reply, and what went
// wrong. Folded event by event from the trace (the events that carry this `session` number), so a host can keep
// one small summary per session instead of the session's events.

import { endpointText } from './endpointText';
import type { TraceEvent } from './traceEvent';

/** What the session is doing, in a teacher's words (the order is the usual life of a session). */
export type SessionPhase = 'connected' | 'logging in' | 'logged in' | 'transferring' | 'closing' | 'closed';

export interface SessionSummary {
  readonly session: number;
  /** The client's address as the server accepted it ('127.0.0.1:40512'). */
  readonly client: string;
  /** The name given with USER (the password is never kept). */
  readonly user?: string;
  readonly phase: SessionPhase;
  /** Bytes on the session's data connections, both directions. */
  readonly bytes: number;
  /** The last command the client sent ('STOR up.txt'; PASS as masked in the trace). */
  readonly lastCommand?: string;
  /** The last reply, code and first line ('226 Transfer complete (9 bytes).'). */
  readonly lastReply?: string;
  /** 4yz replies, resets and refused connections: something failed and may work if tried again (RFC 959 §4.2). */
  readonly errors: number;
  /** 5yz replies: the server refused the command (wrong password, no such file) (RFC 959 §4.2). */
  readonly refusals: number;
  /** Events recorded for this session. */
  readonly events: number;
  /** When the session began and when it was last heard of (the trace's milliseconds). */
  readonly firstT: number;
  readonly lastT: number;
}

/** The reply codes that move a session on, by meaning (RFC 959 §4.2): 230 logged in, 331/332 more login needed, 221 closing. */
const LOGGED_IN = 230;
const LOGIN_NEEDS_MORE = new Set([331, 332]);
const CLOSING = 221;
/** The commands that open a transfer on the data connection (RFC 959 §4.1.3). */
const TRANSFER_VERBS = new Set(['RETR', 'STOR', 'STOU', 'APPE', 'LIST', 'NLST', 'MLSD']);

/** A session's summary before any of its events (`first` is the event that names the session). */
export function newSessionSummary(first: TraceEvent & { session: number }): SessionSummary {
  return { session: first.session, client: '', phase: 'connected', bytes: 0, errors: 0, refusals: 0, events: 0, firstT: first.t, lastT: first.t };
}

/** The summary after one more of the session's events (a new value; the old one is unchanged). */
export function foldSessionEvent(summary: SessionSummary, event: TraceEvent): SessionSummary {
  const next = { ...summary, events: summary.events + 1, lastT: event.t } as { -readonly [K in keyof SessionSummary]: SessionSummary[K] };
  switch (event.type) {
    case 'tcp.accept':
      if (event.channel === 'control') next.client = endpointText(event.remote);
      break;
    case 'ftp.command':
      next.lastCommand = event.line;
      if (event.verb === 'USER') {
        next.user = event.line.slice(5).trim();
        next.phase = 'logging in';
      } else if (event.verb === 'QUIT') next.phase = 'closing';
      else if (TRANSFER_VERBS.has(event.verb) && next.phase === 'logged in') next.phase = 'transferring';
      break;
    case 'ftp.reply': {
      next.lastReply = `${event.code} ${event.lines[0] ?? ''}`.trim();
      const kind = Math.floor(event.code / 100);
      if (kind === 4) next.errors += 1;
      if (kind === 5) next.refusals += 1;
      if (event.code === LOGGED_IN) next.phase = 'logged in';
      else if (LOGIN_NEEDS_MORE.has(event.code)) next.phase = 'logging in';
      else if (event.code === CLOSING) next.phase = 'closing';
      // A transfer's last reply (226, 250, or a 4yz/5yz that ends it) leaves the session logged in.
      else if (next.phase === 'transferring' && kind !== 1) next.phase = 'logged in';
      break;
    }
    case 'data.transfer':
      next.bytes += event.bytes;
      break;
    case 'tcp.rst':
    case 'tcp.refused':
      next.errors += 1;
      break;
    case 'tcp.close':
      if (event.channel === 'control') next.phase = 'closed';
      break;
    default:
      break;
  }
  return next;
}

/** Whether the session had anything go wrong: the list highlights it. */
export function sessionHadTrouble(summary: SessionSummary): boolean {
  return summary.errors > 0 || summary.refusals > 0;
}
