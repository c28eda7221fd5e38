// Positions the laid-out rows and drafts: lane x, row y (by step or by time), arrows, badges, bands,
// spans, legend. The second half of layoutTrace(); pure. One function per mark kind.

import { replyClass } from '../../protocol/replyCodes';
import { byteCountText, markerOffsetText } from '../../trace/byteCounts';
import { closeBadge, closeMeaning } from '../../trace/closeMeaning';
import type { Channel, DataTransferEvent, Side, TraceEvent } from '../../trace/traceEvent';
import type { ArrowGeometry, CloseBadgeMark, ConnectionColour, DiagramModel, Lane, LaneId, Mark, Row, TextAnchor, TimeScale } from './diagramModel';
import { kernelStateMeaning, kernelStateSection, kernelStateTone, kernelToneNames, type KernelStateTone } from '../../trace/kernelStateMeaning';
import { segmentsOf, type SegmentOf } from '../../trace/tcpSegments';
import { FONT } from './diagramModel';
import type { Draft, RowRecord, Span } from './drafts';
import { closeSection, commandSection, markerSection, replySection, socketSections, transferSection } from './rfcSections';
import { fitText, monoTextWidth, sansTextWidth, wrapText } from './textWidth';
import type { TraceSurvey } from './traceSurvey';
import { at, describeLane } from './traceSurvey';
import { otherSide, recordedBy, wireSender } from '../../trace/sides';
import { transferModes } from '../../protocol/transferModes';
import { chooseTimeScale, momentOnRows, placeTimeRows, timeAxisFor } from './timeScale';
import { LEGEND, legendBox, legendLineCount, placeRuler } from './legendLayout';

export interface PlaceInput {
  readonly drafts: readonly Draft[];
  readonly rows: RowRecord;
  readonly survey: TraceSurvey;
  readonly title: string;
  readonly axis: 'step' | 'time';
  /** The time axis's scale; by default chosen from these rows' gaps (a step-by-step view passes the whole session's). */
  readonly timeScale?: TimeScale;
  /** The whole diagram's rows, for a diagram up to a step on its time scale (LayoutOptions.wholeRows). */
  readonly wholeRows?: readonly Row[];
  readonly rowHeight: number;
  readonly laneGap: number;
  /** Draw the TCP layer's segments under their connect and FIN arrows (LayoutOptions.tcp). */
  readonly tcp?: boolean;
  readonly layerNotes?: readonly string[];
}

/** Fixed geometry of the frame around the rows. */
export const FRAME = {
  laneBoxWidth: 184,
  laneBoxHeight: 52,
  titleY: 30,
  laneBoxY: 44,
  /** Space between the lane boxes and the first row. */
  rowsGap: 12,
  legendGap: 34,
} as const;

/** Arrow labels sit this far above their line; side labels and data badges this far below the row's y (centred on it). */
const LABEL_RISE = 7;
const BADGE_DROP = 4;
/** The TCP layer: each segment under its event's arrow takes a line this tall in the row. */
export const SEGMENT_LINE = 24;
/** A kernel state's band: this far from its lane towards the middle, and this far below its row's last line. */
const KERNEL_BAND_OFFSET = 10;
const KERNEL_BAND_DROP = 6;
/** A badge's words keep this far from the diagram's edge: the pill's padding and a little air. */
const BADGE_EDGE = 16;

const laneOrder = ['client', 'client-data', 'server-data', 'server'] as const;
const laneTitles: Record<LaneId, string> = {
  client: 'Client PI · control',
  'client-data': 'Client DTP · data',
  'server-data': 'Server DTP · data',
  server: 'Server PI · control',
};
/** In a narrow lane box: the lifeline's dashes (data) and the legend say the rest. */
const shortLaneTitles: Record<LaneId, string> = { client: 'Client PI', 'client-data': 'Client DTP', 'server-data': 'Server DTP', server: 'Server PI' };
/** The lane titles' font (bold sans), as the painters draw them. */
const LANE_TITLE_SIZE = 13;

/**
 * The narrowest and widest gap between lanes. At the narrowest, a long reply still fits between the control lanes
 * ("200 PORT command successful: the server will connect to 127.0.0.1:46203.", 72 characters of 12 px monospace).
 */
export const LANE_GAP = { min: 160, max: 240, default: 240 } as const;

/** A lane box's width for a gap between lanes: the full box, or narrower so neighbouring boxes keep apart. */
export function laneBoxWidth(laneGap: number): number {
  return Math.min(FRAME.laneBoxWidth, laneGap - 12);
}

/** The margin left of the lanes: step numbers, or times (wider). */
const marginFor = (axis: 'step' | 'time'): number => (axis === 'time' ? 72 : 52);

/** How wide a diagram with this gap between lanes is (the frame's own arithmetic). */
function diagramWidth(laneGap: number, axis: 'step' | 'time'): number {
  return marginFor(axis) + 40 + laneBoxWidth(laneGap) + laneGap * 3.4;
}

/**
 * The widest gap between lanes (in steps of 5 px, from LANE_GAP.min to .max) at which the diagram is at most
 * `width` px wide: the screen lays out for the view it has, so its text can be drawn at a readable size.
 */
export function laneGapToFit(width: number, axis: 'step' | 'time'): number {
  for (let gap = LANE_GAP.max; gap > LANE_GAP.min; gap -= 5) if (diagramWidth(gap, axis) <= width) return gap;
  return LANE_GAP.min;
}
const laneOf = (side: Side, channel: Channel): LaneId => (channel === 'data' ? (side === 'client' ? 'client-data' : 'server-data') : side);

export function formatMs(t: number): string {
  if (t >= 10_000) return `${(t / 1000).toFixed(2)} s`;
  return `${t.toFixed(1)} ms`;
}

/** Lane positions, row positions and where text goes: everything a mark needs to be placed. */
class Frame {
  readonly x: Record<LaneId, number>;
  readonly lifeTop: number;
  readonly lifeBottom: number;
  readonly steps: number;

  constructor(
    readonly marginX: number,
    readonly laneGap: number,
    readonly rowY: readonly number[],
    readonly rowHeight: number,
    /** Each row's extra height (px) for the lines under its event. */
    readonly rowExtra: readonly number[] = [],
    /** On the time axis: the y of a moment (an arrow's receive time). */
    readonly yAt?: (t: number) => number,
  ) {
    const clientX = marginX + 20 + laneBoxWidth(laneGap) / 2;
    this.x = { client: clientX, 'client-data': clientX + laneGap, 'server-data': clientX + laneGap * 2.4, server: clientX + laneGap * 3.4 };
    this.lifeTop = FRAME.laneBoxY + FRAME.laneBoxHeight;
    this.steps = rowY.length;
    this.lifeBottom = round((rowY[rowY.length - 1] ?? this.lifeTop + FRAME.rowsGap) + this.extraOf(rowY.length - 1) + rowHeight / 2 + 6);
  }

  /** How much taller than a row its lines under the event make it. */
  extraOf(step: number): number {
    return this.rowExtra[step] ?? 0;
  }

  get width(): number {
    return round(this.x.server + laneBoxWidth(this.laneGap) / 2 + 20);
  }

  yOf(step: number): number {
    return this.rowY[Math.max(0, Math.min(step, this.steps - 1))] ?? this.lifeTop;
  }

  /**
   * Where an arrow sent on row y lands: on the time axis, at the time its receiver recorded it, so it slants
   * from the sender's record to the receiver's (both ends' program clocks, not the wire's); flat on the step axis
   * or where only one end was recorded.
   */
  landing(y: number, event: TraceEvent, draft: Pick<Draft, 'peers' | 'inFlight'>): number {
    if (!this.yAt || !('dir' in event) || event.dir !== 'sent') return y;
    const received = [...draft.peers, ...(draft.inFlight ? [draft.inFlight] : [])].find((p) => 'dir' in p && p.dir === 'received');
    return received ? round(Math.max(y, this.yAt(received.t))) : y;
  }

  /**
   * An arrow between two lanes with its label centred above it (above its higher end), shortened to fit between
   * them. A data arrow's label may reach over the data lanes (its halo keeps it readable), as far as a control
   * arrow's: the data lanes share the control lanes' middle.
   */
  arrow(fromLane: LaneId, toLane: LaneId, y: number, text: string, yEnd = y): ArrowGeometry {
    const x1 = this.x[fromLane];
    const x2 = this.x[toLane];
    const data = fromLane.endsWith('-data') && toLane.endsWith('-data');
    // The label may reach to 4 px short of either lane: it sits above the arrowheads, not on them.
    const room = data ? Math.max(Math.abs(x2 - x1) - 24, this.x.server - this.x.client - 80) : Math.abs(x2 - x1) - 8;
    return {
      fromLane,
      toLane,
      x1,
      x2,
      yEnd,
      label: fitText(text, room, (t) => monoTextWidth(t, FONT.labelSize)),
      labelX: round((x1 + x2) / 2),
      labelY: round(Math.min(y, yEnd) - LABEL_RISE),
      labelAnchor: 'middle',
    };
  }

  /** Which way the middle of the diagram is from a lane: +1 right, -1 left. */
  inwardOf(lane: LaneId): 1 | -1 {
    return lane === 'client' || lane === 'client-data' ? 1 : -1;
  }

  /** Text beside a lane, facing the middle of the diagram. */
  inward(lane: LaneId, y: number): { labelX: number; labelY: number; labelAnchor: TextAnchor } {
    const left = lane === 'client' || lane === 'client-data';
    return { labelX: round(this.x[lane] + (left ? 10 : -10)), labelY: round(y + BADGE_DROP), labelAnchor: left ? 'start' : 'end' };
  }

  /**
   * Where a badge goes. Data: outside the data lanes on the sender's side, level with the arrow (the
   * arrow's own label sits above it, between the data lanes). Control: above the arrow at the sender's
   * end (the arrow's label is centred, far from either end).
   */
  badgeAt(channel: Channel, sender: Side, y: number, text: string): { x: number; labelY: number; anchor: TextAnchor; lines: string[] } {
    const at: { x: number; labelY: number; anchor: TextAnchor } =
      channel === 'data'
        ? sender === 'client'
          ? { x: round(this.x['client-data'] - 12), labelY: round(y + BADGE_DROP), anchor: 'end' }
          : { x: round(this.x['server-data'] + 12), labelY: round(y + BADGE_DROP), anchor: 'start' }
        : sender === 'client'
          ? { x: round(this.x.client + 12), labelY: round(y - LABEL_RISE), anchor: 'start' }
          : { x: round(this.x.server - 12), labelY: round(y - LABEL_RISE), anchor: 'end' };
    // Lanes close together leave a data badge less room than its words: it wraps (never past the diagram's edge,
    // nor over the step numbers or times in the margin).
    // (The screen draws badge words semi-bold: up to a tenth wider than the estimate.)
    const room = ((at.anchor === 'start' ? this.width - at.x : at.x - this.marginX) - BADGE_EDGE) / 1.12;
    return { ...at, lines: sansTextWidth(text, FONT.badgeSize) <= room ? [text] : wrapText(text, room, FONT.badgeSize) };
  }
}

interface Context {
  readonly frame: Frame;
  readonly survey: TraceSurvey;
  readonly tcp: boolean;
}

export function placeModel(input: PlaceInput): DiagramModel {
  const { drafts, rows, survey, axis, rowHeight } = input;
  const marginX = marginFor(axis);
  const firstRowTop = FRAME.laneBoxY + FRAME.laneBoxHeight + FRAME.rowsGap;
  const rowExtra = Array.from({ length: rows.ts.length }, (_, step) => (rows.lines.get(step) ?? 0) * SEGMENT_LINE);
  const scale = axis === 'time' ? (input.timeScale ?? chooseTimeScale(rows.ts, rowHeight)) : undefined;
  // A note's further lines repeat its row's seq: they keep a full row's height.
  const timeRows = scale
    ? placeTimeRows(
        rows.ts,
        rows.seqs.map((seq, i) => i > 0 && rows.seqs[i - 1] === seq),
        firstRowTop,
        rowHeight,
        scale,
        rowExtra,
      )
    : undefined;
  const rowY = timeRows ? timeRows.ys.map(round) : stepRows(rowExtra, firstRowTop, rowHeight);
  // Moments past this diagram's last row (an arrow still in flight at the step shown) land where the whole diagram has them.
  const whole = input.wholeRows;
  const yAt =
    scale && whole && whole.length > rowY.length
      ? momentOnRows(
          whole.map((r) => r.t),
          whole.map((r) => r.y),
          whole.map((r) => r.extra ?? 0),
          scale,
          rowHeight,
          firstRowTop,
        )
      : timeRows?.yAt;
  const frame = new Frame(marginX, input.laneGap, rowY, rowHeight, rowExtra, yAt);
  const context: Context = { frame, survey, tcp: input.tcp ?? false };

  const marks: Mark[] = [];
  if (frame.steps > 0) for (const draft of drafts) marks.push(...placeDraft(draft, context));

  const legend = marks.flatMap((m) => (m.kind === 'connection' ? [{ conn: m.conn, colour: m.colour, label: m.label }] : []));
  // Neighbouring lanes are at least laneGap apart, so a centred subtitle narrower than that never meets the next one.
  const boxWidth = laneBoxWidth(frame.laneGap);
  const fitsBetweenLanes = (text: string) => monoTextWidth(text, FONT.subtitleSize) <= frame.laneGap - 16;
  const titleFits = (text: string) => sansTextWidth(text, LANE_TITLE_SIZE) * 1.08 <= boxWidth - 10;
  const lanes: Lane[] = laneOrder.map((id) => ({
    id,
    x: frame.x[id],
    title: titleFits(laneTitles[id]) ? laneTitles[id] : shortLaneTitles[id],
    subtitle: describeLane(id, survey.endpoints[id], fitsBetweenLanes),
  }));
  const modelRows: Row[] = rowY.map((y, step) => {
    const t = rows.ts[step] ?? 0;
    const extra = frame.extraOf(step);
    return { step, y, seq: rows.seqs[step] ?? 0, t, label: axis === 'time' ? formatMs(t) : String(step + 1), ...(extra > 0 ? { extra } : {}) };
  });
  const legendY = frame.lifeBottom + FRAME.legendGap;
  const kernelTones = marks.some((m) => m.kind === 'kernel-state')
    ? (Object.keys(kernelToneNames) as KernelStateTone[]).map((tone) => ({ tone, label: kernelToneNames[tone] }))
    : undefined;
  // Wrapped to the diagram's width here, so every painter draws the same lines.
  const layerNotes = (input.layerNotes ?? []).flatMap((note) => wrapText(note, frame.width - marginX - 20, FONT.badgeSize));
  const legendContent = { connections: legend, layerNotes, ...(kernelTones ? { kernelTones } : {}) };
  const legendBoxed = legendBox(marginX, legendY, legendContent);
  // The time axis's ruler of gap lengths goes beside the legend, at the right, or under it where the legend is wide.
  const timeAxis = scale ? timeAxisFor(scale, rows.ts, rowY, rowExtra) : undefined;
  const ruler = timeAxis ? { ...timeAxis, ruler: placeRuler(legendBoxed, timeAxis.ticks, frame.width) } : undefined;
  return {
    width: frame.width,
    laneBoxWidth: boxWidth,
    height: round(Math.max(legendY + LEGEND.line * (legendLineCount(legendContent) + 1) + 8, ruler ? ruler.ruler.box.y + ruler.ruler.box.height : 0)),
    lanes,
    marks,
    steps: frame.steps,
    title: input.title,
    legend: { x: marginX, y: legendY, box: legendBoxed, connections: legend, ...(kernelTones ? { kernelTones } : {}) },
    axis,
    ...(ruler ? { timeAxis: ruler } : {}),
    rows: modelRows,
    rowHeight,
    lifelines: { y1: frame.lifeTop, y2: frame.lifeBottom },
    marginX,
    ...(layerNotes.length > 0 ? { layerNotes } : {}),
  };
}

function placeDraft(draft: Draft, c: Context): Mark[] {
  switch (draft.kind) {
    case 'message':
      return [placeMessage(draft, c)];
    case 'connect':
      return placeConnect(draft, c);
    case 'listen':
      return [placeListen(draft, c)];
    case 'fin':
    case 'rst':
      return placeClose(draft, c);
    case 'refused':
      return [placeRefused(draft, c)];
    case 'transfer':
      return placeTransfer(draft, c);
    case 'marker':
      return [placeMarker(draft, c)];
    case 'connection':
      return [placeConnection(draft.span, c)];
    case 'note':
      return [placeNote(draft, c)];
    case 'state':
      return [placeState(draft, c)];
    case 'kernel-state':
      return [placeKernelState(draft, c)];
  }
}

type DraftOf<K extends Draft['kind']> = Extract<Draft, { kind: K }>;

/** The fields every mark drawn for one trace event starts with. */
function base(draft: Exclude<Draft, { kind: 'connection' | 'kernel-state' }>, c: Context) {
  return { id: `e${draft.event.seq}`, step: draft.step, y: c.frame.yOf(draft.step), seqs: draft.seqs };
}

const dataColour = (c: Context, conn: string): number => c.survey.colours.get(conn) ?? 0;

function placeMessage(draft: DraftOf<'message'>, c: Context): Mark {
  const e = draft.event;
  const common = { ...base(draft, c), kind: 'message' as const, channel: e.channel, conn: e.conn, colour: 'control' as const };
  if (e.type === 'ftp.command') {
    return {
      ...common,
      message: 'command',
      verb: e.verb,
      ...c.frame.arrow('client', 'server', common.y, e.line, c.frame.landing(common.y, e, draft)),
      ariaLabel: `client → server: ${e.line}`,
      ...rfc(commandSection(e.verb)),
      detail: { ...recordDetail(e, draft.peers), line: e.line, verb: e.verb },
    };
  }
  const text = `${e.code} ${e.lines[0] ?? ''}${e.lines.length > 1 ? ' …' : ''}`;
  return {
    ...common,
    message: 'reply',
    code: e.code,
    replyClass: replyClass(e.code),
    ...c.frame.arrow('server', 'client', common.y, text, c.frame.landing(common.y, e, draft)),
    ariaLabel: `server → client: ${e.code} ${e.lines.join(' ')}`,
    rfc: replySection(e.code),
    detail: { ...recordDetail(e, draft.peers), code: String(e.code), lines: e.lines.join('\n') },
  };
}

function placeConnect(draft: DraftOf<'connect'>, c: Context): Mark[] {
  const e = draft.event;
  const b = base(draft, c);
  const info = c.survey.connections.get(e.conn);
  const initiator = info?.initiator ?? (e.type === 'tcp.connect' ? e.side : otherSide(e.side));
  const from = info?.from ?? (e.type === 'tcp.connect' ? e.local : e.remote);
  const to = info?.to ?? (e.type === 'tcp.connect' ? e.remote : e.local);
  const data = e.channel === 'data';
  const how = !data ? 'control' : initiator === 'server' ? 'active' : 'passive';
  const ends = `${initiator} ${at(from)} connects to ${otherSide(initiator)} ${at(to)}`;
  // With the TCP layer, the connect arrow is the SYN; the SYN-ACK and the ACK follow under it.
  const verb = c.tcp ? 'SYN' : 'connect';
  const connect: Mark = {
    ...b,
    kind: 'connect',
    channel: e.channel,
    conn: e.conn,
    colour: data ? dataColour(c, e.conn) : 'control',
    initiator,
    how,
    ...c.frame.arrow(laneOf(initiator, e.channel), laneOf(otherSide(initiator), e.channel), b.y, `${e.conn}: ${verb} ${from.port} → ${to.port}`),
    ariaLabel: data ? `data connection ${e.conn}: ${ends} (${how} mode)` : `control connection ${e.conn}: ${ends}`,
    rfc: data ? socketSections.dataConnect : socketSections.controlConnect,
    detail: { ...recordDetail(e, draft.peers), from: `${initiator} ${at(from)}`, to: `${otherSide(initiator)} ${at(to)}`, ...(data ? { mode: how } : {}) },
  };
  return [connect, ...placeSegments(connect, segmentsOf(e, initiator), e.channel, c)];
}

/**
 * The TCP layer's segments under a connect or FIN arrow (which is the first of them), each on a line of its own
 * in the row: from their sender's lane to the other end's, in the connection's colour.
 */
function placeSegments(
  first: Mark & { channel?: Channel; conn?: string; colour?: ConnectionColour },
  segments: readonly SegmentOf[],
  channel: Channel,
  c: Context,
): Mark[] {
  if (!c.tcp) return [];
  return segments.slice(1).map((segment, i): Mark => {
    const y = round(first.y + SEGMENT_LINE * (i + 1));
    const to = otherSide(segment.from);
    return {
      id: `${first.id}-${segment.flags.toLowerCase()}-${i + 1}`,
      kind: 'segment',
      of: first.id,
      step: first.step,
      y,
      seqs: first.seqs,
      channel,
      ...(first.conn !== undefined ? { conn: first.conn } : {}),
      ...(first.colour !== undefined ? { colour: first.colour } : {}),
      flags: segment.flags,
      sender: segment.from,
      ...c.frame.arrow(laneOf(segment.from, channel), laneOf(to, channel), y, segment.flags),
      ariaLabel: `${channel} connection ${first.conn ?? ''}: ${segment.flags} from ${segment.from} to ${to}: ${segment.meaning}`,
      rfc: segment.rfc,
      detail: {
        segment: segment.flags,
        from: segment.from,
        meaning: segment.meaning,
        source: 'implied by the socket event above it (the kernel sends it; the trace records socket events, not segments)',
      },
    };
  });
}

function placeListen(draft: DraftOf<'listen'>, c: Context): Mark {
  const e = draft.event;
  const b = base(draft, c);
  const lane = laneOf(e.side, e.channel);
  return {
    ...b,
    kind: 'listen',
    channel: e.channel,
    lane,
    x: c.frame.x[lane],
    label: e.type === 'tcp.listen' ? `listening on ${at(e.local)}` : `stops listening on ${at(e.local)}: no connection came`,
    ...c.frame.inward(lane, b.y),
    ariaLabel:
      e.type === 'tcp.listen'
        ? `${e.side} listens on ${at(e.local)}${e.channel === 'data' ? ' for a data connection' : ''}`
        : `${e.side} stops listening on ${at(e.local)} before any connection came; one that comes now is refused`,
    rfc: socketSections.listen,
    detail: { ...recordDetail(e, []), listener: e.listener, local: at(e.local) },
  };
}

/** A FIN or RST arrow from its sender's lane, and the badge saying what the close means. */
function placeClose(draft: DraftOf<'fin'> | DraftOf<'rst'>, c: Context): Mark[] {
  const e = draft.event;
  const b = base(draft, c);
  const sender = e.side;
  const colour = e.channel === 'data' ? dataColour(c, e.conn) : ('control' as const);
  const name = draft.kind === 'fin' ? 'FIN' : 'RST';
  const meaning = closeMeaning(e.reason);
  const segments = segmentsOf(e);
  // With the TCP layer, the FIN's ACK is drawn on the lines under it, so the FIN is drawn flat like the SYN: a FIN
  // slanted by its receive time would land below its own ACK (the lines under an event take no time on the axis).
  const answered = c.tcp && segments.length > 1;
  const yEnd = answered ? b.y : c.frame.landing(b.y, e, draft);
  const common = {
    ...b,
    channel: e.channel,
    conn: e.conn,
    colour,
    sender,
    ...(e.reason ? { reason: e.reason } : {}),
    ...c.frame.arrow(laneOf(sender, e.channel), laneOf(otherSide(sender), e.channel), b.y, name, yEnd),
    ariaLabel: `${e.channel} connection ${e.conn}: ${name} from ${sender}, ${meaning}`,
    rfc: closeSection(e.reason),
    detail: { ...recordDetail(e, draft.peers), reason: e.reason ?? 'none recorded', meaning },
  };
  const text = closeBadge(sender, draft.kind, e.reason);
  const badge: CloseBadgeMark = {
    id: `${b.id}-badge`,
    kind: 'close-badge',
    of: b.id,
    tone: draft.kind === 'fin' ? 'closed' : 'reset',
    text,
    ...c.frame.badgeAt(e.channel, sender, b.y, text),
    step: b.step,
    y: b.y,
    seqs: b.seqs,
    channel: e.channel,
    conn: e.conn,
    colour,
    ariaLabel: `${e.channel} connection ${e.conn}: ${text}`,
    rfc: closeSection(e.reason),
    detail: { meaning },
  };
  const arrow: Mark = draft.kind === 'fin' ? { ...common, kind: 'fin' } : { ...common, kind: 'rst' };
  return [arrow, badge, ...placeSegments(arrow, segments, e.channel, c)];
}

function placeRefused(draft: DraftOf<'refused'>, c: Context): Mark {
  const e = draft.event;
  const b = base(draft, c);
  // With a local endpoint, `side` accepted a foreign connection and dropped it; without, `side` failed to connect.
  const foreign = e.local !== undefined;
  const initiator = foreign ? otherSide(e.side) : e.side;
  return {
    ...b,
    kind: 'refused',
    channel: e.channel,
    ...(e.conn ? { conn: e.conn } : {}),
    initiator,
    reason: e.reason,
    ...c.frame.arrow(
      laneOf(initiator, e.channel),
      laneOf(otherSide(initiator), e.channel),
      b.y,
      foreign ? 'foreign connection refused' : `connect refused${errorCode(e.reason)}`,
    ),
    ariaLabel: `${e.channel} connection refused: ${e.reason}`,
    rfc: foreign ? socketSections.foreign : socketSections.refused,
    detail: { ...recordDetail(e, []), reason: e.reason, ...(e.remote ? { remote: at(e.remote) } : {}), ...(e.local ? { local: at(e.local) } : {}) },
  };
}

/** The band from the transfer's start row to its end row, the arrow on the end row, and a badge if it stayed open or was cut short. */
function placeTransfer(draft: DraftOf<'transfer'>, c: Context): Mark[] {
  const e = draft.event;
  const b = base(draft, c);
  const sender = wireSender(e);
  const colour = dataColour(c, e.conn);
  const ms = e.durationMs.toFixed(1);
  const { frame } = c;
  const transfer: Mark = {
    ...b,
    kind: 'transfer',
    channel: 'data',
    conn: e.conn,
    colour,
    from: sender,
    direction: sender === 'client' ? 'client-to-server' : 'server-to-client',
    bytes: e.bytes,
    ...(e.fileBytes !== undefined ? { fileBytes: e.fileBytes } : {}),
    durationMs: e.durationMs,
    mode: e.mode,
    representation: e.representation,
    complete: e.complete,
    keptOpen: e.keptOpen ?? false,
    stepFrom: draft.stepFrom,
    stepTo: draft.step,
    band: {
      x1: frame.x['client-data'],
      x2: frame.x['server-data'],
      // From just below the row the data started after (or around the end row alone) to just below the end row.
      y1: round(draft.stepFrom < draft.step ? frame.yOf(draft.stepFrom) + frame.extraOf(draft.stepFrom) + 6 : b.y - 20),
      y2: round(b.y + 8),
    },
    ...frame.arrow(
      laneOf(sender, 'data'),
      laneOf(otherSide(sender), 'data'),
      b.y,
      `${byteCountText(e)} · TYPE ${e.representation} MODE ${e.mode} · ${ms} ms`,
      frame.landing(b.y, e, draft),
    ),
    ariaLabel:
      `data connection ${e.conn}: ${byteCountText(e)} ${sender} → ${otherSide(sender)} in ${ms} ms (TYPE ${e.representation}, MODE ${e.mode})` +
      (e.complete ? '' : ', cut short') +
      (e.keptOpen ? ', the connection stays open' : ''),
    rfc: transferSection(e.mode),
    detail: {
      ...recordDetail(e, draft.peers),
      bytes: byteCountText(e),
      durationMs: String(e.durationMs),
      mode: `${e.mode} (${transferModes[e.mode].name})`,
      representation: e.representation,
      complete: e.complete ? 'yes' : 'no: cut short',
      ...(e.command ? { command: e.command } : {}),
      ...(e.keptOpen ? { keptOpen: 'yes' } : {}),
    },
  };
  const badge = transferBadge(e);
  if (!badge) return [transfer];
  return [
    transfer,
    {
      id: `${b.id}-badge`,
      kind: 'close-badge',
      of: b.id,
      ...badge,
      ...frame.badgeAt('data', sender, b.y, badge.text),
      step: b.step,
      y: b.y,
      seqs: b.seqs,
      channel: 'data',
      conn: e.conn,
      colour,
      ariaLabel: `data connection ${e.conn}: ${badge.text}`,
    },
  ];
}

function transferBadge(e: DataTransferEvent): Pick<CloseBadgeMark, 'tone' | 'text' | 'rfc' | 'detail'> | undefined {
  const mode = transferModes[e.mode].name;
  if (e.keptOpen) {
    return {
      tone: 'open',
      text: `stays open: ${mode} mode, EOF marker sent`,
      rfc: socketSections.keptOpen,
      detail: { meaning: `In ${mode} mode the EOF marker ends the file, so the data connection can stay open for the next transfer (RFC 959 §3.3).` },
    };
  }
  if (!e.complete) {
    return {
      tone: 'cut',
      text: `cut short after ${e.bytes} bytes`,
      rfc: transferSection(e.mode),
      detail: { meaning: 'The transfer ended before the end of file (ABOR or a dropped connection); the bytes that arrived are kept, so REST can resume it.' },
    };
  }
  return undefined;
}

function placeMarker(draft: DraftOf<'marker'>, c: Context): Mark {
  const e = draft.event;
  const b = base(draft, c);
  const sender = wireSender(e);
  const hex = e.hex ? ` ${e.hex}` : '';
  const label = e.marker === 'eof' ? `EOF marker${hex}` : e.marker === 'restart' ? `restart marker ${e.value ?? ''}${hex}`.trimEnd() : `end of record${hex}`;
  const value: { value?: string } = e.value !== undefined ? { value: e.value } : {};
  return {
    ...b,
    kind: 'marker',
    channel: 'data',
    conn: e.conn,
    colour: dataColour(c, e.conn),
    marker: e.marker,
    hex: e.hex,
    ...value,
    offset: e.offset,
    from: sender,
    ...c.frame.arrow(laneOf(sender, 'data'), laneOf(otherSide(sender), 'data'), b.y, label, c.frame.landing(b.y, e, draft)),
    ariaLabel: `data connection ${e.conn}: ${label} from ${sender} ${markerOffsetText(e.offset)}`,
    rfc: markerSection(e.marker, e.mode),
    detail: {
      ...recordDetail(e, draft.peers),
      marker: e.marker,
      hex: e.hex,
      offset: String(e.offset),
      mode: `${e.mode} (${transferModes[e.mode].name})`,
      ...(e.value !== undefined ? { value: e.value } : {}),
    },
  };
}

function placeConnection(span: Span, c: Context): Mark {
  const { frame } = c;
  const placed = placeSpan(span, frame.steps);
  const info = c.survey.connections.get(span.conn);
  const how = info ? (info.initiator === 'server' ? 'active' : 'passive') : undefined;
  const ends = info ? { from: `${info.initiator} ${at(info.from)}`, to: `${otherSide(info.initiator)} ${at(info.to)}` } : undefined;
  const y1 = placed.openAtStart ? frame.lifeTop : frame.yOf(placed.stepFrom);
  return {
    id: `conn-${span.conn}`,
    kind: 'connection',
    step: placed.stepFrom,
    y: y1,
    seqs: span.seqs,
    channel: 'data',
    conn: span.conn,
    colour: span.colour,
    stepFrom: placed.stepFrom,
    stepTo: placed.stepTo,
    x1: frame.x['client-data'],
    x2: frame.x['server-data'],
    y1,
    y2: placed.openAtEnd ? frame.lifeBottom : frame.yOf(placed.stepTo),
    openAtStart: placed.openAtStart,
    openAtEnd: placed.openAtEnd,
    label: ends ? `${span.conn}: ${how} mode, ${ends.from} → ${ends.to}` : `${span.conn}: data connection`,
    ariaLabel:
      `data connection ${span.conn}${how ? ` (${how} mode)` : ''}: open ` +
      `${placed.openAtStart ? 'before' : 'from'} step ${placed.stepFrom + 1} ` +
      `${placed.openAtEnd ? 'and still open after' : 'to'} step ${placed.stepTo + 1}`,
    rfc: socketSections.dataConnect,
    detail: { conn: span.conn, ...(ends && how ? { ...ends, mode: how } : {}) },
  };
}

function placeNote(draft: DraftOf<'note'>, c: Context): Mark {
  const e = draft.event;
  const { x } = c.frame;
  const fit = (text: string) => fitText(text, x.server - x.client, (t) => sansTextWidth(t, FONT.noteSize));
  const text = fit(e.text);
  return {
    ...base(draft, c),
    kind: 'note',
    text,
    lines: draft.lines ? draft.lines.map(fit) : [text],
    rows: draft.rows,
    x1: x.client,
    x2: x.server,
    ariaLabel: `note: ${e.text}`,
    detail: { ...recordDetail(e, []), text: e.text },
  };
}

function placeState(draft: DraftOf<'state'>, c: Context): Mark {
  const e = draft.event;
  const b = base(draft, c);
  const lane = e.machine === 'data' ? laneOf(e.side, 'data') : laneOf(e.machine, 'control');
  const label = `${e.from} → ${e.to}`;
  return {
    ...b,
    kind: 'state',
    machine: e.machine,
    lane,
    x: c.frame.x[lane],
    from: e.from,
    to: e.to,
    event: e.event,
    label: fitText(label, c.frame.laneGap * 1.3, (t) => sansTextWidth(t, FONT.stateSize)),
    ...c.frame.inward(lane, b.y),
    ariaLabel: `${e.machine} machine: ${e.from} → ${e.to} on ${e.event}`,
    detail: { ...recordDetail(e, []), machine: e.machine, from: e.from, to: e.to, event: e.event },
  };
}

/** One end's kernel state: a band beside its lane from the end of the row it began at to where the next began. */
function placeKernelState(draft: DraftOf<'kernel-state'>, c: Context): Mark {
  const { band } = draft;
  const e = band.event;
  const { frame } = c;
  const lane = laneOf(e.side, e.channel);
  // Data lanes: towards the middle (their close badges sit outside them). Control lanes: outside, where
  // nothing else is drawn (their badges and labels sit between the lanes).
  const dir = e.channel === 'data' ? frame.inwardOf(lane) : -frame.inwardOf(lane);
  const x = round(frame.x[lane] + dir * KERNEL_BAND_OFFSET);
  const last = frame.steps - 1;
  const stepFrom = Math.min(draft.step, last);
  const stepTo = Math.min(Math.max(band.stepTo, stepFrom), last);
  /**
   * Where a state read at time t after a row starts: under the row's event and its segment lines, and on the time
   * axis not before the moment it was read (the kernel may be read well after the row's event).
   */
  const startOf = (step: number, t: number | undefined) =>
    round(Math.max(frame.yOf(step) + frame.extraOf(step) + KERNEL_BAND_DROP, frame.yAt && t !== undefined ? frame.yAt(t) : 0));
  const y1 = band.openAtStart ? frame.lifeTop : startOf(stepFrom, band.readAt);
  const y2 = band.openAtEnd ? frame.lifeBottom : Math.max(y1, startOf(stepTo, band.endReadAt));
  const meaning = kernelStateMeaning[e.state];
  const passed = band.passed.length > 0 ? ` (through ${band.passed.join(', ')})` : '';
  return {
    id: band.id,
    kind: 'kernel-state',
    step: stepFrom,
    y: y1,
    seqs: draft.seqs,
    channel: e.channel,
    conn: e.conn,
    colour: e.channel === 'data' ? dataColour(c, e.conn) : 'control',
    lane,
    side: e.side,
    state: e.state,
    tone: kernelStateTone[e.state],
    x,
    y1,
    y2,
    stepFrom,
    stepTo,
    openAtStart: band.openAtStart,
    openAtEnd: band.openAtEnd,
    label: e.state,
    labelX: round(x + dir * 5),
    labelY: round(y1 + 9),
    labelAnchor: dir > 0 ? 'start' : 'end',
    ariaLabel: `${e.conn}: the ${e.side}'s kernel has it in ${e.state}${passed}: ${meaning}`,
    rfc: kernelStateSection(e.state),
    detail: {
      ...recordDetail(e, []),
      state: e.state,
      ...(band.passed.length > 0 ? { through: band.passed.join(' → ') } : {}),
      meaning,
      source: "the side's own kernel (Linux /proc/net/tcp), read right after the step",
    },
  };
}

function rfc(section: string | undefined): { rfc?: string } {
  return section ? { rfc: section } : {};
}

/** 'ECONNREFUSED' from "connect to 127.0.0.1:33211 failed: ECONNREFUSED", as ' (ECONNREFUSED)'. */
function errorCode(reason: string): string {
  const code = /\b(E[A-Z]{3,})\b/.exec(reason)?.[1];
  return code ? ` (${code})` : '';
}

function placeSpan(span: Span, steps: number): { stepFrom: number; stepTo: number; openAtStart: boolean; openAtEnd: boolean } {
  const last = steps - 1;
  const stepFrom = Math.min(Math.max(0, span.stepFrom), last);
  const closedAt = span.lastFinStep >= 0 ? span.lastFinStep : span.lastCloseStep;
  const openAtEnd = !span.finished || closedAt < 0;
  const stepTo = openAtEnd ? last : Math.max(stepFrom, Math.min(closedAt, last));
  return { stepFrom, stepTo, openAtStart: span.openAtStart, openAtEnd };
}

/** The facts every mark's detail starts with: where and when it was recorded, and the receiver's record if merged. */
function recordDetail(e: TraceEvent, peers: readonly TraceEvent[]): Record<string, string> {
  const detail: Record<string, string> = { seq: String(e.seq), t: `${e.t} ms`, side: e.side };
  if ('dir' in e) detail.dir = e.dir;
  if ('conn' in e && e.conn !== undefined) detail.conn = e.conn;
  if (e.session !== undefined) detail.session = String(e.session);
  const [peer] = peers;
  if (peer) {
    detail['peer seq'] = peers.map((p) => p.seq).join(', ');
    detail['peer t'] = `${peer.t} ms`;
    // The side that made the peer record (for a FIN received, not the FIN's sender named in its `side`).
    detail['peer side'] = 'dir' in peer ? `${recordedBy(peer)} (${peer.dir})` : recordedBy(peer);
  }
  return detail;
}

function stepRows(extra: readonly number[], top: number, rh: number): number[] {
  const ys = new Array<number>(extra.length);
  let y = top + rh / 2;
  for (let i = 0; i < extra.length; i++) {
    ys[i] = round(y);
    y += rh + (extra[i] ?? 0);
  }
  return ys;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
