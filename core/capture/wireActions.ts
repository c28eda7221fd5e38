// What crossed the wire, once each, read from a trace: connections opened, bytes sent (the control lines as
// they were, the data as counts), FINs and RSTs, in the trace's order. A trace of both sides records most
// of these twice (the sender's record and the receiver's); a one-sided trace once.

import { formatReply } from '../protocol/replyParser';
import { encodeUtf8 } from '../protocol/utf8';
import { otherSide, recordedBy, wireSender } from '../trace/sides';
import type { Channel, Endpoint, Side, TraceEvent } from '../trace/traceEvent';

interface ActionBase {
  /** The connection: its trace id, with the session's number in a server's trace of several. */
  readonly key: string;
  /** The seq of each record of this action (one per side that recorded it), first one first. */
  readonly records: readonly number[];
  /** When the first record was made (milliseconds since the session started). */
  readonly t: number;
  /** What it is, in a few words, for a reader of the packets. */
  readonly summary: string;
}

export interface ConnectionOpened extends ActionBase {
  readonly kind: 'open';
  readonly channel: Channel;
  /** A data connection: the command that set it up, the last PORT, PASV, EPRT or EPSV of its session before it. */
  readonly setUpBy?: string;
  readonly initiator: { readonly side: Side; readonly endpoint: Endpoint };
  readonly acceptor: { readonly side: Side; readonly endpoint: Endpoint };
}

export interface BytesSent extends ActionBase {
  readonly kind: 'bytes';
  readonly channel: Channel;
  readonly from: Side;
  /** The bytes themselves (control lines), or only how many there were (data: the trace keeps counts). */
  readonly content: { readonly bytes: Uint8Array } | { readonly count: number };
  /** When the sending began: a data transfer's record says how long it took; a line goes at once. */
  readonly startT: number;
}

export interface ConnectionEnded extends ActionBase {
  readonly kind: 'fin' | 'rst';
  readonly from: Side;
}

export type WireAction = ConnectionOpened | BytesSent | ConnectionEnded;

export interface WireActions {
  readonly actions: readonly WireAction[];
  /** What the trace has but the wire cannot be rebuilt from, one sentence each. */
  readonly omitted: readonly string[];
  /** Bytes recorded after the FIN or RST of their own sender, put before it (a receiver that recorded the close first). */
  readonly bytesMoved: number;
}

type TwoEnded = Extract<TraceEvent, { dir: 'sent' | 'received' }>;

const connectionKey = (event: { conn: string; session?: number | undefined }): string =>
  event.session === undefined ? event.conn : `${event.session}:${event.conn}`;

/** The commands that set up a data connection (959 §4.1.2, 2428 §2-3): active (the server connects) or passive. */
const DATA_SETUP_COMMANDS = new Set(['PORT', 'PASV', 'EPRT', 'EPSV']);

/** Which stream of a connection a two-ended record belongs to: the k-th record of a kind from one sender is one action. */
const streamKind = { 'ftp.command': 'line', 'ftp.reply': 'line', 'data.transfer': 'data', 'tcp.fin': 'fin', 'tcp.rst': 'rst' } as const;

/**
 * A reply as the server put it on the wire (959 §4.2). A line of a hand-made trace may hold CR or LF, which no
 * real reply line can (the parser splits there): such a character is written as a space.
 */
const replyBytes = (code: number, lines: readonly string[]): Uint8Array =>
  encodeUtf8(
    formatReply(
      code,
      lines.map((line) => line.replace(/[\r\n]/g, ' ')),
    ),
  );

function summaryOf(event: TwoEnded): string {
  switch (event.type) {
    case 'ftp.command':
      return event.line;
    case 'ftp.reply':
      return `${event.code} ${event.lines.join(' / ')}`;
    case 'data.transfer':
      return `${event.command ? `${event.command}: ` : ''}MODE ${event.mode}, TYPE ${event.representation}${event.complete ? '' : ', cut short'}`;
    case 'tcp.fin':
    case 'tcp.rst':
      return `${event.type === 'tcp.fin' ? 'FIN' : 'RST'} from the ${event.side}${event.reason ? ` (${event.reason})` : ''}`;
    default:
      return event.type;
  }
}

/** The record's action when it is the first of its pair. */
function firstRecord(event: TwoEnded, key: string, from: Side): WireAction | undefined {
  const base = { key, records: [event.seq], t: event.t, summary: summaryOf(event) };
  switch (event.type) {
    case 'ftp.command':
      return { ...base, kind: 'bytes', channel: event.channel, from, content: { bytes: encodeUtf8(`${event.line}\r\n`) }, startT: event.t };
    case 'ftp.reply':
      return { ...base, kind: 'bytes', channel: event.channel, from, content: { bytes: replyBytes(event.code, event.lines) }, startT: event.t };
    case 'data.transfer':
      return { ...base, kind: 'bytes', channel: event.channel, from, content: { count: event.bytes }, startT: Math.max(0, event.t - event.durationMs) };
    case 'tcp.fin':
    case 'tcp.rst':
      return { ...base, kind: event.type === 'tcp.fin' ? 'fin' : 'rst', from };
    default:
      return undefined;
  }
}

/**
 * The same action seen from the other end. Counts differ only for data cut short: the sender counts what it
 * handed to its socket, some of which its kernel dropped when it closed (the abort scenario), the receiver
 * what arrived, which is what crossed the wire.
 */
function secondRecord(action: WireAction, event: TwoEnded): WireAction {
  const records = [...action.records, event.seq];
  if (action.kind === 'bytes' && event.type === 'data.transfer' && event.dir === 'received') return { ...action, records, content: { count: event.bytes } };
  return { ...action, records };
}

/**
 * A side sends nothing after its own FIN or RST, so bytes of its own recorded after one on the same connection
 * crossed the wire before it: they go just before it, ending no later than it. Only a receiver records so, one
 * that sees the close before it has counted the bytes (a server's upload cut off by the client's RST).
 */
function bytesBeforeTheirClose(actions: WireAction[]): number {
  let moved = 0;
  for (let i = 0; i < actions.length; i++) {
    const close = actions[i]!;
    if (close.kind !== 'fin' && close.kind !== 'rst') continue;
    const late = actions.slice(i + 1).filter((a): a is BytesSent => a.kind === 'bytes' && a.key === close.key && a.from === close.from);
    if (late.length === 0) continue;
    const rest = actions.slice(i + 1).filter((a) => !late.includes(a as BytesSent));
    const early = late.map((a) => ({ ...a, t: Math.min(a.t, close.t), startT: Math.min(a.startT, close.t) }));
    actions.splice(i, actions.length - i, ...early, close, ...rest);
    i += early.length;
    moved += early.length;
  }
  return moved;
}

/** The trace's wire actions in its order (each at its first record), with what had to be left out. */
export function wireActions(events: readonly TraceEvent[]): WireActions {
  const actions: WireAction[] = [];
  const omitted: string[] = [];
  const opened = new Map<string, ConnectionOpened>();
  /** The actions of each stream (connection, kind, sender), in order, and how many of them each recorder has seen. */
  const streams = new Map<string, { actions: number[]; seen: Record<Side, number> }>();
  /** The last data-setup command of each session. */
  const setUp = new Map<number | undefined, string>();

  for (const event of events) {
    if (event.type === 'ftp.command' && DATA_SETUP_COMMANDS.has(event.verb.toUpperCase())) setUp.set(event.session, event.verb.toUpperCase());
    if (event.type === 'tcp.connect' || event.type === 'tcp.accept') {
      const key = connectionKey(event);
      const known = opened.get(key);
      if (known) {
        const index = actions.indexOf(known);
        const merged = { ...known, records: [...known.records, event.seq] };
        actions[index] = merged;
        opened.set(key, merged);
        continue;
      }
      // connect: this side opened it, from local to remote; accept: the peer did.
      const here = { side: event.side, endpoint: event.local };
      const there = { side: otherSide(event.side), endpoint: event.remote };
      const [initiator, acceptor] = event.type === 'tcp.connect' ? [here, there] : [there, here];
      const setUpBy = event.channel === 'data' ? setUp.get(event.session) : undefined;
      const action: ConnectionOpened = {
        kind: 'open',
        key,
        records: [event.seq],
        t: event.t,
        summary: `${event.channel} connection ${event.conn}, opened by the ${initiator.side}${setUpBy ? ` after ${setUpBy}` : ''}`,
        channel: event.channel,
        ...(setUpBy ? { setUpBy } : {}),
        initiator,
        acceptor,
      };
      opened.set(key, action);
      actions.push(action);
      continue;
    }
    if (event.type === 'tcp.refused') {
      if (!event.local || !event.remote) {
        omitted.push(`#${event.seq} ${event.reason}: the trace does not hold both ends of that attempt, so it is not shown`);
        continue;
      }
      // Accepted by the kernel, then reset by the side that recorded it (a connection from the wrong peer).
      const key = `refused@${event.seq}`;
      const base = { key, records: [event.seq], t: event.t };
      const refuser = { side: event.side, endpoint: event.local };
      const peer = { side: otherSide(event.side), endpoint: event.remote };
      actions.push({
        ...base,
        kind: 'open',
        channel: event.channel,
        initiator: peer,
        acceptor: refuser,
        summary: `a ${event.channel} connection the ${event.side} refused`,
      });
      actions.push({ ...base, kind: 'rst', from: event.side, summary: event.reason });
      continue;
    }
    // Own keys only: an unknown event type may be named like an Object property ('constructor').
    if (!Object.hasOwn(streamKind, event.type) || !('dir' in event)) continue;
    const twoEnded = event as TwoEnded;
    const key = connectionKey(twoEnded);
    const from = wireSender(twoEnded);
    const streamKey = `${key}|${streamKind[twoEnded.type as keyof typeof streamKind]}|${from}`;
    let stream = streams.get(streamKey);
    if (!stream) streams.set(streamKey, (stream = { actions: [], seen: { client: 0, server: 0 } }));
    const k = stream.seen[recordedBy(twoEnded)]++;
    const index = stream.actions[k];
    if (index !== undefined) {
      actions[index] = secondRecord(actions[index]!, twoEnded);
      continue;
    }
    const action = firstRecord(twoEnded, key, from);
    if (!action) continue;
    stream.actions.push(actions.length);
    actions.push(action);
  }
  const bytesMoved = bytesBeforeTheirClose(actions);
  return { actions, omitted, bytesMoved };
}
