// The transcript's lines for a trace: core/trace's TranscriptWriter over the events in seq order, each tagged
// with its direction (the panel colours commands and replies apart from connection and data lines).

import { TranscriptWriter } from '../core/trace/transcript';
import type { Side, TraceEvent } from '../core/trace/traceEvent';

export interface TranscriptEntry {
  readonly seq: number;
  readonly text: string;
  /** 'c2s' / 's2c' for wire messages, 'info' for connection and data lines. */
  readonly kind: 'c2s' | 's2c' | 'info';
}

/** `sides`: whose sockets the trace records (a message seen at both ends is written once, from its sender). */
export function transcriptEntries(events: readonly TraceEvent[], sides: ReadonlySet<Side>): TranscriptEntry[] {
  const writer = new TranscriptWriter(new Set(sides));
  const entries: TranscriptEntry[] = [];
  for (const event of events) {
    const text = writer.line(event);
    if (text === undefined) continue;
    const kind = text.startsWith('C→S') ? 'c2s' : text.startsWith('S→C') ? 's2c' : 'info';
    entries.push({ seq: event.seq, text: kind === 'info' ? text.trimStart() : text, kind });
  }
  return entries;
}
