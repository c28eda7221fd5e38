// Lays a trace out as a sequence diagram: decides which events take a row (in trace order, each wire
// message once, from its sender), then positions every mark. Pure and deterministic; a fixed number of
// passes over the events and rows, so it stays linear for traces of any length.

import { observedSides } from '../../trace/closeMeaning';
import type {
  DataMarkerEvent,
  DataTransferEvent,
  FtpCommandEvent,
  FtpReplyEvent,
  Side,
  TcpFinEvent,
  TcpRstEvent,
  TcpStateEvent,
  TraceEvent,
} from '../../trace/traceEvent';
import type { DiagramModel, Row, TimeScale } from './diagramModel';
import type { Draft, KernelBand, RowRecord, Span } from './drafts';
import { IMPLIED_SEGMENTS } from '../../trace/tcpSegments';
import { LANE_GAP, placeModel } from './placeMarks';
import { lastAtOrBefore } from './timeScale';
import { surveyTrace } from './traceSurvey';
import { wireSender } from '../../trace/sides';
import { FONT } from './diagramModel';
import { wrapText } from './textWidth';

export interface LayoutOptions {
  /** One row per step (default), or rows spaced by the real time between them (timeScale.ts). */
  readonly axis?: 'step' | 'time';
  /** The time axis's scale, when it must match another layout's (a step-by-step view uses the whole session's). */
  readonly timeScale?: TimeScale;
  /**
   * With timeScale, the whole diagram's rows: a diagram up to a step draws an arrow whose receiver's record comes
   * later (still in flight) landing where the whole diagram lands it, so stepping never changes its slant.
   */
  readonly wholeRows?: readonly Row[];
  /** Only events with seq in [from, to] get marks; earlier events still tell which connections are open. */
  readonly range?: { readonly from: number; readonly to: number };
  /** Give machine state changes rows of their own (off by default: they double the rows). */
  readonly showStates?: boolean;
  readonly title?: string;
  readonly rowHeight?: number;
  /** The gap between a control lane and its data lane; the two data lanes are 1.4 gaps apart. */
  readonly laneGap?: number;
  /**
   * Notes wrap to this width (px, in the note font) inside one box, which spans as many rows as its lines
   * need. By default a note takes one row and is cut to fit.
   */
  readonly wrapNotes?: number;
  /**
   * Each end's kernel TCP state on its lane, from the trace's tcp.state events (a band per state; off by default).
   * A trace without them gets a sentence saying so (DiagramModel.layerNotes).
   */
  readonly kernelStates?: boolean;
  /**
   * The TCP layer: the segments each connect and FIN stands for (core/trace/tcpSegments.ts) as arrows of their own,
   * on extra lines of the event's row, so the step count stays the same with the layer on or off.
   */
  readonly tcp?: boolean;
}

/** The diagram's optional layers, as a view or an export asks for them. */
export type DiagramLayers = Pick<LayoutOptions, 'kernelStates' | 'tcp'>;

type WireEvent = FtpCommandEvent | FtpReplyEvent | TcpFinEvent | TcpRstEvent | DataTransferEvent | DataMarkerEvent;

/** Turns a trace (or a seq range of it) into a positioned diagram model. */
export function layoutTrace(events: readonly TraceEvent[], options: LayoutOptions = {}): DiagramModel {
  const sides = observedSides(events);
  const survey = surveyTrace(events);
  const from = options.range?.from ?? Number.NEGATIVE_INFINITY;
  const to = options.range?.to ?? Number.POSITIVE_INFINITY;
  const showStates = options.showStates ?? false;
  const rowHeight = options.rowHeight ?? 34;

  const rows: RowRecord = { seqs: [], ts: [], lines: new Map() };
  const tcp = options.tcp ?? false;
  const kernelStates = options.kernelStates ?? false;
  /** Each end's current kernel band (in range), or its last state before the range; by session, connection and side. */
  const kernelBands = new Map<string, KernelBand>();
  const kernelBefore = new Map<string, TcpStateEvent>();
  let kernelSeen = false;
  /** Running maximum of row times, so a time can be found by binary search. */
  const rowTMax: number[] = [];
  const drafts: Draft[] = [];
  const announced = new Set<string>();
  const connectDrafts = new Map<string, Draft>();
  const spans = new Map<string, Span>();
  const pairs = pairRecords(events, sides);
  const lastTransferEnd = new Map<string, number>();
  let started = false;

  const addRow = (e: TraceEvent): number => {
    const step = rows.seqs.length;
    rows.seqs.push(e.seq);
    rows.ts.push(e.t);
    rowTMax.push(Math.max(e.t, rowTMax[step - 1] ?? e.t));
    return step;
  };
  const lastRow = () => rows.seqs.length - 1;

  const kernelDrafts = new Map<KernelBand, Draft>();
  const openKernelBand = (key: string, e: TcpStateEvent, step: number, openAtStart: boolean) => {
    const band: KernelBand = { id: `kernel-${key}-${e.seq}`, event: e, readAt: e.t, passed: [], stepTo: step, openAtStart, openAtEnd: e.state !== 'CLOSED' };
    const draft: Draft = { kind: 'kernel-state', band, step, seqs: [e.seq], peers: [] };
    kernelDrafts.set(band, draft);
    drafts.push(draft);
    if (e.state !== 'CLOSED') kernelBands.set(key, band);
  };
  const findKernelDraft = (band: KernelBand): Draft => kernelDrafts.get(band)!;
  const draftStep = (band: KernelBand): number => findKernelDraft(band).step;

  const newSpan = (conn: string): Span => {
    const span: Span = {
      conn,
      colour: survey.colours.get(conn) ?? 0,
      stepFrom: -1,
      lastFinStep: -1,
      lastCloseStep: -1,
      openAtStart: false,
      finished: false,
      finSides: new Set(),
      closes: 0,
      drawn: false,
      seqs: [],
    };
    spans.set(conn, span);
    return span;
  };
  const drawSpan = (span: Span, stepFrom: number, openAtStart: boolean) => {
    span.stepFrom = stepFrom;
    span.openAtStart = openAtStart;
    span.drawn = true;
    drafts.push({ kind: 'connection', span, step: stepFrom, seqs: span.seqs, peers: [] });
  };
  /** The span of a data connection an in-range event refers to, drawn from here if its opening was not seen. */
  const spanInRange = (conn: string, step: number): Span => {
    const span = spans.get(conn) ?? newSpan(conn);
    if (!span.drawn) drawSpan(span, Math.max(0, step), true);
    return span;
  };
  const updateFinished = (span: Span) => {
    if (span.finSides.size >= 2 || span.closes >= Math.max(1, sides.size)) span.finished = true;
  };

  /** The last row at or before `t` among rows [0, before): where a transfer that started at `t` begins. */
  const rowAtTime = (t: number, before: number): number => lastAtOrBefore(rowTMax, t, before);

  const wire = (e: WireEvent, inRange: boolean) => {
    if (pairs.hidden.has(e.seq)) return;
    const step = inRange ? addRow(e) : -1;
    if (e.channel === 'data' && (e.type === 'tcp.fin' || e.type === 'tcp.rst')) {
      const span = inRange ? spanInRange(e.conn, step) : (spans.get(e.conn) ?? newSpan(e.conn));
      span.finSides.add(e.side);
      if (e.type === 'tcp.rst') span.finished = true;
      if (inRange) span.lastFinStep = step;
      updateFinished(span);
    }
    if (!inRange) return;
    if (tcp && e.type === 'tcp.fin') rows.lines.set(step, IMPLIED_SEGMENTS.fin.length - 1);
    const draft = wireDraft(e, step);
    for (const peer of pairs.peers.get(e.seq) ?? []) {
      if (peer.seq > to) {
        draft.inFlight ??= peer;
        continue;
      }
      draft.seqs.push(peer.seq);
      draft.peers.push(peer);
    }
    if (draft.kind === 'transfer') {
      // The band starts at the last row before the first byte moved, but not before the connection
      // opened or the previous transfer on it ended.
      const span = spanInRange(draft.event.conn, step);
      const start = rowAtTime(draft.event.t - draft.event.durationMs, step);
      const floor = Math.max(span.stepFrom, lastTransferEnd.get(draft.event.conn) ?? 0);
      draft.stepFrom = Math.min(step, Math.max(start, floor));
      lastTransferEnd.set(draft.event.conn, step);
    } else if (e.channel === 'data') {
      spanInRange(e.conn, step);
    }
    drafts.push(draft);
  };

  for (const e of events) {
    if (e.seq > to) break;
    const inRange = e.seq >= from;
    if (inRange && !started) {
      started = true;
      // Data connections opened before the range and still open: their spans start at the top.
      for (const span of spans.values()) if (!span.finished) drawSpan(span, 0, true);
      // So do the kernel states the ends were in.
      for (const [key, state] of kernelBefore) openKernelBand(key, state, 0, true);
    }
    switch (e.type) {
      case 'tcp.connect':
      case 'tcp.accept': {
        const span = e.channel === 'data' ? (spans.get(e.conn) ?? newSpan(e.conn)) : undefined;
        span?.seqs.push(e.seq);
        if (announced.has(e.conn)) {
          // The other end's record of the same connection: one arrow, at the first record.
          const first = connectDrafts.get(e.conn);
          if (first) {
            first.seqs.push(e.seq);
            first.peers.push(e);
          }
          break;
        }
        announced.add(e.conn);
        if (!inRange) break;
        const step = addRow(e);
        if (tcp) rows.lines.set(step, IMPLIED_SEGMENTS.connect.length - 1);
        const draft: Draft = { kind: 'connect', event: e, step, seqs: [e.seq], peers: [] };
        connectDrafts.set(e.conn, draft);
        drafts.push(draft);
        if (span && !span.drawn) drawSpan(span, step, false);
        break;
      }
      case 'ftp.command':
      case 'ftp.reply':
      case 'tcp.fin':
      case 'tcp.rst':
      case 'data.transfer':
      case 'data.marker':
        wire(e, inRange);
        break;
      case 'tcp.close': {
        if (e.channel !== 'data') break;
        const span = inRange ? spanInRange(e.conn, lastRow()) : (spans.get(e.conn) ?? newSpan(e.conn));
        span.closes += 1;
        span.seqs.push(e.seq);
        if (inRange) span.lastCloseStep = Math.max(lastRow(), span.stepFrom);
        updateFinished(span);
        break;
      }
      case 'tcp.listen':
      case 'tcp.unlisten':
        if (inRange) drafts.push({ kind: 'listen', event: e, step: addRow(e), seqs: [e.seq], peers: [] });
        break;
      case 'tcp.refused':
        if (inRange) drafts.push({ kind: 'refused', event: e, step: addRow(e), seqs: [e.seq], peers: [] });
        break;
      case 'note': {
        if (!inRange) break;
        const lines = options.wrapNotes !== undefined ? wrapText(e.text, options.wrapNotes, FONT.noteSize) : [];
        const step = addRow(e);
        // The box's rows: its lines and a little padding; the rows after the first are the note's too (unnumbered).
        const rowsTaken = Math.max(1, Math.ceil((lines.length * FONT.noteLine + 10) / rowHeight));
        for (let more = 1; more < rowsTaken; more++) addRow(e);
        drafts.push({ kind: 'note', event: e, step, ...(lines.length > 0 ? { lines } : {}), rows: rowsTaken, seqs: [e.seq], peers: [] });
        break;
      }
      case 'tcp.state': {
        if (!kernelStates) break;
        kernelSeen = true;
        const key = `${e.session ?? ''}/${e.conn}/${e.side}`;
        if (!inRange) {
          if (e.state === 'CLOSED') kernelBefore.delete(key);
          else kernelBefore.set(key, e);
          break;
        }
        // The state the row's event left (the kernel is read right after it): the last row so far.
        const step = Math.max(0, lastRow());
        const current = kernelBands.get(key);
        if (current && !current.openAtStart && draftStep(current) === step) {
          current.passed.push(current.event.state);
          current.event = e;
          current.openAtEnd = e.state !== 'CLOSED';
          findKernelDraft(current).seqs.push(e.seq);
        } else {
          if (current) {
            current.stepTo = step;
            current.endReadAt = e.t;
            current.openAtEnd = false;
          }
          openKernelBand(key, e, step, false);
        }
        if (e.state === 'CLOSED') kernelBands.delete(key);
        break;
      }
      case 'state':
        if (inRange && showStates) drafts.push({ kind: 'state', event: e, step: addRow(e), seqs: [e.seq], peers: [] });
        break;
      default:
        // Event types from newer trace files: not drawn.
        break;
    }
  }

  for (const band of kernelBands.values()) band.stepTo = Math.max(0, lastRow());
  const noKernelStates = kernelStates && !kernelSeen ? [kernelStatesMissing(events)] : [];

  return placeModel({
    drafts,
    rows,
    survey,
    tcp,
    layerNotes: noKernelStates,
    title: options.title ?? 'FTP session',
    axis: options.axis ?? 'step',
    ...(options.timeScale ? { timeScale: options.timeScale } : {}),
    ...(options.wholeRows ? { wholeRows: options.wholeRows } : {}),
    rowHeight,
    laneGap: options.laneGap ?? LANE_GAP.default,
  });
}

/**
 * The sentence for a trace without kernel TCP states: the watcher's own note when it could not read them (not
 * Linux), else how a trace gets them.
 */
function kernelStatesMissing(events: readonly TraceEvent[]): string {
  const told = events.find((e) => e.type === 'note' && e.text.startsWith('No kernel TCP states'));
  if (told && told.type === 'note') return told.text;
  return 'No kernel TCP states in this trace: they are read from the kernel (Linux /proc/net/tcp) while FTP Lab runs the session itself — in the app, or with ftp-lab run --tcp-states; another program’s capture or an older trace has none.';
}

function wireDraft(e: WireEvent, step: number): Draft {
  const base = { step, seqs: [e.seq], peers: [] as TraceEvent[] };
  switch (e.type) {
    case 'ftp.command':
    case 'ftp.reply':
      return { ...base, kind: 'message', event: e };
    case 'tcp.fin':
      return { ...base, kind: 'fin', event: e };
    case 'tcp.rst':
      return { ...base, kind: 'rst', event: e };
    case 'data.transfer':
      return { ...base, kind: 'transfer', event: e, stepFrom: step };
    case 'data.marker':
      return { ...base, kind: 'marker', event: e };
  }
}

export interface Pairs {
  /** Receiver's records shown through their sender's record. */
  readonly hidden: ReadonlySet<number>;
  /** For a shown sender's record: the receiver's records of the same message. */
  readonly peers: ReadonlyMap<number, TraceEvent[]>;
}

/**
 * Matches each receiver's record to its sender's record of the same message (first in, first out, per
 * type, connection and sender; either may be recorded first). A message recorded at both ends is shown
 * once, from its sender; a receiver's record with no sender's record (an upload cut short before the
 * client summarised it, a one-sided trace) is shown itself.
 */
function pairRecords(events: readonly TraceEvent[], sides: ReadonlySet<Side>): Pairs {
  const hidden = new Set<number>();
  const peers = new Map<number, TraceEvent[]>();
  if (sides.size < 2) return { hidden, peers };
  const sent = new Map<string, { items: WireEvent[]; head: number }>();
  const received = new Map<string, { items: WireEvent[]; head: number }>();
  const take = (map: Map<string, { items: WireEvent[]; head: number }>, key: string): WireEvent | undefined => {
    const queue = map.get(key);
    if (!queue || queue.head >= queue.items.length) return undefined;
    return queue.items[queue.head++];
  };
  const put = (map: Map<string, { items: WireEvent[]; head: number }>, key: string, e: WireEvent) => {
    const queue = map.get(key);
    if (queue) queue.items.push(e);
    else map.set(key, { items: [e], head: 0 });
  };
  const pair = (sender: WireEvent, receiver: WireEvent) => {
    hidden.add(receiver.seq);
    const list = peers.get(sender.seq);
    if (list) list.push(receiver);
    else peers.set(sender.seq, [receiver]);
  };
  for (const e of events) {
    if (!isWire(e)) continue;
    const key = `${e.type}|${e.conn}|${wireSender(e)}`;
    if (e.dir === 'sent') {
      const early = take(received, key);
      if (early) pair(e, early);
      else put(sent, key, e);
    } else {
      const partner = take(sent, key);
      if (partner) pair(partner, e);
      else put(received, key, e);
    }
  }
  return { hidden, peers };
}

function isWire(e: TraceEvent): e is WireEvent {
  return (
    e.type === 'ftp.command' || e.type === 'ftp.reply' || e.type === 'tcp.fin' || e.type === 'tcp.rst' || e.type === 'data.transfer' || e.type === 'data.marker'
  );
}
