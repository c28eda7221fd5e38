// How a host's trace.event / trace.events message changes the trace the page holds: one event appended, a batch
// merged in by seq, a watched server's sessions followed no more removed first, or the whole picture replaced.

import type { HostMessage } from '../core/api/labApi';
import type { TraceEvent } from '../core/trace/traceEvent';
import type { RecordedTrace } from './recordedTrace';

type TraceMessage = Extract<HostMessage, { type: 'trace.event' | 'trace.events' }>;

export interface TraceChange {
  readonly trace: RecordedTrace;
  /**
   * Rows were removed or put in before the last (the followed sessions changed, or a resync): the picture is to be
   * shown from its start, as a trace just opened would be, not animated in as live rows are.
   */
  readonly reshaped: boolean;
}

export function withHostEvents(before: RecordedTrace, message: TraceMessage): TraceChange {
  if (message.type === 'trace.event') return { trace: before.withEvent(message.event), reshaped: false };
  if (message.replace) return { trace: before.withEventsReplaced(message.events), reshaped: true };
  const trace = before.withoutSessions(message.dropSessions ?? []).withEvents(message.events);
  return { trace, reshaped: message.dropSessions !== undefined || insertsBefore(before, message.events) };
}

/** Whether some of these events (in seq order) go before the trace's last one rather than after it. */
const insertsBefore = (trace: RecordedTrace, events: readonly TraceEvent[]) =>
  events.length > 0 && trace.events.length > 0 && events[0]!.seq < trace.events[trace.events.length - 1]!.seq;
