// The TCP segments each socket event stands for (RFC 9293 §3.5 opening, §3.6 closing): the one table the
// diagram's TCP layer draws its SYN / SYN-ACK / ACK and FIN / ACK arrows from. A live trace records socket
// events, not segments; a capture-imported trace records the same events from the segments it saw (a SYN
// becomes tcp.connect/tcp.accept, a FIN tcp.fin, a RST tcp.rst), so both feed these arrows alike.

import type { Side, TraceEvent } from './traceEvent';
import { otherSide } from './sides';

export type SegmentFlags = 'SYN' | 'SYN-ACK' | 'ACK' | 'FIN' | 'RST';

/** Who sends a segment: the end that opened (or closed, or reset) the connection, or the other end. */
export type SegmentSender = 'actor' | 'peer';

export interface ImpliedSegment {
  readonly flags: SegmentFlags;
  readonly sender: SegmentSender;
  readonly rfc: string;
  /** What the segment does, for its tooltip and detail. */
  readonly meaning: string;
}

/**
 * The socket events that stand for segments. The first row of each is drawn by the event's own mark (the
 * connect arrow is the SYN, the FIN arrow the FIN); the rest get arrows of their own under it. Every segment
 * after the SYN carries the ACK flag (RFC 9293 §3.1: once a connection is established the acknowledgment is
 * always sent), so the FIN is on the wire a FIN-ACK; each is named here by what it adds. The peer's kernel
 * acknowledges a FIN: with an ACK of its own (possibly delayed) or on its own FIN. An RST is not acknowledged
 * (RFC 9293 §3.5.2), so it stands alone.
 */
export const IMPLIED_SEGMENTS = {
  connect: [
    { flags: 'SYN', sender: 'actor', rfc: '9293 §3.5', meaning: 'asks to open the connection, with its initial sequence number' },
    { flags: 'SYN-ACK', sender: 'peer', rfc: '9293 §3.5', meaning: 'acknowledges the SYN and sends its own initial sequence number' },
    { flags: 'ACK', sender: 'actor', rfc: '9293 §3.5', meaning: 'acknowledges the SYN-ACK: both ends are ESTABLISHED' },
  ],
  fin: [
    { flags: 'FIN', sender: 'actor', rfc: '9293 §3.6', meaning: 'this end has no more to send' },
    {
      flags: 'ACK',
      sender: 'peer',
      rfc: '9293 §3.6',
      meaning: "the peer's kernel acknowledges the FIN (a separate ACK, possibly delayed, or on its own FIN)",
    },
  ],
  rst: [{ flags: 'RST', sender: 'actor', rfc: '9293 §3.5.2', meaning: 'aborts the connection; nothing answers it' }],
} as const satisfies Record<string, readonly ImpliedSegment[]>;

export type SegmentTrigger = keyof typeof IMPLIED_SEGMENTS;

/** A segment placed: who sends it. */
export interface SegmentOf extends ImpliedSegment {
  readonly from: Side;
}

/**
 * The segments a socket event stands for, with their senders: `actor` is the side that connected (for a
 * connect or accept, `initiator`), sent the FIN or sent the RST. Other events stand for none.
 */
export function segmentsOf(event: TraceEvent, initiator?: Side): readonly SegmentOf[] {
  const place = (trigger: SegmentTrigger, actor: Side) =>
    IMPLIED_SEGMENTS[trigger].map((s) => ({ ...s, from: s.sender === 'actor' ? actor : otherSide(actor) }));
  switch (event.type) {
    case 'tcp.connect':
      return place('connect', initiator ?? event.side);
    case 'tcp.accept':
      return place('connect', initiator ?? otherSide(event.side));
    case 'tcp.fin':
      return place('fin', event.side);
    case 'tcp.rst':
      return place('rst', event.side);
    default:
      return [];
  }
}
