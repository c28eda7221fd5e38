// Records a machine's state changes in the trace (from, to, and the event that moved it) via XState's inspection API.

import type { InspectionEvent } from 'xstate';
import type { TraceRecorder } from '../../core/trace/traceRecorder';
import type { Side } from '../../core/trace/traceEvent';

/** 'loggedIn.transfer.opening' from XState's nested state value. */
export function stateName(value: unknown): string {
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

export function stateTracer(recorder: TraceRecorder, machine: 'client' | 'server', side: Side, session?: number) {
  let previous: string | undefined;
  let rootId: string | undefined;
  return (inspection: InspectionEvent) => {
    if (inspection.type !== '@xstate.snapshot') return;
    // Only the session machine itself: its socket and file actors have no states to show.
    rootId ??= inspection.rootId;
    if (inspection.actorRef.sessionId !== inspection.rootId) return;
    const value = (inspection.snapshot as { value?: unknown }).value;
    const to = stateName(value);
    if (to === previous || to === '') return;
    recorder.record({
      type: 'state', side, machine, from: previous ?? '(start)', to, event: eventName(inspection.event as { type: string }),
      ...(session !== undefined ? { session } : {}),
    });
    previous = to;
  };
}
