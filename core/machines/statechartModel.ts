// The statechart panels' data, read from the machine definitions themselves (not drawn by hand):
// each state with its children and outgoing transitions, and which state a trace says is active.

import type { AnyStateMachine } from 'xstate';
import type { TraceEvent } from '../trace/traceEvent';

export interface StatechartNode {
  /** Dotted path below the machine, as the trace's state events name it ('loggedIn.transfer.opening'). */
  readonly path: string;
  readonly key: string;
  /** Its children run side by side (regions), as the server's `session` and `data` do. */
  readonly parallel: boolean;
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
    return { path: pathOf(node.id), key: node.key, parallel: node.type === 'parallel', children: Object.values(node.states).map(walk), transitions };
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

/**
 * The region of a machine a state path belongs to: its first segment when the machine's top level is
 * parallel ('data' for 'data.open'), '' otherwise. A trace recorded before the server had regions names
 * its session states without the prefix ('loggedIn.idle'): those belong to the first region.
 */
export function regionOf(tree: StatechartNode, path: string): string {
  if (!tree.parallel) return '';
  const first = path.split('.')[0] ?? '';
  return tree.children.some((c) => c.key === first) ? first : (tree.children[0]?.key ?? '');
}

/** A state path as the machine's tree names it: an old trace's session path gets its region prefix. */
export function treePath(tree: StatechartNode, path: string): string {
  if (path === '(start)') return path;
  const region = regionOf(tree, path);
  return region === '' || path === region || path.startsWith(`${region}.`) ? path : `${region}.${path}`;
}

/** The state each region of a machine was in after trace event `uptoSeq`, in the tree's region order (none before its first state event). */
export function activeStates(events: readonly TraceEvent[], machine: 'client' | 'server', uptoSeq: number, tree: StatechartNode): ActiveState[] {
  const found = new Map<string, ActiveState>();
  for (const e of events) {
    if (e.seq > uptoSeq) break;
    if (e.type !== 'state' || e.machine !== machine) continue;
    const path = treePath(tree, e.to);
    found.set(regionOf(tree, path), { path, event: e.event, from: treePath(tree, e.from), seq: e.seq });
  }
  const order = tree.parallel ? tree.children.map((c) => c.key) : [''];
  return order.flatMap((region) => (found.has(region) ? [found.get(region)!] : []));
}
