// The time axis with the diagram's layers on: the TCP layer's segment lines and the kernel-state bands must
// agree with the time the axis draws (the lines under an event take no time; a band begins when it was read).

import { describe, expect, it } from 'vitest';
import { layoutTrace } from '../../../../core/diagram/layout/layout';
import { gapHeight } from '../../../../core/diagram/layout/timeScale';
import type { DiagramModel } from '../../../../core/diagram/layout/diagramModel';
import { fixtures } from '../fixtures';
import { marksOf } from '../modelText';

const traces = [
  { name: 'textbook upload', trace: fixtures.textbookUpload },
  { name: 'download', trace: fixtures.download },
  { name: 'textbook upload with kernel states', trace: fixtures.textbookUploadKernel },
  { name: 'download with kernel states', trace: fixtures.downloadKernel },
];

/** Each row after the first: its time gap (from the latest row time before it) and the gap's drawn height from the bottom of the row before's lines. */
function gapsOf(model: DiagramModel): { ms: number; height: number; y1: number; y2: number }[] {
  const out: { ms: number; height: number; y1: number; y2: number }[] = [];
  let last = model.rows[0]?.t ?? 0;
  for (let i = 1; i < model.rows.length; i++) {
    const row = model.rows[i]!;
    const before = model.rows[i - 1]!;
    const y1 = before.y + (before.extra ?? 0);
    out.push({ ms: row.t - last, height: row.y - y1, y1, y2: row.y });
    last = Math.max(last, row.t);
  }
  return out;
}

describe('time axis with the TCP layer', () => {
  it.each(traces)('$name: every segment line lies at or below the end of its parent arrow', ({ trace }) => {
    const model = layoutTrace(trace.events, { axis: 'time', tcp: true, kernelStates: true });
    const segments = marksOf(model, 'segment');
    expect(segments.length).toBeGreaterThan(0);
    const parents = new Map(model.marks.map((m) => [m.id, m]));
    for (const segment of segments) {
      const parent = parents.get(segment.of);
      expect(parent && 'yEnd' in parent, segment.id).toBe(true);
      if (parent && 'yEnd' in parent) expect(segment.y, segment.id).toBeGreaterThanOrEqual(parent.yEnd);
    }
  });

  it.each(traces)('$name: a gap’s height is monotonic in its time, and the margin labels the same gaps', ({ trace }) => {
    const model = layoutTrace(trace.events, { axis: 'time', tcp: true });
    const scale = model.timeAxis!.scale;
    const gaps = gapsOf(model);
    expect(model.rows.some((r) => (r.extra ?? 0) > 0)).toBe(true);
    for (const gap of gaps) expect(gap.height).toBeCloseTo(gapHeight(scale, gap.ms), 1);
    const sorted = [...gaps].sort((a, b) => a.ms - b.ms);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.height).toBeGreaterThanOrEqual(sorted[i - 1]!.height - 0.02);
    // A gap's label spans the gap alone (not the lines above it), and a longer gap is labelled whenever a shorter one is.
    const labelled = model.timeAxis!.gaps;
    for (const label of labelled)
      expect(
        gaps.some((g) => Math.abs(g.y1 - label.y1) < 0.02 && Math.abs(g.y2 - label.y2) < 0.02),
        label.label,
      ).toBe(true);
    const shortest = Math.min(...labelled.map((l) => gaps.find((g) => Math.abs(g.y2 - l.y2) < 0.02)!.ms));
    expect(labelled.length).toBe(gaps.filter((g) => g.ms >= shortest).length);
  });

  it('a moment after a row with segment lines lies below the lines', () => {
    const model = layoutTrace(fixtures.download.events, { axis: 'time', tcp: true });
    // Every arrow that lands after its own row lands below the lines of any row it passes.
    for (const m of model.marks) {
      if (!('yEnd' in m) || m.yEnd <= m.y) continue;
      for (const row of model.rows) {
        if (row.step === m.step || !row.extra) continue;
        const inLines = m.yEnd > row.y && m.yEnd < row.y + row.extra;
        expect(inLines, `${m.id} lands inside the lines of row ${row.step}`).toBe(false);
      }
    }
  });
});
