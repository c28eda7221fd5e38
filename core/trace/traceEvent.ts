// The trace's event types: everything observed on the sockets and in the machines, in one timeline.
// Contract (design.md): seq, t, type, side on every event; channel and conn on connection events.

export type Side = 'client' | 'server';
export type Channel = 'control' | 'data';
export type Direction = 'sent' | 'received';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

interface Base {
  /** Position in the trace, strictly increasing from 1. */
  readonly seq: number;
  /** Milliseconds since the session started, from one clock for both sides. */
  readonly t: number;
  /** The side that acted or observed (for tcp.fin and tcp.rst: the side that sent it). */
  readonly side: Side;
  /** Which session of a server this belongs to (serve mode records several). */
  readonly session?: number;
}

interface ConnectionBase extends Base {
  readonly channel: Channel;
  readonly conn: string;
}

export interface TcpListenEvent extends Base {
  readonly type: 'tcp.listen';
  readonly channel: Channel;
  readonly listener: string;
  readonly local: Endpoint;
}

export interface TcpConnectEvent extends ConnectionBase {
  readonly type: 'tcp.connect';
  readonly local: Endpoint;
  readonly remote: Endpoint;
}

export interface TcpAcceptEvent extends ConnectionBase {
  readonly type: 'tcp.accept';
  readonly listener?: string;
  readonly local: Endpoint;
  readonly remote: Endpoint;
}

/** A connection refused or never made: connect failed, or accepted from a foreign address and dropped. */
export interface TcpRefusedEvent extends Base {
  readonly type: 'tcp.refused';
  readonly channel: Channel;
  readonly conn?: string;
  readonly local?: Endpoint;
  readonly remote?: Endpoint;
  readonly reason: string;
}

/** A FIN: `side` sent it; `dir` says whether the sender recorded sending it or the peer recorded receiving it. */
export interface TcpFinEvent extends ConnectionBase {
  readonly type: 'tcp.fin';
  readonly dir: Direction;
  /** Why it was sent, in the protocol's terms: 'eof' (STREAM mode end of file), 'abort', 'quit', ... */
  readonly reason?: CloseReason;
}

export interface TcpRstEvent extends ConnectionBase {
  readonly type: 'tcp.rst';
  readonly dir: Direction;
  readonly reason?: CloseReason;
}

/** The socket is fully closed on `side` (both directions finished, or destroyed). */
export interface TcpCloseEvent extends ConnectionBase {
  readonly type: 'tcp.close';
}

export interface FtpCommandEvent extends ConnectionBase {
  readonly type: 'ftp.command';
  readonly dir: Direction;
  readonly verb: string;
  /** The line as it crossed the wire, without CRLF (PASS masked unless the user opted in). */
  readonly line: string;
}

export interface FtpReplyEvent extends ConnectionBase {
  readonly type: 'ftp.reply';
  readonly dir: Direction;
  readonly code: number;
  readonly lines: readonly string[];
}

/** A summary of one transfer on a data connection: counts, never the payload. */
export interface DataTransferEvent extends ConnectionBase {
  readonly type: 'data.transfer';
  readonly dir: Direction;
  /** Bytes on the wire (after TYPE A conversion; in BLOCK, COMPRESSED and record mode the framing counts too). */
  readonly bytes: number;
  /** The file's bytes as they travelled, without the framing: present only where they differ from `bytes`. */
  readonly fileBytes?: number;
  readonly mode: TransferMode;
  readonly representation: Representation;
  /** false when the transfer was cut short (ABOR, a dropped connection). */
  readonly complete: boolean;
  readonly durationMs: number;
  readonly command?: string;
  /** BLOCK/COMPRESSED: the data connection stays open after the transfer (959 §3.3). */
  readonly keptOpen?: boolean;
}

/**
 * A control unit decoded from (or encoded into) the data in BLOCK or COMPRESSED mode, or STREAM mode
 * with record structure: the explicit end of file, a restart marker, an end of record. The bytes are
 * the header or escape exactly as on the wire, in hex ('40 00 00', '00 40', 'FF 02').
 */
export interface DataMarkerEvent extends ConnectionBase {
  readonly type: 'data.marker';
  readonly dir: Direction;
  readonly marker: 'eof' | 'restart' | 'eor';
  readonly hex: string;
  /** The restart marker's text (959 §3.5). */
  readonly value?: string;
  /** Payload bytes of this transfer before the marker. */
  readonly offset: number;
  readonly mode: TransferMode;
}

export interface StateEvent extends Base {
  readonly type: 'state';
  readonly machine: 'client' | 'server' | 'data';
  readonly from: string;
  readonly to: string;
  readonly event: string;
}

/** Something the session host wants a reader to know that is not a socket or machine event. */
export interface NoteEvent extends Base {
  readonly type: 'note';
  readonly text: string;
}

export type TransferMode = 'S' | 'B' | 'C';
export type Representation = 'A' | 'I';
export type CloseReason = 'eof' | 'abort' | 'quit' | 'reset' | 'error' | 'foreign' | 'peer-closed' | 'replaced' | 'shutdown' | 'limit';

export type TraceEvent =
  | TcpListenEvent
  | TcpConnectEvent
  | TcpAcceptEvent
  | TcpRefusedEvent
  | TcpFinEvent
  | TcpRstEvent
  | TcpCloseEvent
  | FtpCommandEvent
  | FtpReplyEvent
  | DataTransferEvent
  | DataMarkerEvent
  | StateEvent
  | NoteEvent;

export type TraceEventType = TraceEvent['type'];

/** An event as a recorder is given it: seq and t are the recorder's to assign. */
export type TraceEventInput = TraceEvent extends infer E ? (E extends TraceEvent ? Omit<E, 'seq' | 't'> : never) : never;

export interface TraceMeta {
  readonly createdAt: string;
  readonly tool: string;
  readonly title?: string;
  readonly scenario?: string;
  readonly server?: Endpoint;
  readonly passwordsMasked: boolean;
  readonly [key: string]: unknown;
}

export interface TraceFile {
  readonly format: 'ftp-lab-trace';
  readonly version: 1;
  readonly meta: TraceMeta;
  readonly events: readonly TraceEvent[];
}
