// Two runs of a trace's events, each in seq order, merged into one in a single pass: a page that starts following
// one more session takes that session's earlier events into the trace it holds without sorting it again.

import type { TraceEvent } from './traceEvent';

/** Two lists in seq order merged into one, in one pass; an event whose seq is in both is taken once (from `a`). */
export function mergeBySeq(a: readonly TraceEvent[], b: readonly TraceEvent[]): TraceEvent[] {
  const merged: TraceEvent[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x.seq < y.seq) merged.push(a[i++]!);
    else if (y.seq < x.seq) merged.push(b[j++]!);
    else {
      merged.push(x);
      i += 1;
      j += 1;
    }
  }
  while (i < a.length) merged.push(a[i++]!);
  while (j < b.length) merged.push(b[j++]!);
  return merged;
}
