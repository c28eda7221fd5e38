// The trace the renderer holds: events as they arrive (live) or as loaded, their transcript lines, and
// the diagram laid out by core/diagram up to any step. Stepping back is a re-layout of a prefix, never a replay.
// A value: an arriving event makes a new trace (the playback statechart keeps it in its context, and its path
// tests walk many futures of one trace); the layouts and the transcript are worked out once per value, when asked.

import { layoutTrace, type DiagramLayers } from '../core/diagram/layout/layout';
import type { DiagramModel, Row } from '../core/diagram/layout/diagramModel';
import { stepReach } from '../core/diagram/layout/stepReach';
import { observedSides } from '../core/trace/closeMeaning';
import { mergeBySeq } from '../core/trace/mergeBySeq';
import { withoutSessions } from '../core/trace/sessionAttribution';
import type { Side, TraceEvent, TraceFile, TraceMeta } from '../core/trace/traceEvent';
import { createTraceFile } from '../core/trace/traceFile';
import { transcriptEntries, type TranscriptEntry } from './transcriptEntries';

/** The diagram's vertical axis: one row per step (default), or rows placed by real time. */
export type TraceAxis = 'step' | 'time';

/** The events in seq order, each seq once, in an array of this trace's own (a host in the same process may go on filling the one it gave). */
function inSeqOrder(events: readonly TraceEvent[]): readonly TraceEvent[] {
  const ordered = events.every((e, i) => i === 0 || e.seq > events[i - 1]!.seq);
  if (ordered) return [...events];
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

const layoutKey = (axis: TraceAxis, layers: DiagramLayers, laneGap: number | undefined): string =>
  `${axis}|${layers.kernelStates ? 'k' : ''}|${layers.tcp ? 't' : ''}|${laneGap ?? ''}`;

/** A layout as the screen asks for it: its axis, layers and gap between lanes. */
interface LayoutAsked {
  readonly axis: TraceAxis;
  readonly layers: DiagramLayers;
  readonly laneGap: number | undefined;
}

export class RecordedTrace {
  readonly #events: readonly TraceEvent[];
  readonly #sides: ReadonlySet<Side>;
  /** By axis and gap between lanes (the screen lays out for the width it has). */
  readonly #layouts = new Map<string, DiagramModel>();
  #prefix: { step: number; key: string; model: DiagramModel } | undefined;
  #transcript: readonly TranscriptEntry[] | undefined;
  /**
   * The layout last asked for by the screen, handed on to the traces made from this one: the rows (and so the step
   * count) are the same in every layout, so the machine's step count and the screen's diagram share one layout per
   * batch instead of laying the trace out twice.
   */
  #asked: LayoutAsked | undefined;

  /** `sides`: whose sockets this trace records (both with the built-in server, only the client against another). */
  constructor(
    readonly meta: TraceMeta,
    sides: ReadonlySet<Side>,
    events: readonly TraceEvent[] = [],
    asked?: LayoutAsked,
  ) {
    this.#sides = sides;
    this.#events = inSeqOrder(events);
    this.#asked = asked;
  }

  static fromFile(file: TraceFile): RecordedTrace {
    return new RecordedTrace(file.meta, observedSides(file.events), file.events);
  }

  get events(): readonly TraceEvent[] {
    return this.#events;
  }

  get transcript(): readonly TranscriptEntry[] {
    return (this.#transcript ??= transcriptEntries(this.#events, this.#sides));
  }

  get title(): string {
    return this.meta.title ?? this.meta.scenario ?? 'FTP session';
  }

  /** This trace with one more event; itself when the event is already held (the start reply and the pushes can overlap). */
  withEvent(event: TraceEvent): RecordedTrace {
    if (this.event(event.seq)) return this;
    return new RecordedTrace(this.meta, this.#sides, [...this.#events, event], this.#asked);
  }

  /**
   * This trace with several more events (a host batch): one copy of the trace, not one per event. Events older than
   * this trace's last (a session newly followed, sent from its start) are merged in by seq in one pass.
   */
  withEvents(events: readonly TraceEvent[]): RecordedTrace {
    const fresh = inSeqOrder(events.filter((e) => !this.event(e.seq)));
    if (fresh.length === 0) return this;
    const last = this.#events[this.#events.length - 1];
    const merged = !last || fresh[0]!.seq > last.seq ? [...this.#events, ...fresh] : mergeBySeq(this.#events, fresh);
    return new RecordedTrace(this.meta, this.#sides, merged, this.#asked);
  }

  /** This trace without the events of these FTP sessions (a watched server's sessions the page follows no more). */
  withoutSessions(sessions: readonly number[]): RecordedTrace {
    if (sessions.length === 0) return this;
    const kept = withoutSessions(this.#events, new Set(sessions));
    return kept.length === this.#events.length ? this : new RecordedTrace(this.meta, this.#sides, kept, this.#asked);
  }

  /** The same session drawn from other events (a watched server's followed sessions changed). */
  withEventsReplaced(events: readonly TraceEvent[]): RecordedTrace {
    return new RecordedTrace(this.meta, this.#sides, events, this.#asked);
  }

  event(seq: number): TraceEvent | undefined {
    let lo = 0;
    let hi = this.#events.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const found = this.#events[mid]!;
      if (found.seq === seq) return found;
      if (found.seq < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** The whole diagram so far (with the layers asked for: they add marks and row height, never rows); `laneGap`: how far apart the lanes are (default: as exports draw them). */
  full(asked?: TraceAxis, layers: DiagramLayers = {}, laneGap?: number): DiagramModel {
    if (asked !== undefined) this.#asked = { axis: asked, layers, laneGap };
    const axis = asked ?? 'step';
    const key = layoutKey(axis, layers, laneGap);
    let model = this.#layouts.get(key);
    if (!model) {
      model = layoutTrace(this.#events, { title: this.title, axis, ...layers, ...(laneGap !== undefined ? { laneGap } : {}) });
      this.#layouts.set(key, model);
    }
    return model;
  }

  /** The diagram's rows (the same in every layout: layers and the axis move rows, never add any), from the layout the screen last asked for. */
  get rows(): readonly Row[] {
    const asked = this.#asked;
    return (asked ? this.full(asked.axis, asked.layers, asked.laneGap) : this.full()).rows;
  }

  /** How many steps (rows) the diagram has: the same on either axis. */
  get steps(): number {
    return this.rows.length;
  }

  /** The diagram as it stood after `step` rows (0: lanes only): a layout of the trace up to that row's event. */
  upTo(step: number, axis: TraceAxis = 'step', layers: DiagramLayers = {}, laneGap?: number): DiagramModel {
    const full = this.full(axis, layers, laneGap);
    if (step >= full.steps) return full;
    const key = layoutKey(axis, layers, laneGap);
    if (this.#prefix?.step === step && this.#prefix.key === key) return this.#prefix.model;
    const to = stepReach(full, step, layers.kernelStates ?? false);
    // On the time axis, the whole session's scale: each row stays where the whole diagram has it as steps go by.
    const model = layoutTrace(this.#events, {
      title: this.title,
      axis,
      range: { from: 1, to },
      ...layers,
      ...(laneGap !== undefined ? { laneGap } : {}),
      ...(full.timeAxis ? { timeScale: full.timeAxis.scale, wholeRows: full.rows } : {}),
    });
    this.#prefix = { step, key, model };
    return model;
  }

  /** The event shown on a row. */
  rowEvent(step: number): TraceEvent | undefined {
    const row = this.rows[step];
    return row ? this.event(row.seq) : undefined;
  }

  toFile(): TraceFile {
    return createTraceFile(this.meta, this.#events);
  }
}
