// The two ends of a connection: the other one, and which one put a recorded thing on the wire.

import type { Side, TraceEvent } from './traceEvent';

export const otherSide = (side: Side): Side => (side === 'client' ? 'server' : 'client');

/**
 * A FIN or RST names its sender in `side` on both ends' records; every other two-ended record (command,
 * reply, data, marker) names the side that recorded it, so a received one was sent by the other side.
 */
export function wireSender(event: Extract<TraceEvent, { dir: 'sent' | 'received' }>): Side {
  if (event.type === 'tcp.fin' || event.type === 'tcp.rst' || event.dir === 'sent') return event.side;
  return otherSide(event.side);
}

/** The side whose trace has this record: a received FIN or RST names its sender in `side`, so the other side recorded it. */
export function recordedBy(event: TraceEvent): Side {
  if ((event.type === 'tcp.fin' || event.type === 'tcp.rst') && event.dir === 'received') return otherSide(event.side);
  return event.side;
}
