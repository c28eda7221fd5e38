// Records a machine's state changes in the trace (from, to, and the event that moved it) via XState's inspection API.

import type { InspectionEvent } from 'xstate';
import type { TraceRecorder } from '../../core/trace/traceRecorder';
import type { Side } from '../../core/trace/traceEvent';

/** 'loggedIn.transfer.opening' from XState's nested state value. */
function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [key, inner] = Object.entries(value as Record<string, unknown>)[0] ?? ['', ''];
    const rest = stateName(inner);
    return rest ? `${key}.${rest}` : key;
  }
  return '';
}

/**
 * How an event is named in the trace: a command shows its verb ('cmd STOR'); XState's generated
 * names become words ('done: preparing' for an invoked actor finishing, 'after loginDelay').
 */
function eventName(event: { type: string; verb?: unknown }): string {
  if (typeof event.verb === 'string') return `${event.type} ${event.verb}`;
  if (event.type.startsWith('xstate.done.actor.')) return `done: ${event.type.split('.').pop()}`;
  if (event.type.startsWith('xstate.error.actor.')) return `failed: ${event.type.split('.').pop()}`;
  if (event.type.startsWith('xstate.after.')) return `after ${event.type.split('.')[2]}`;
  if (event.type === 'xstate.init') return 'start';
  return event.type;
}

/**
 * The active state of each region, keyed by region: one entry ('' → 'loggedIn.transfer.opening') for a machine
 * without regions; one per region ('session' → 'session.loggedIn.idle', 'data' → 'data.open') for a parallel one.
 */
function regionStates(value: unknown, parallel: boolean): [region: string, path: string][] {
  if (!parallel || !value || typeof value !== 'object') return [['', stateName(value)]];
  return Object.entries(value as Record<string, unknown>).map(([region, inner]) => {
    const rest = stateName(inner);
    return [region, rest ? `${region}.${rest}` : region];
  });
}

export function stateTracer(recorder: TraceRecorder, machine: 'client' | 'server', side: Side, session?: number) {
  // The state each region was last recorded in: a change in one region is one state event.
  const previous = new Map<string, string>();
  return (inspection: InspectionEvent) => {
    if (inspection.type !== '@xstate.snapshot') return;
    // Only the session machine itself: its socket and file actors have no states to show.
    if (inspection.actorRef.sessionId !== inspection.rootId) return;
    const snapshot = inspection.snapshot as { value?: unknown; machine?: { root?: { type?: string } } };
    const parallel = snapshot.machine?.root?.type === 'parallel';
    for (const [region, to] of regionStates(snapshot.value, parallel)) {
      const from = previous.get(region);
      if (to === from || to === '') continue;
      recorder.record({
        type: 'state',
        side,
        machine,
        from: from ?? '(start)',
        to,
        event: eventName(inspection.event as { type: string }),
        ...(session !== undefined ? { session } : {}),
      });
      previous.set(region, to);
    }
  };
}
