// The host's pushes as a test reads them: a HostBatch opened into its messages, a group of events (trace.events)
// into one trace.event each, so a test can look for one event whatever batch it came in.

import type { HostBatch, HostMessage } from '../../core/api/labApi';

export function openBatch(batch: HostBatch): HostMessage[] {
  return batch.messages.flatMap((m) =>
    m.type === 'trace.events' ? m.events.map((event) => ({ type: 'trace.event' as const, sessionId: m.sessionId, event })) : [m],
  );
}
