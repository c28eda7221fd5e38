// Which side put a recorded thing on the wire. A FIN or RST names its sender in `side` on both ends' records;
// every other two-ended record (command, reply, data, marker) names the side that recorded it.

import type { Side, TraceEvent } from './traceEvent';

export function wireSender(event: Extract<TraceEvent, { dir: 'sent' | 'received' }>): Side {
  if (event.type === 'tcp.fin' || event.type === 'tcp.rst' || event.dir === 'sent') return event.side;
  return event.side === 'client' ? 'server' : 'client';
}
