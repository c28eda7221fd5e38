// The diagram model an export draws: the whole trace or a range of its steps, optionally with the
// narration as note rows. A step is a numbered row of the full diagram (what the app's step counter and the
// SVG's margin count), so "steps 5..12" names the same rows in every format.

import { Narrator, type Narration } from '../../scenarios/narration';
import type { NoteEvent, TraceEvent, TraceFile } from '../../trace/traceEvent';
import type { DiagramModel, Row } from './diagramModel';
import { layoutTrace } from './layout';
import { stepReach } from './stepReach';

/** Steps from..to, counted from 1 and inclusive; `to` omitted means to the last step. */
export interface StepRange {
  readonly from: number;
  readonly to?: number;
}

export interface ExportModelOptions {
  readonly range?: StepRange;
  /** Add each step's narration as note rows under it (unnumbered). */
  readonly notes?: boolean;
  /** Defaults to the trace's title. */
  readonly title?: string;
  /** Each end's kernel TCP state on its lane (LayoutOptions.kernelStates). */
  readonly kernelStates?: boolean;
  /** The TCP layer: SYN / SYN-ACK / ACK and FIN / ACK arrows (LayoutOptions.tcp). */
  readonly tcp?: boolean;
  /** 'time': rows spaced by the real time between them, arrows slanted from the sender's record to the receiver's (default 'step'). */
  readonly axis?: 'step' | 'time';
}

export class StepRangeError extends Error {
  override readonly name = 'StepRangeError';
}

/** Parses 'N..M', 'N..', '..M' or 'N' (one step). Throws StepRangeError with a sentence a person can act on. */
export function parseStepRange(text: string): StepRange {
  const m = /^\s*(\d*)\s*(?:(\.\.)\s*(\d*))?\s*$/.exec(text);
  const from = m?.[1] ? Number(m[1]) : m?.[2] ? 1 : NaN;
  const to = m?.[2] ? (m[3] ? Number(m[3]) : undefined) : from;
  if (!m || (!m[1] && !m[3]) || !Number.isSafeInteger(from) || from < 1 || (to !== undefined && (!Number.isSafeInteger(to) || to < from))) {
    throw new StepRangeError(`"${text}" is not a step range: write N..M with 1 <= N <= M (N.. runs to the end).`);
  }
  return to === undefined ? { from } : { from, to };
}

/** The diagram title an export uses when none is given. */
export function traceTitle(trace: TraceFile): string {
  return trace.meta.title ?? trace.meta.scenario ?? 'FTP session';
}

/**
 * Each shown step's narration, by the seq of the event that takes the row. The narrator hears every event
 * in order (it remembers the last command), but only rows get a sentence, so a message recorded at both
 * ends is told once.
 */
export function narrateSteps(trace: TraceFile, model: DiagramModel): Map<number, Narration> {
  const rowSeqs = new Set(model.rows.map((r) => r.seq));
  // With the kernel-states layer: each TIME_WAIT drawn is explained on the step it is drawn at (why that end waits).
  const timeWaits = new Map<number, number>();
  for (const mark of model.marks) {
    const row = model.rows[mark.step];
    if (mark.kind === 'kernel-state' && mark.state === 'TIME_WAIT' && !mark.openAtStart && row) timeWaits.set(mark.seqs.at(-1) ?? -1, row.seq);
  }
  const narrator = new Narrator(trace.meta.scenario !== undefined ? { scenario: trace.meta.scenario } : {});
  const told = new Map<number, Narration>();
  for (const event of trace.events) {
    const narration = narrator.narrate(event);
    if (!narration) continue;
    if (rowSeqs.has(event.seq)) told.set(event.seq, narration);
    const rowSeq = timeWaits.get(event.seq);
    if (rowSeq === undefined) continue;
    const step = told.get(rowSeq);
    told.set(rowSeq, step ? { ...step, text: `${step.text} ${narration.text}`, rfc: [step.rfc, narration.rfc].filter(Boolean).join('; ') } : narration);
  }
  return told;
}

/** One narration as the text of a note: the sentence, its RFC section, and the textbook's version if it differs. */
export function narrationText(n: Narration): string {
  return `${n.text}${n.rfc ? ` (RFC ${n.rfc})` : ''}${n.textbook ? ` ${n.textbook}` : ''}`;
}

/** Lays the trace out for export: the range of steps asked for, narration notes if asked, rows numbered as in the full diagram. */
export function exportModel(trace: TraceFile, options: ExportModelOptions = {}): DiagramModel {
  const title = options.title ?? traceTitle(trace);
  const layers = { ...(options.kernelStates ? { kernelStates: true } : {}), ...(options.tcp ? { tcp: true } : {}) };
  const axis = options.axis ?? 'step';
  const full = layoutTrace(trace.events, { title, axis, ...layers });
  if (!options.range && !options.notes) return full;

  let seqRange: { from: number; to: number } | undefined;
  if (options.range) {
    const { from } = options.range;
    const to = options.range.to ?? full.steps;
    if (full.steps === 0) throw new StepRangeError('The trace has no steps to choose from.');
    if (from > full.steps || to > full.steps) {
      throw new StepRangeError(`The diagram has ${full.steps} steps; steps ${from}..${to} are not all there.`);
    }
    const first = full.rows[from - 1];
    if (first) seqRange = { from: first.seq, to: stepReach(full, to, options.kernelStates ?? false) };
  }

  let events: readonly TraceEvent[] = trace.events;
  if (options.notes) events = withNotes(trace.events, narrateSteps(trace, full));
  // A narration wraps inside its one box, between the control lanes (a little inside them).
  // A range is drawn on the whole session's time scale, so its gaps look as they do in the whole picture.
  const model = layoutTrace(events, {
    title,
    ...layers,
    axis,
    ...(full.timeAxis ? { timeScale: full.timeAxis.scale, wholeRows: full.rows } : {}),
    ...(seqRange ? { range: seqRange } : {}),
    ...(options.notes ? { wrapNotes: (full.lanes[3]?.x ?? 0) - (full.lanes[0]?.x ?? 0) - 24 } : {}),
  });
  // The time axis labels rows by their time; the step axis by their number in the full diagram. Note rows
  // (on either axis) are not steps: their margin stays blank, rather than repeating their step's time.
  const stepOf = new Map(full.rows.map((r) => [r.seq, r.step]));
  const rows: Row[] = model.rows.map((row) => {
    const step = stepOf.get(row.seq);
    return { ...row, label: step === undefined ? '' : axis === 'time' ? row.label : String(step + 1) };
  });
  return { ...model, rows };
}

/** The events with one note event, the whole narration, after each narrated step (the layout wraps it). */
function withNotes(events: readonly TraceEvent[], narration: ReadonlyMap<number, Narration>): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const event of events) {
    out.push(event);
    const told = narration.get(event.seq);
    if (told) out.push({ type: 'note', seq: event.seq + 0.5, t: event.t, side: event.side, text: narrationText(told) } satisfies NoteEvent);
  }
  return out;
}
