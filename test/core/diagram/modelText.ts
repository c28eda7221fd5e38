// A diagram model as short text lines, one per row, so layout tests read as tables.

import type { DiagramModel, Mark } from '../../../core/diagram/layout/diagramModel';

const lanesOf = (m: Mark): string => ('fromLane' in m ? `${m.fromLane} → ${m.toLane}` : 'lane' in m ? m.lane : '');

/** One line per row: `kind lanes: label [badge]`. Badges and connection spans are folded into their rows. */
export function rowLines(model: DiagramModel): string[] {
  const lines: string[] = [];
  const badges = new Map<string, string>();
  for (const m of model.marks) if (m.kind === 'close-badge') badges.set(m.of, m.text);
  for (const m of model.marks) {
    if (m.kind === 'close-badge' || m.kind === 'connection') continue;
    const text = 'label' in m ? m.label : m.text;
    const badge = badges.get(m.id);
    lines[m.step] = `${m.kind} ${lanesOf(m)}: ${text}${badge ? ` [${badge}]` : ''}`;
  }
  return lines;
}

export function marksOf<K extends Mark['kind']>(model: DiagramModel, kind: K): Extract<Mark, { kind: K }>[] {
  return model.marks.filter((m): m is Extract<Mark, { kind: K }> => m.kind === kind);
}
