// The statechart panels' data, read from the machine definitions themselves (not drawn by hand):
// each state with its children, its plain words and its outgoing transitions, and which state a trace says is active.

import type { AnyStateMachine } from 'xstate';
import type { TraceEvent } from '../trace/traceEvent';
import { eventWords } from './stateWords';

export interface StatechartTransition {
  /** The event, named as the trace's state events name it ('data.sent', 'done: gated', '(always)'). */
  readonly event: string;
  /** The target path ('' when the transition stays in the state). */
  readonly target: string;
  /** In plain words: the transition's own description, or the words for its event. */
  readonly label: string;
}

export interface StatechartNode {
  /** Dotted path below the machine, as the trace's state events name it ('loggedIn.transfer.opening'). */
  readonly path: string;
  readonly key: string;
  /** A few plain words for its box (the state's `meta.label`). */
  readonly label: string;
  /** What it does, in a sentence or two (the state's `description`). */
  readonly description: string;
  /** Its children run side by side (regions), as the server's `session` and `data` do. */
  readonly parallel: boolean;
  readonly final: boolean;
  /** Only eventless transitions leave it: the machine passes through at once (UML's choice). */
  readonly transient: boolean;
  /** The child it starts in, by path (compound states only). */
  readonly initial?: string;
  readonly children: readonly StatechartNode[];
  /** Outgoing transitions, one per event and target. */
  readonly transitions: readonly StatechartTransition[];
}

/**
 * An event's name as the trace records it: XState's generated names in words ('done: gated' for an invoked
 * actor finishing, 'after loginDelay'), the rest as they are. main/session/stateTrace.ts records with it.
 */
export function traceEventName(eventType: string): string {
  if (eventType === '') return '(always)';
  if (eventType.startsWith('xstate.done.actor.')) return `done: ${eventType.split('.').pop()}`;
  if (eventType.startsWith('xstate.error.actor.')) return `failed: ${eventType.split('.').pop()}`;
  if (eventType.startsWith('xstate.after.')) return `after ${eventType.split('.')[2]}`;
  if (eventType === 'xstate.init') return 'start';
  return eventType;
}

const wordsFor = (eventType: string): string | undefined => (eventWords as Readonly<Record<string, string>>)[eventType];

export function describeMachine(machine: AnyStateMachine): StatechartNode {
  const rootId = machine.root.id;
  const pathOf = (id: string) => (id === rootId ? '' : id.slice(rootId.length + 1));
  const walk = (node: AnyStateMachine['root']): StatechartNode => {
    const transitions: StatechartTransition[] = [];
    const seen = new Set<string>();
    const add = (t: (typeof node.always & object)[number]) => {
      const target = (t.target ?? []).map((n) => pathOf(n.id)).join(',');
      const event = traceEventName(t.eventType);
      const key = `${event}>${target}`;
      if (seen.has(key)) return;
      seen.add(key);
      transitions.push({ event, target, label: t.description ?? wordsFor(t.eventType) ?? event });
    };
    for (const list of node.transitions.values()) for (const t of list) add(t);
    for (const t of node.always ?? []) if (t.target) add(t);
    const meta = node.meta as { label?: string } | undefined;
    const children = Object.values(node.states).map(walk);
    return {
      path: pathOf(node.id),
      key: node.key,
      label: meta?.label ?? node.key,
      description: node.description ?? '',
      parallel: node.type === 'parallel',
      final: node.type === 'final',
      transient: (node.always?.length ?? 0) > 0 && node.transitions.size === 0 && children.length === 0,
      ...(node.type === 'compound' && node.initial.target[0] ? { initial: pathOf(node.initial.target[0].id) } : {}),
      children,
      transitions,
    };
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

/** A seq range [from, to): from the state event that entered a state to the one that left it. */
export interface SeqRange {
  readonly from: number;
  readonly to: number;
}

/**
 * The seq ranges a machine spent in `path` or any state inside it, by its state events. Only the events
 * of the path's own region count: the data region moving says nothing about where the session is.
 */
export function rangesInState(events: readonly TraceEvent[], machine: string, path: string, tree: StatechartNode): SeqRange[] {
  const inside = (to: string) => to === path || to.startsWith(`${path}.`);
  const region = regionOf(tree, path);
  const ranges: SeqRange[] = [];
  let from: number | undefined;
  for (const e of events) {
    if (e.type !== 'state' || e.machine !== machine) continue;
    const to = treePath(tree, e.to);
    if (regionOf(tree, to) !== region) continue;
    if (from === undefined && inside(to)) from = e.seq;
    else if (from !== undefined && !inside(to)) {
      ranges.push({ from, to: e.seq });
      from = undefined;
    }
  }
  if (from !== undefined) ranges.push({ from, to: Number.POSITIVE_INFINITY });
  return ranges;
}
