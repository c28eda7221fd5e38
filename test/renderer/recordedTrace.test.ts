// RecordedTrace as a live page builds it: a real recorded trace arriving in host batches, the screen asking for its
// own layout (axis, layers, gap between lanes) after each. What it holds must equal a trace made at once from the same
// events (deep equality of layouts, rows, transcript), and a value, once made, never sees the events that came after.

import { describe, expect, it } from 'vitest';
import type { DiagramLayers } from '../../core/diagram/layout/layout';
import type { TraceFile } from '../../core/trace/traceEvent';
import { observedSides } from '../../core/trace/closeMeaning';
import { RecordedTrace, type TraceAxis } from '../../renderer/recordedTrace';
import { fixtures } from '../core/diagram/fixtures';

interface Screen {
  readonly title: string;
  readonly axis: TraceAxis;
  readonly layers: DiagramLayers;
  readonly laneGap: number;
}

const screens: readonly Screen[] = [
  { title: 'step axis at the desk', axis: 'step', layers: {}, laneGap: 200 },
  { title: 'time axis with the TCP layer', axis: 'time', layers: { tcp: true }, laneGap: 170 },
  { title: 'kernel states', axis: 'step', layers: { kernelStates: true }, laneGap: 240 },
];

const traces: readonly { readonly title: string; readonly file: TraceFile }[] = [
  { title: 'block-reuse (both sides)', file: fixtures.blockReuse },
  { title: 'textbook-upload with kernel states', file: fixtures.textbookUploadKernel },
  { title: 'serve-curl (server side only)', file: fixtures.serveCurl },
];

/** The trace as a page following it live holds it: batches of `size` events, the screen's layout asked for after each. */
function arriving(file: TraceFile, screen: Screen, size: number): RecordedTrace[] {
  const values = [new RecordedTrace(file.meta, observedSides(file.events))];
  for (let at = 0; at < file.events.length; at += size) {
    const trace = values[values.length - 1]!.withEvents(file.events.slice(at, at + size));
    trace.upTo(trace.steps, screen.axis, screen.layers, screen.laneGap);
    values.push(trace);
  }
  return values;
}

describe('a trace built batch by batch equals one built at once', () => {
  for (const { title, file } of traces)
    for (const screen of screens)
      it(`${title}, ${screen.title}`, () => {
        const values = arriving(file, screen, 7);
        const built = values[values.length - 1]!;
        const atOnce = new RecordedTrace(file.meta, observedSides(file.events), file.events);
        expect(built.events).toEqual(atOnce.events);
        expect(built.steps).toBe(atOnce.steps);
        // The rows come from the layout the screen asked for (the machine's step count shares it with the diagram).
        expect(built.rows).toEqual(atOnce.full(screen.axis, screen.layers, screen.laneGap).rows);
        expect(built.rows.map((r) => r.seq)).toEqual(atOnce.full().rows.map((r) => r.seq));
        expect(built.full(screen.axis, screen.layers, screen.laneGap)).toEqual(atOnce.full(screen.axis, screen.layers, screen.laneGap));
        expect(built.full()).toEqual(atOnce.full());
        expect(built.transcript).toEqual(atOnce.transcript);
        for (let step = 0; step < built.steps; step++) expect(built.rowEvent(step)).toEqual(atOnce.rowEvent(step));
      });
});

describe('an earlier value never sees later events', () => {
  it.each(traces)('$title', ({ file }) => {
    const screen = screens[1]!;
    const values = arriving(file, screen, 5);
    const sides = observedSides(file.events);
    // Asked again after all later values were made: each answers for its own events only.
    for (const value of values.slice(1, -1)) {
      const own = new RecordedTrace(file.meta, sides, value.events);
      expect(value.events.length).toBeLessThan(file.events.length);
      expect(value.steps).toBe(own.steps);
      expect(value.full(screen.axis, screen.layers, screen.laneGap)).toEqual(own.full(screen.axis, screen.layers, screen.laneGap));
      expect(value.transcript).toEqual(own.transcript);
    }
  });
});
