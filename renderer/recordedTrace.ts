// The trace the renderer holds: events as they arrive (live) or as loaded, their transcript lines, and
// the diagram laid out by core/diagram up to any step. Stepping back is a re-layout of a prefix, never a replay.

import { layoutTrace } from '../core/diagram/layout/layout';
import type { DiagramModel } from '../core/diagram/layout/diagramModel';
import { observedSides } from '../core/trace/closeMeaning';
import type { Side, TraceEvent, TraceFile, TraceMeta } from '../core/trace/traceEvent';
import { createTraceFile } from '../core/trace/traceFile';
import { TranscriptLog } from './transcriptPanel';

export class RecordedTrace {
  readonly #events: TraceEvent[] = [];
  readonly #bySeq = new Map<number, TraceEvent>();
  readonly #transcript: TranscriptLog;
  #full: DiagramModel | undefined;
  #prefix: { step: number; model: DiagramModel } | undefined;
  #axis: 'step' | 'time' = 'step';

  /** `sides`: whose sockets this trace records (both with the built-in server, only the client against another). */
  constructor(
    readonly meta: TraceMeta,
    sides: Set<Side>,
  ) {
    this.#transcript = new TranscriptLog(sides);
  }

  static fromFile(file: TraceFile): RecordedTrace {
    const trace = new RecordedTrace(file.meta, observedSides(file.events));
    for (const event of file.events) trace.add(event);
    return trace;
  }

  get events(): readonly TraceEvent[] {
    return this.#events;
  }

  get transcript(): TranscriptLog {
    return this.#transcript;
  }

  get title(): string {
    return this.meta.title ?? this.meta.scenario ?? 'FTP session';
  }

  /** Adds an event (ignoring one already held: the start reply and the pushes can overlap). */
  add(event: TraceEvent): boolean {
    if (this.#bySeq.has(event.seq)) return false;
    const last = this.#events[this.#events.length - 1];
    this.#bySeq.set(event.seq, event);
    if (!last || event.seq > last.seq) this.#events.push(event);
    else {
      this.#events.push(event);
      this.#events.sort((a, b) => a.seq - b.seq);
    }
    this.#transcript.add(event);
    this.#full = undefined;
    this.#prefix = undefined;
    return true;
  }

  /** The diagram's vertical axis: one row per step (default), or rows placed by real time. */
  get axis(): 'step' | 'time' {
    return this.#axis;
  }

  set axis(axis: 'step' | 'time') {
    if (axis === this.#axis) return;
    this.#axis = axis;
    this.#full = undefined;
    this.#prefix = undefined;
  }

  event(seq: number): TraceEvent | undefined {
    return this.#bySeq.get(seq);
  }

  /** The whole diagram so far. */
  full(): DiagramModel {
    return (this.#full ??= layoutTrace(this.#events, { title: this.title, axis: this.#axis }));
  }

  get steps(): number {
    return this.full().steps;
  }

  /** The diagram as it stood after `step` rows (0: lanes only): a layout of the trace up to that row's event. */
  upTo(step: number): DiagramModel {
    const full = this.full();
    if (step >= full.steps) return full;
    if (this.#prefix?.step === step) return this.#prefix.model;
    const to = step <= 0 ? 0 : (full.rows[step - 1]?.seq ?? 0);
    const model = layoutTrace(this.#events, { title: this.title, axis: this.#axis, range: { from: 1, to } });
    this.#prefix = { step, model };
    return model;
  }

  /** The event shown on a row. */
  rowEvent(step: number): TraceEvent | undefined {
    const row = this.full().rows[step];
    return row ? this.#bySeq.get(row.seq) : undefined;
  }

  toFile(): TraceFile {
    return createTraceFile(this.meta, this.#events);
  }
}
