// The time axis with the diagram's layers on: the TCP layer's segment lines and the kernel-state bands must
// agree with the time the axis draws (the lines under an event take no time; a band begins when it was read).

import { describe, expect, it } from 'vitest';
import { layoutTrace } from '../../../../core/diagram/layout/layout';
import { gapHeight, timeHeight } from '../../../../core/diagram/layout/timeScale';
import type { DiagramModel } from '../../../../core/diagram/layout/diagramModel';
import { fixtures } from '../fixtures';
import { marksOf } from '../modelText';
import { TraceBuilder } from '../traceBuilder';

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

describe('time axis with the kernel states', () => {
  it('a state read long after its row’s event starts where it was read, not at the row', () => {
    const b = new TraceBuilder().connect('control', 'C1', 'client', 40000, 21);
    b.add({ type: 'tcp.state', side: 'client', channel: 'control', conn: 'C1', state: 'ESTABLISHED' }, 0.2);
    b.command('NOOP');
    // The server's kernel is read 50 ms after the command arrived; the reply comes a second later (the margin is 0.1 ms).
    b.add({ type: 'tcp.state', side: 'server', channel: 'control', conn: 'C1', state: 'ESTABLISHED' }, 50);
    b.reply(200, 'NOOP ok.');
    b.add({ type: 'ftp.reply', side: 'server', dir: 'sent', channel: 'control', conn: 'C1', code: 200, lines: ['again'] }, 1000);
    b.add({ type: 'tcp.state', side: 'server', channel: 'control', conn: 'C1', state: 'CLOSE_WAIT' }, 30);
    b.add({ type: 'ftp.command', side: 'client', dir: 'sent', channel: 'control', conn: 'C1', verb: 'QUIT', line: 'QUIT' }, 1000);
    const model = layoutTrace(b.events, { axis: 'time', kernelStates: true });
    const scale = model.timeAxis!.scale;
    const bands = marksOf(model, 'kernel-state').filter((m) => m.side === 'server');
    expect(bands.map((m) => m.state)).toEqual(['ESTABLISHED', 'CLOSE_WAIT']);
    const [established, closeWait] = bands as [(typeof bands)[0], (typeof bands)[0]];
    const row = model.rows[established.stepFrom]!;
    const readAt = (state: string) => b.events.find((e) => e.type === 'tcp.state' && e.side === 'server' && e.state === state)!.t;
    expect(established.y1).toBeCloseTo(row.y + (row.extra ?? 0) + timeHeight(scale, readAt('ESTABLISHED') - row.t), 1);
    expect(established.y1).toBeGreaterThan(row.y + (row.extra ?? 0) + 20);
    // It ends where the next state was read (30 ms after its row), and the next begins there.
    const last = model.rows[closeWait.stepFrom]!;
    expect(closeWait.y1).toBeCloseTo(last.y + timeHeight(scale, readAt('CLOSE_WAIT') - last.t), 1);
    expect(established.y2).toBeCloseTo(closeWait.y1, 1);
    // On the step axis the bands start under their rows, as before.
    const steps = layoutTrace(b.events, { kernelStates: true });
    const onSteps = marksOf(steps, 'kernel-state').find((m) => m.side === 'server')!;
    expect(onSteps.y1).toBeCloseTo(steps.rows[onSteps.stepFrom]!.y + 6, 1);
  });
});
