// The positioned sequence-diagram model: plain, JSON-serialisable data that every painter draws.
// layoutTrace() makes it from a trace; the on-screen D3 diagram and every export draw this one model,
// so what a teacher projects and what a student exports never disagree.

import type { ReplyClass } from '../../protocol/replyCodes';
import type { Channel, CloseReason, KernelTcpState, Representation, Side, TransferMode } from '../../trace/traceEvent';
import type { KernelStateTone } from '../../trace/kernelStateMeaning';
import type { SegmentFlags } from '../../trace/tcpSegments';

/** The four lifelines, left to right: client PI, client DTP, server DTP, server PI (RFC 959 §2.3 model). */
export type LaneId = 'client' | 'client-data' | 'server-data' | 'server';

export interface Lane {
  readonly id: LaneId;
  /** The lifeline's centre. */
  readonly x: number;
  /** 'Client PI', 'Client DTP', ... */
  readonly title: string;
  /** The endpoint seen on this lane: the control endpoint, or the data ports seen ('127.0.0.1 ports 37497, 37500'). */
  readonly subtitle: string;
}

/** Each data connection gets its own colour index (0, 1, ...; painters cycle a palette); control is 'control'. */
export type ConnectionColour = number | 'control';

export type TextAnchor = 'start' | 'middle' | 'end';

export type MarkKind =
  | 'message'
  | 'connect'
  | 'listen'
  | 'fin'
  | 'rst'
  | 'refused'
  | 'close-badge'
  | 'transfer'
  | 'marker'
  | 'connection'
  | 'note'
  | 'state'
  | 'segment'
  | 'kernel-state';

interface MarkBase {
  /** Stable across layouts of the same trace: derived from the trace seq ('e42', 'e42-badge') or the connection ('conn-D1'). */
  readonly id: string;
  readonly kind: MarkKind;
  /** Row index, from 0. Marks that do not take a row of their own (badges, spans) carry the row they belong to. */
  readonly step: number;
  /** The row's y (for spans and bands: where they start). */
  readonly y: number;
  /** The trace events this mark stands for (the sender's record first, then the receiver's). */
  readonly seqs: number[];
  /** The mark's accessible name, a sentence a screen reader can say. */
  readonly ariaLabel: string;
  readonly channel?: Channel;
  readonly conn?: string;
  readonly colour?: ConnectionColour;
  /** The RFC section that governs this step, e.g. '959 §4.1.3'. */
  readonly rfc?: string;
  /** Raw facts for the hover/click detail: the line, bytes, timestamps (t), ... */
  readonly detail: Record<string, string>;
}

/** An arrow from one lane to another on the mark's row, with its label positioned above it. */
export interface ArrowGeometry {
  readonly fromLane: LaneId;
  readonly toLane: LaneId;
  readonly x1: number;
  readonly x2: number;
  /**
   * Where the arrow lands: the mark's y on the step axis; on the time axis, lower by the time the message took
   * (its receiver's record after its sender's), so the arrow slants from the sender's record to the receiver's. Flat where one end was recorded.
   */
  readonly yEnd: number;
  /** The label as drawn (shortened with '…' to fit between the lanes; the full text is in detail). */
  readonly label: string;
  readonly labelX: number;
  readonly labelY: number;
  readonly labelAnchor: TextAnchor;
}

export interface MessageMark extends MarkBase, ArrowGeometry {
  readonly kind: 'message';
  readonly message: 'command' | 'reply';
  readonly verb?: string;
  readonly code?: number;
  readonly replyClass?: ReplyClass;
}

export interface ConnectMark extends MarkBase, ArrowGeometry {
  readonly kind: 'connect';
  readonly initiator: Side;
  /** 'active': the server connects to the client (PORT/EPRT); 'passive': the client connects (PASV/EPSV). */
  readonly how: 'control' | 'active' | 'passive';
}

export interface ListenMark extends MarkBase {
  readonly kind: 'listen';
  readonly lane: LaneId;
  readonly x: number;
  readonly label: string;
  readonly labelX: number;
  readonly labelY: number;
  readonly labelAnchor: TextAnchor;
}

export interface FinMark extends MarkBase, ArrowGeometry {
  readonly kind: 'fin';
  readonly sender: Side;
  readonly reason?: CloseReason;
}

export interface RstMark extends MarkBase, ArrowGeometry {
  readonly kind: 'rst';
  readonly sender: Side;
  readonly reason?: CloseReason;
}

export interface RefusedMark extends MarkBase, ArrowGeometry {
  readonly kind: 'refused';
  readonly initiator: Side;
  readonly reason: string;
}

/**
 * Text beside a FIN/RST ("client closed: EOF in STREAM mode"), a kept-open transfer ("stays open: BLOCK
 * mode, EOF marker sent") or a transfer cut short ("cut short after 4194304 bytes").
 */
export interface CloseBadgeMark extends MarkBase {
  readonly kind: 'close-badge';
  /** The id of the fin, rst or transfer mark it explains. */
  readonly of: string;
  readonly tone: 'closed' | 'reset' | 'open' | 'cut';
  readonly text: string;
  /** The words as drawn: `text` on one line, or wrapped where the lanes leave less room (one line under another). */
  readonly lines: readonly string[];
  readonly x: number;
  readonly labelY: number;
  readonly anchor: TextAnchor;
}

/** One transfer: a band between the two data lanes from the transfer's start row to its end row, and an arrow on the end row. */
export interface TransferMark extends MarkBase, ArrowGeometry {
  readonly kind: 'transfer';
  /** The side that sent the bytes. */
  readonly from: Side;
  readonly direction: 'client-to-server' | 'server-to-client';
  /** Wire bytes; `fileBytes` where framing makes the file's own count differ. */
  readonly bytes: number;
  readonly fileBytes?: number;
  readonly durationMs: number;
  readonly mode: TransferMode;
  readonly representation: Representation;
  readonly complete: boolean;
  readonly keptOpen: boolean;
  readonly stepFrom: number;
  readonly stepTo: number;
  readonly band: { readonly x1: number; readonly x2: number; readonly y1: number; readonly y2: number };
}

/** An EOF marker, restart marker or end of record inside the data (BLOCK/COMPRESSED headers, record escapes). */
export interface MarkerMark extends MarkBase, ArrowGeometry {
  readonly kind: 'marker';
  readonly marker: 'eof' | 'restart' | 'eor';
  /** The header or escape as on the wire, '40 00 00'; may be empty. */
  readonly hex: string;
  readonly value?: string;
  readonly offset: number;
  readonly from: Side;
}

/** A data connection's life: a span on both data lanes from its connect row to its close row. */
export interface ConnectionMark extends MarkBase {
  readonly kind: 'connection';
  readonly conn: string;
  readonly colour: number;
  readonly stepFrom: number;
  readonly stepTo: number;
  readonly x1: number;
  readonly x2: number;
  readonly y1: number;
  readonly y2: number;
  /** Opened before the laid-out range (or its connect was not recorded). */
  readonly openAtStart: boolean;
  /** Still open at the end of the laid-out range. */
  readonly openAtEnd: boolean;
  readonly label: string;
}

export interface NoteMark extends MarkBase {
  readonly kind: 'note';
  /** The note on one line, cut to fit between the control lanes. */
  readonly text: string;
  /** The lines to draw in its box: `text` alone, or the note wrapped (LayoutOptions.wrapNotes). */
  readonly lines: readonly string[];
  /** How many rows its box spans (one, unless it wraps onto more lines than a row holds). */
  readonly rows: number;
  readonly x1: number;
  readonly x2: number;
}

export interface StateMark extends MarkBase {
  readonly kind: 'state';
  readonly machine: 'client' | 'server' | 'data';
  readonly lane: LaneId;
  readonly x: number;
  readonly from: string;
  readonly to: string;
  readonly event: string;
  readonly label: string;
  readonly labelX: number;
  readonly labelY: number;
  readonly labelAnchor: TextAnchor;
}

/**
 * The TCP layer (LayoutOptions.tcp): a segment under the socket event that stands for it (core/trace/tcpSegments.ts):
 * the SYN-ACK and ACK under a connect (whose own arrow is then the SYN), the ACK under a FIN. On a line of its own
 * within the event's row, which is taller by one line per segment (Row.extra).
 */
export interface SegmentMark extends MarkBase, ArrowGeometry {
  readonly kind: 'segment';
  readonly flags: SegmentFlags;
  readonly sender: Side;
  /** The id of the connect or FIN mark whose event it follows from. */
  readonly of: string;
}

/**
 * One end's kernel TCP state (LayoutOptions.kernelStates), as its own OS reported it in tcp.state events: a thin band
 * beside the end's lane from the step it began to the step the next one began, and the state's name at its top.
 */
export interface KernelStateMark extends MarkBase {
  readonly kind: 'kernel-state';
  readonly lane: LaneId;
  readonly side: Side;
  readonly state: KernelTcpState;
  readonly tone: KernelStateTone;
  /** The band: a strip beside the lane, on the side facing the middle. */
  readonly x: number;
  readonly y1: number;
  readonly y2: number;
  readonly stepFrom: number;
  readonly stepTo: number;
  /** Entered before the laid-out range. */
  readonly openAtStart: boolean;
  /** Still the end's state at the end of the laid-out range. */
  readonly openAtEnd: boolean;
  readonly label: string;
  readonly labelX: number;
  readonly labelY: number;
  readonly labelAnchor: TextAnchor;
}

export type Mark =
  | MessageMark
  | ConnectMark
  | ListenMark
  | FinMark
  | RstMark
  | RefusedMark
  | CloseBadgeMark
  | TransferMark
  | MarkerMark
  | ConnectionMark
  | NoteMark
  | StateMark
  | SegmentMark
  | KernelStateMark;

/** A row of the diagram: one shown trace event. */
export interface Row {
  readonly step: number;
  readonly y: number;
  /** The shown event's seq and time (ms since the session started). */
  readonly seq: number;
  readonly t: number;
  /** The margin label: the step number (from 1) on the step axis, the time on the time axis. */
  readonly label: string;
  /** How much taller than rowHeight the row is (the TCP layer's segment lines under its event); absent when not. */
  readonly extra?: number;
}

/** How the time axis turns time into height (timeScale.ts): in proportion, or on a log scale of each gap. */
export type TimeScale =
  | { readonly kind: 'linear'; readonly pxPerMs: number }
  /** A gap of t ms is the minimum gap plus pxPerDecade · log10(1 + t / unitMs) px tall. */
  | { readonly kind: 'log'; readonly unitMs: number; readonly pxPerDecade: number };

/** The time axis as drawn: what it says, a ruler of gap lengths, and each tall gap's length beside it. */
export interface TimeAxis {
  readonly scale: TimeScale;
  /** Said on the axis, in the margin beside the lane headers, one short line each: ['time ↓', 'log scale', 'of gaps']. */
  readonly caption: readonly string[];
  /** How tall a gap of each length is drawn: '0.1 ms', '1 ms', '10 ms', … */
  readonly ticks: readonly { readonly ms: number; readonly label: string; readonly height: number }[];
  /**
   * Where the ruler of ticks goes (beside the legend, or under it where the legend is too wide: legendLayout.ts):
   * x its left edge, y just under its heading; `box` holds the heading, the bars and their labels.
   */
  readonly ruler: { readonly x: number; readonly y: number; readonly box: Box };
  /** The gaps tall enough to say their length ('+45 ms') in the margin, between their rows' y. */
  readonly gaps: readonly { readonly y1: number; readonly y2: number; readonly label: string }[];
}

/** A rectangle of the diagram, from its top left corner. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LegendEntry {
  readonly conn: string;
  readonly colour: number;
  readonly label: string;
}

export interface DiagramModel {
  readonly width: number;
  readonly height: number;
  readonly lanes: Lane[];
  readonly marks: Mark[];
  /** How many rows. */
  readonly steps: number;
  readonly title: string;
  readonly legend: {
    /** Its left edge and its heading's baseline; its lines follow at LEGEND.line (legendLayout.ts). */
    readonly x: number;
    readonly y: number;
    /** All of it, from the heading's top to the last line, as wide as its widest line (estimated, textWidth.ts). */
    readonly box: Box;
    readonly connections: LegendEntry[];
    /** The kernel-states layer's colours, a line of the legend when it draws any (after the connections). */
    readonly kernelTones?: readonly { readonly tone: KernelStateTone; readonly label: string }[];
  };
  readonly axis: 'step' | 'time';
  /** On the time axis: its scale, caption, ruler and gap labels. */
  readonly timeAxis?: TimeAxis;
  readonly rows: Row[];
  readonly rowHeight: number;
  /** The lane header boxes' width (narrower than FRAME's when the lanes are closer together). */
  readonly laneBoxWidth: number;
  /** The lane header boxes sit above lifelines.y1; lifelines run from y1 to y2. */
  readonly lifelines: { readonly y1: number; readonly y2: number };
  /** The x of the right edge of the margin labels (step numbers or times). */
  readonly marginX: number;
  /** Sentences about a layer asked for that the trace cannot show (no kernel TCP states recorded), for the legend. */
  readonly layerNotes?: readonly string[];
}

/** Font sizes the layout assumes when it shortens labels (textWidth.ts estimates widths; no DOM measuring). */
export const FONT = {
  /** Wire text (commands, replies, arrow labels): monospace. */
  labelSize: 12,
  /** Badges, side labels, notes, states: sans-serif. Nothing in the diagram is smaller than 12 px at 1:1. */
  badgeSize: 12,
  noteSize: 12,
  /** The distance between the lines of a note that wraps. */
  noteLine: 16,
  /** The distance between the lines of a badge that wraps. */
  badgeLine: 15,
  stateSize: 12,
  /** The endpoints under each lane's title: monospace. */
  subtitleSize: 12,
  /** Step numbers or times in the margin. */
  rowLabelSize: 12,
  /** The legend's lines and the layers' notes under it. */
  legendSize: 12,
  /** A kernel TCP state's name beside its lane: monospace. */
  kernelStateSize: 12,
} as const;
