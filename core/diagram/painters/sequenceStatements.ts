// A diagram model as a list of sequence-diagram statements (arrows, notes, activations), in row order: what
// the Mermaid and PlantUML painters both write, each in its own syntax and with its own escaping.

import { byteCountText } from '../../trace/byteCounts';
import type { ConnectionColour, DiagramModel, LaneId, Mark } from '../layout/diagramModel';

/** How an arrow looks: the painters pick their language's arrow for each. */
export type ArrowStyle = 'command' | 'reply' | 'connect' | 'fin' | 'rst' | 'refused' | 'transfer' | 'marker' | 'segment';

export type Statement =
  | {
      readonly kind: 'arrow';
      readonly style: ArrowStyle;
      readonly from: LaneId;
      readonly to: LaneId;
      /** The step number ('' for an unnumbered note row). */
      readonly step: string;
      /** Lines of text, untrusted: each painter escapes them. */
      readonly lines: readonly string[];
      readonly colour: ConnectionColour;
    }
  | {
      readonly kind: 'note';
      /** One lane, or the first and last of a span of lanes. */
      readonly over: readonly LaneId[];
      readonly step: string;
      /** Lines of text, untrusted: each painter escapes them. */
      readonly lines: readonly string[];
      readonly tone: 'closed' | 'reset' | 'open' | 'cut' | 'info' | 'narration';
    }
  | { readonly kind: 'activate' | 'deactivate'; readonly lane: LaneId; readonly colour: ConnectionColour };

/** How many lines of a multi-line reply (FEAT, HELP) are written out before the rest is summarised. */
const MAX_REPLY_LINES = 12;

export function sequenceStatements(model: DiagramModel): Statement[] {
  const byStep: Mark[][] = Array.from({ length: model.steps }, () => []);
  const opens: Statement[][] = Array.from({ length: model.steps }, () => []);
  const closes: Statement[][] = Array.from({ length: model.steps }, () => []);
  const marks = new Map(model.marks.map((m) => [m.id, m]));
  for (const mark of model.marks) {
    if (mark.kind === 'connection') {
      // A data connection's life as an activation on both data lanes, from its connect row to its close row.
      for (const lane of ['client-data', 'server-data'] as const) {
        opens[mark.stepFrom]?.push({ kind: 'activate', lane, colour: mark.colour });
        closes[mark.stepTo]?.unshift({ kind: 'deactivate', lane, colour: mark.colour });
      }
    } else {
      byStep[mark.step]?.push(mark);
    }
  }
  const out: Statement[] = [];
  // A layer asked for that the trace cannot show says so first (no kernel TCP states recorded).
  if (model.layerNotes && model.layerNotes.length > 0)
    out.push({ kind: 'note', over: ['client', 'server'], step: '', lines: [model.layerNotes.join(' ')], tone: 'info' });
  for (let step = 0; step < model.steps; step++) {
    const label = model.rows[step]?.label ?? '';
    for (const mark of byStep[step] ?? []) {
      const statement = statementOf(mark, label, marks);
      if (statement) out.push(statement);
    }
    out.push(...(opens[step] ?? []), ...(closes[step] ?? []));
  }
  return out;
}

function statementOf(mark: Mark, step: string, marks: ReadonlyMap<string, Mark>): Statement | undefined {
  const arrow = (style: ArrowStyle, lines: readonly string[]): Statement | undefined =>
    'fromLane' in mark ? { kind: 'arrow', style, from: mark.fromLane, to: mark.toLane, step, lines, colour: mark.colour ?? 'control' } : undefined;
  switch (mark.kind) {
    case 'message': {
      if (mark.message === 'command') return arrow('command', [mark.detail.line ?? mark.label]);
      const lines = (mark.detail.lines ?? '').split('\n');
      const shown = lines.slice(0, MAX_REPLY_LINES);
      const [first = '', ...rest] = shown;
      const more = lines.length > shown.length ? [`… ${lines.length - shown.length} more lines`] : [];
      return arrow('reply', [`${mark.code ?? ''} ${first}`.trimEnd(), ...rest, ...more]);
    }
    case 'connect':
      return arrow('connect', [mark.label]);
    case 'fin':
      return arrow('fin', [mark.label]);
    case 'rst':
      return arrow('rst', [mark.label]);
    case 'refused':
      return arrow('refused', [mark.label]);
    case 'transfer':
      return arrow('transfer', [
        `${byteCountText(mark)} · TYPE ${mark.representation} MODE ${mark.mode} · ${mark.durationMs.toFixed(1)} ms${mark.complete ? '' : ' (cut short)'}`,
      ]);
    case 'marker': {
      const hex = mark.hex ? ` ${mark.hex}` : '';
      const text = mark.marker === 'eof' ? `EOF marker${hex}` : mark.marker === 'restart' ? `restart marker ${mark.value ?? ''}${hex}` : `end of record${hex}`;
      return arrow('marker', [text]);
    }
    case 'close-badge': {
      const of = marks.get(mark.of);
      const lane = of && 'fromLane' in of ? of.fromLane : mark.channel === 'data' ? 'server-data' : 'server';
      return { kind: 'note', over: [lane], step, lines: [mark.text], tone: mark.tone };
    }
    case 'listen':
      return { kind: 'note', over: [mark.lane], step, lines: [mark.label], tone: 'info' };
    case 'note':
      // A wrapped note keeps its lines (one note, not one per line); a one-line note its whole, uncut text.
      return {
        kind: 'note',
        over: ['client', 'server'],
        step,
        lines: mark.lines.length > 1 ? mark.lines : [mark.detail.text ?? mark.text],
        tone: step ? 'info' : 'narration',
      };
    case 'state':
      return { kind: 'note', over: [mark.lane], step, lines: [`${mark.machine}: ${mark.from} → ${mark.to} (${mark.event})`], tone: 'info' };
    case 'segment':
      return arrow('segment', [mark.label]);
    case 'kernel-state':
      return { kind: 'note', over: [mark.lane], step, lines: [`${mark.side}'s kernel: ${mark.state}`], tone: 'info' };
    case 'connection':
      return undefined;
  }
}
