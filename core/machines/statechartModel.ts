// The statechart panels' data, read from the machine definitions themselves (not drawn by hand):
// each state with its children and outgoing transitions, and which state a trace says is active.

import type { AnyStateMachine } from 'xstate';
import type { TraceEvent } from '../trace/traceEvent';

export interface StatechartNode {
  /** Dotted path below the machine, as the trace's state events name it ('loggedIn.transfer.opening'). */
  readonly path: string;
  readonly key: string;
  readonly children: readonly StatechartNode[];
  /** Outgoing transitions: the event and the target path ('' when the transition stays in the state). */
  readonly transitions: readonly { readonly event: string; readonly target: string }[];
}

/** XState's generated event names for eventless, delayed and actor-done transitions, in words. */
function eventLabel(eventType: string): string {
  if (eventType === '') return '(always)';
  if (eventType.startsWith('xstate.after.')) return `after ${eventType.split('.')[2] ?? 'delay'}`;
  if (eventType.startsWith('xstate.done.actor.')) return 'done';
  if (eventType.startsWith('xstate.error.actor.')) return 'error';
  return eventType;
}

export function describeMachine(machine: AnyStateMachine): StatechartNode {
  const rootId = machine.root.id;
  const pathOf = (id: string) => (id === rootId ? '' : id.slice(rootId.length + 1));
  const walk = (node: AnyStateMachine['root']): StatechartNode => {
    const transitions: { event: string; target: string }[] = [];
    const seen = new Set<string>();
    for (const list of node.transitions.values()) {
      for (const t of list) {
        const target = (t.target ?? []).map((n) => pathOf(n.id)).join(',');
        const entry = { event: eventLabel(t.eventType), target };
        const key = `${entry.event}>${entry.target}`;
        if (!seen.has(key)) transitions.push(entry);
        seen.add(key);
      }
    }
    for (const t of node.always ?? []) {
      const target = (t.target ?? []).map((n) => pathOf(n.id)).join(',');
      if (target && !seen.has(`(always)>${target}`)) transitions.push({ event: '(always)', target });
      seen.add(`(always)>${target}`);
    }
    return { path: pathOf(node.id), key: node.key, children: Object.values(node.states).map(walk), transitions };
  };
  return walk(machine.root);
}

export interface ActiveState {
  readonly path: string;
  /** The event that moved the machine there ('cmd STOR', 'data.closed'). */
  readonly event: string;
  readonly from: string;
  readonly seq: number;
}

/** The state a machine was in after trace event `uptoSeq` (undefined before its first state event). */
export function activeState(events: readonly TraceEvent[], machine: 'client' | 'server', uptoSeq: number): ActiveState | undefined {
  let found: ActiveState | undefined;
  for (const e of events) {
    if (e.seq > uptoSeq) break;
    if (e.type === 'state' && e.machine === machine) found = { path: e.to, event: e.event, from: e.from, seq: e.seq };
  }
  return found;
}
