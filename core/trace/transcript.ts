// A readable transcript of a trace: each wire message once (as its sender saw it), C→S / S→C marked,
// and what each data-connection event means.

import { printable } from '../protocol/printable';
import { byteCountText, markerOffsetText } from './byteCounts';
import { closeMeaning, observedSides } from './closeMeaning';
import type { CloseReason, Side, TraceEvent } from './traceEvent';
import { kernelStateMeaning } from './kernelStateMeaning';
import { otherSide, wireSender } from './sides';
import { transferModes } from '../protocol/transferModes';

const arrow = (from: Side) => (from === 'client' ? 'C→S' : 'S→C');
const at = (e: { host: string; port: number }) => `${e.host}:${e.port}`;

/**
 * Turns events into transcript lines one at a time (live, as a session runs). It remembers which
 * connections it has announced: client and server each record the same TCP connection, and the
 * transcript names it once, at whichever record came first.
 */
export class TranscriptWriter {
  readonly #announced = new Set<string>();

  constructor(private readonly sides: Set<Side>) {}

  line(event: TraceEvent): string | undefined {
    if (event.type === 'tcp.connect' || event.type === 'tcp.accept') {
      if (this.#announced.has(event.conn)) return undefined;
      this.#announced.add(event.conn);
      return connectionLine(event);
    }
    return transcriptLine(event, this.sides);
  }
}

function connectionLine(event: Extract<TraceEvent, { type: 'tcp.connect' | 'tcp.accept' }>): string {
  // Whoever recorded it first, the initiator is the connecting side.
  const initiator = event.type === 'tcp.connect' ? event.side : otherSide(event.side);
  const from = event.type === 'tcp.connect' ? event.local : event.remote;
  const to = event.type === 'tcp.connect' ? event.remote : event.local;
  if (event.channel === 'control') return `      control connection ${event.conn}: ${initiator} ${at(from)} connects to ${at(to)}`;
  const how = initiator === 'server' ? 'active mode: the server connects' : 'passive mode: the client connects';
  return `      data connection ${event.conn} opened: ${initiator} ${at(from)} → ${otherSide(initiator)} ${at(to)} (${how})`;
}

/** One line for an event, or undefined for events a transcript leaves out (states, duplicates). */
function transcriptLine(event: TraceEvent, sides: Set<Side>): string | undefined {
  // A message recorded at both ends is shown once, from its sender; a one-sided trace shows what it has.
  const senderOf = (e: TraceEvent & { dir: 'sent' | 'received' }, from: Side) => (e.dir === 'sent' || !sides.has(from) ? true : false);
  switch (event.type) {
    case 'ftp.command':
      // The line as received may hold a bare CR or other controls: shown as escapes, never raw to a terminal.
      return senderOf(event, 'client') ? `${arrow('client')}  ${printable(event.line)}` : undefined;
    case 'ftp.reply': {
      if (!senderOf(event, 'server')) return undefined;
      const [first, ...rest] = event.lines;
      if (rest.length === 0) return `${arrow('server')}  ${event.code} ${first ?? ''}`;
      return [
        `${arrow('server')}  ${event.code}-${first ?? ''}`,
        ...rest.slice(0, -1).map((l) => `       ${l}`),
        `       ${event.code} ${rest[rest.length - 1]}`,
      ].join('\n');
    }
    case 'tcp.state':
      return event.state === 'CLOSED'
        ? `      ${event.conn}: the ${event.side}'s kernel holds nothing for it any more (CLOSED)`
        : `      ${event.conn}: the ${event.side}'s kernel holds it in ${event.state} (${kernelStateMeaning[event.state]})`;
    case 'tcp.unlisten':
      return `      ${event.side} stops listening on ${at(event.local)} (no connection came)`;
    case 'tcp.listen':
      return event.channel === 'data'
        ? `      ${event.side} listens on ${at(event.local)} for a data connection`
        : `      ${event.side} listens on ${at(event.local)}`;
    case 'tcp.refused':
      return `      ${event.channel} connection refused: ${event.reason}`;
    case 'tcp.fin':
      if (!senderOf(event, event.side)) return undefined;
      if (event.channel === 'control') return `      control connection ${event.conn} closed by ${event.side} (FIN)${controlCloseWhy(event.reason)}`;
      return `      data connection ${event.conn} closed by ${event.side} (FIN): ${closeMeaning(event.reason)}`;
    case 'tcp.rst':
      if (!senderOf(event, event.side)) return undefined;
      return `      ${event.channel} connection ${event.conn} reset by ${event.side} (RST): ${closeMeaning(event.reason)}`;
    case 'data.transfer': {
      if (event.dir !== 'sent' && sides.has(otherSide(event.side))) return undefined;
      const from = wireSender(event);
      const flow = `${from} → ${otherSide(from)}`;
      const status = (event.complete ? '' : ' — cut short') + (event.keptOpen ? '; the connection stays open' : '');
      return `      data ${event.conn}: ${byteCountText(event)} ${flow} (TYPE ${event.representation}, MODE ${event.mode}) in ${event.durationMs.toFixed(1)} ms${status}`;
    }
    case 'data.marker': {
      if (event.dir !== 'sent' && sides.has(otherSide(event.side))) return undefined;
      const from = wireSender(event);
      const hex = event.hex ? ` (${event.hex})` : '';
      if (event.marker === 'eof')
        return `      data ${event.conn}: EOF marker${hex} from ${from} ${markerOffsetText(event.offset)}: end of file in ${transferModes[event.mode].name} mode; the connection can stay open`;
      if (event.marker === 'restart') return `      data ${event.conn}: restart marker "${event.value ?? ''}" from ${from} ${markerOffsetText(event.offset)}`;
      return `      data ${event.conn}: end of record from ${from}`;
    }
    case 'note':
      return `      note: ${event.text}`;
    default:
      return undefined;
  }
}

/** Why a control connection closed, where the transcript says more than who: after QUIT, a limit, the server stopping. */
function controlCloseWhy(reason: CloseReason | undefined): string {
  if (reason === 'quit') return ' after QUIT';
  return reason === 'shutdown' || reason === 'limit' ? `: ${closeMeaning(reason)}` : '';
}

export function transcript(events: readonly TraceEvent[]): string[] {
  const writer = new TranscriptWriter(observedSides(events));
  return events.flatMap((e) => {
    const line = writer.line(e);
    return line === undefined ? [] : [line];
  });
}
