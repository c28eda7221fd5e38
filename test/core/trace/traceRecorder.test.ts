// The trace recorder: one sequence and clock for every event, kept for the end or only handed to listeners.

import { describe, expect, it } from 'vitest';
import { TraceRecorder } from '../../../core/trace/traceRecorder';
import type { TraceEvent } from '../../../core/trace/traceEvent';

const note = (text: string) => ({ type: 'note' as const, side: 'server' as const, text });

describe('TraceRecorder', () => {
  it('keeps every event by default, numbered from 1, timed from its start', () => {
    let now = 100;
    const recorder = new TraceRecorder(() => now);
    now = 101.5;
    recorder.record(note('one'));
    now = 103.25;
    recorder.record(note('two'));
    expect(recorder.events.map((e) => [e.seq, e.t, (e as { text: string }).text])).toEqual([
      [1, 1.5, 'one'],
      [2, 3.25, 'two'],
    ]);
  });

  it('with retain: false, hands every event to its listeners in order and keeps none', () => {
    const recorder = new TraceRecorder(() => 0, { retain: false });
    const seen: TraceEvent[] = [];
    recorder.subscribe((e) => seen.push(e));
    for (let i = 0; i < 1000; i += 1) recorder.record(note(`n${i}`));
    expect(seen.map((e) => e.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    // Reading events of a recorder that keeps none is a mistake, said at once rather than an empty list.
    expect(() => recorder.events).toThrow(/keeps no events/);
  });
});
