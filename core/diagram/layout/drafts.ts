// The layout's drafts: what layoutTrace decides (which events take which rows, each data connection's
// span) and hands to placeMarks, which positions them. Types only, shared by the two.

import type {
  DataMarkerEvent,
  DataTransferEvent,
  FtpCommandEvent,
  FtpReplyEvent,
  NoteEvent,
  Side,
  StateEvent,
  TcpAcceptEvent,
  TcpStateEvent,
  TcpConnectEvent,
  TcpFinEvent,
  TcpListenEvent,
  TcpUnlistenEvent,
  TcpRefusedEvent,
  TcpRstEvent,
  TraceEvent,
} from '../../trace/traceEvent';

interface DraftBase {
  /** The row (for a connection: the row its span starts at). */
  readonly step: number;
  readonly seqs: number[];
  /** The receiver's records merged into this mark. */
  readonly peers: TraceEvent[];
  /**
   * A diagram up to a step: the receiver's record of this message when it comes after that step. Only where the
   * arrow lands is taken from it (on the time axis the arrow keeps the slant the whole diagram gives it, instead of
   * tilting once the record is reached); the mark does not show the record.
   */
  inFlight?: TraceEvent;
}

export type Draft =
  | (DraftBase & { readonly kind: 'message'; readonly event: FtpCommandEvent | FtpReplyEvent })
  | (DraftBase & { readonly kind: 'connect'; readonly event: TcpConnectEvent | TcpAcceptEvent })
  | (DraftBase & { readonly kind: 'listen'; readonly event: TcpListenEvent | TcpUnlistenEvent })
  | (DraftBase & { readonly kind: 'fin'; readonly event: TcpFinEvent })
  | (DraftBase & { readonly kind: 'rst'; readonly event: TcpRstEvent })
  | (DraftBase & { readonly kind: 'refused'; readonly event: TcpRefusedEvent })
  | (DraftBase & { readonly kind: 'transfer'; readonly event: DataTransferEvent; stepFrom: number })
  | (DraftBase & { readonly kind: 'marker'; readonly event: DataMarkerEvent })
  | (DraftBase & { readonly kind: 'note'; readonly event: NoteEvent; readonly lines?: readonly string[]; readonly rows: number })
  | (DraftBase & { readonly kind: 'state'; readonly event: StateEvent })
  | (DraftBase & { readonly kind: 'connection'; readonly span: Span })
  | (DraftBase & { readonly kind: 'kernel-state'; readonly band: KernelBand });

/**
 * One end's kernel state from the row it began at (`step`) to the row the next began at. States that follow one
 * another within one row (FIN_WAIT_1 then FIN_WAIT_2) share the band: the last is shown, the others are `passed`.
 */
export interface KernelBand {
  /** Stable across layouts: the end and the seq of the band's first tcp.state event. */
  readonly id: string;
  event: TcpStateEvent;
  /** When the band's first state was read (the time axis starts the band there, not at its row's time). */
  readonly readAt: number;
  readonly passed: string[];
  stepTo: number;
  /** When the next state was read (the band ends there on the time axis); none while it is open at the end. */
  endReadAt?: number;
  readonly openAtStart: boolean;
  openAtEnd: boolean;
}

/** A data connection's life as the rows see it. */
export interface Span {
  readonly conn: string;
  readonly colour: number;
  stepFrom: number;
  lastFinStep: number;
  lastCloseStep: number;
  openAtStart: boolean;
  /** True once both sides sent FIN, one sent RST, or every observed side closed its socket. */
  finished: boolean;
  readonly finSides: Set<Side>;
  closes: number;
  /** Whether a connection mark for it is among the drafts (in range). */
  drawn: boolean;
  readonly seqs: number[];
}

export interface RowRecord {
  readonly seqs: number[];
  readonly ts: number[];
  /** Rows with lines under their event (the TCP layer's segments): how many, by step. */
  readonly lines: Map<number, number>;
}
