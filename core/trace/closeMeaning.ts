// What a connection's close means in the protocol, from the close reason recorded with the FIN or RST.
// One source for the transcript, the diagram's close badges and every export.

import type { CloseReason, Side, TraceEvent } from './traceEvent';

const meanings: Record<CloseReason, string> = {
  eof: 'end of file in STREAM mode (RFC 959 §3.4.1)',
  abort: 'the transfer was aborted (ABOR, RFC 959 §4.1.3)',
  quit: 'the session ended (RFC 959 §3.2, condition 4)',
  reset: 'the connection was not needed after all',
  replaced: 'a new PORT/PASV replaced it (RFC 959 §3.2, condition 3)',
  error: 'an error ended it (RFC 959 §3.2, condition 5)',
  foreign: 'it came from a foreign address (RFC 2577 §4)',
  'peer-closed': 'closing its side after the peer closed (RFC 959 §5.2)',
  shutdown: 'the server is shutting down (RFC 959 §4.2: 421, closing control connection)',
  limit: 'the server takes no more sessions now (a limit its operator set): 421 instead of 220 (RFC 959 §5.4)',
};

export function closeMeaning(reason: CloseReason | undefined): string {
  return reason ? meanings[reason] : 'no reason recorded';
}

/** A badge line such as "client closed: EOF in STREAM mode". */
export function closeBadge(side: Side, kind: 'fin' | 'rst', reason: CloseReason | undefined): string {
  const verb = kind === 'rst' ? 'reset' : 'closed';
  const short: Record<CloseReason, string> = {
    eof: 'EOF in STREAM mode',
    abort: 'ABOR',
    quit: 'session ended',
    reset: 'not needed',
    replaced: 'replaced by a new PORT/PASV',
    error: 'error',
    foreign: 'foreign address',
    'peer-closed': 'answering the peer’s close',
    shutdown: 'server shutting down',
    limit: 'too many sessions',
  };
  return `${side} ${verb}${reason ? `: ${short[reason]}` : ''}`;
}

/** The sides whose sockets are in this trace (one in serve mode, two when both ran here). */
export function observedSides(events: readonly TraceEvent[]): Set<Side> {
  const sides = new Set<Side>();
  for (const e of events) {
    if (e.type === 'ftp.command' || e.type === 'ftp.reply' || e.type === 'tcp.connect' || e.type === 'tcp.accept') sides.add(e.side);
  }
  return sides;
}
