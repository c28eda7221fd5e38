// The graph a statechart is drawn as, read from its machine's definition: every state a box (regions and
// compound states hold their children), every transition that changes the state an arrow in plain words (one
// arrow per pair of states, however many events take it), a dot for where a compound state starts; and which
// arrows a state event of the trace took. A final state that many states lead to (the client's Failed) is
// drawn beside each of them instead of once with a dozen arrows across the whole chart.

import type { StatechartNode } from './statechartModel';

export type StateBoxKind = 'region' | 'compound' | 'atomic' | 'final' | 'choice' | 'initial';

export interface StateBox {
  /** The state's path ('session.transfer.moving'); a start dot is its compound's path + INITIAL; a copy of a final state is its path + '@' + the state it is drawn beside. */
  readonly id: string;
  /** The state it stands for (its own path, or the copied final state's); undefined for a start dot. */
  readonly state: string | undefined;
  /** The box it sits in; undefined at the machine's top level. */
  readonly parent: string | undefined;
  readonly kind: StateBoxKind;
  readonly label: string;
  readonly description: string;
}

export interface Arrow {
  /** `source->target`. */
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** The box it ends at: the target's, or the copy of it beside the source. */
  readonly targetBox: string;
  /** The transitions it stands for: each event (as the trace names it) with its words. */
  readonly transitions: readonly { readonly event: string; readonly label: string }[];
  /** Its words, one line per distinct label ('lost', 'closed'); empty for a start arrow. */
  readonly lines: readonly string[];
  /** From a start dot into the state a compound starts in. */
  readonly initial: boolean;
}

export interface StatechartGraph {
  /** Parents before their children, in the definition's order. */
  readonly boxes: readonly StateBox[];
  readonly arrows: readonly Arrow[];
}

/** The id suffix of a compound state's start dot. */
export const INITIAL = '#start';

/** A final state reached from more states than this is drawn beside each of them. */
const COPIED_FROM = 3;

export function statechartGraph(tree: StatechartNode): StatechartGraph {
  const nodes = new Map<string, StatechartNode>();
  const parents = new Map<string, string | undefined>();
  const sourcesOf = new Map<string, Set<string>>();
  const index = (node: StatechartNode, parent: string | undefined) => {
    nodes.set(node.path, node);
    parents.set(node.path, parent);
    for (const t of node.transitions) {
      for (const target of t.target.split(',')) if (target && target !== node.path) sourcesOf.set(target, (sourcesOf.get(target) ?? new Set()).add(node.path));
    }
    for (const child of node.children) index(child, node.path);
  };
  for (const child of tree.children) index(child, undefined);
  const copied = (target: string) => nodes.get(target)?.final === true && (sourcesOf.get(target)?.size ?? 0) > COPIED_FROM;

  const boxes: StateBox[] = [];
  const arrows = new Map<string, Omit<Arrow, 'id'> & { transitions: Arrow['transitions'][number][]; lines: string[] }>();
  const arrow = (source: string, target: string, initial: boolean) => {
    const id = `${source}->${target}`;
    let found = arrows.get(id);
    if (!found) {
      const targetBox = copied(target) ? `${target}@${source}` : target;
      arrows.set(id, (found = { source, target, targetBox, transitions: [], lines: [], initial }));
      if (targetBox !== target) {
        // Beside its source: in the same container, or inside the source when that contains the target (an
        // arrow from a whole region).
        const node = nodes.get(target)!;
        const inside = target.startsWith(`${source}.`);
        boxes.push({
          id: targetBox,
          state: target,
          parent: inside ? source : parents.get(source),
          kind: 'final',
          label: node.label,
          description: node.description,
        });
      }
    }
    return found;
  };
  const walk = (node: StatechartNode, parent: string | undefined, isRegion: boolean) => {
    const kind: StateBoxKind = isRegion ? 'region' : node.children.length ? 'compound' : node.final ? 'final' : node.transient ? 'choice' : 'atomic';
    if (!copied(node.path)) boxes.push({ id: node.path, state: node.path, parent, kind, label: node.label, description: node.description });
    // A compound's start is drawn only if it is ever entered as a whole (its region starting, a transition to
    // it). The data region's halfClosed, entered at finSent or at finReceived, has an `initial` because XState
    // requires one, not because it starts there.
    if (node.initial && (isRegion || sourcesOf.has(node.path))) {
      boxes.push({ id: node.path + INITIAL, state: undefined, parent: node.path, kind: 'initial', label: '', description: '' });
      arrow(node.path + INITIAL, node.initial, true);
    }
    for (const child of node.children) walk(child, node.path, false);
    for (const t of node.transitions) {
      for (const target of t.target.split(',')) {
        if (!target || target === node.path) continue;
        const found = arrow(node.path, target, false);
        found.transitions.push({ event: t.event, label: t.label });
        if (!found.lines.includes(t.label)) found.lines.push(t.label);
      }
    }
  };
  for (const child of tree.children) walk(child, undefined, tree.parallel);
  // A copy is pushed with its source's arrows, after its container (the source, or the source's parent).
  return { boxes, arrows: [...arrows.entries()].map(([id, a]) => ({ id, ...a })) };
}

/** How deep a path is: 'session.transfer.moving' is 3. */
const depth = (path: string) => path.split('.').length;

/** The path and every state that contains it, innermost first. */
export function ancestorsOrSelf(path: string): string[] {
  const parts = path.split('.');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('.'));
}

/** Each tree's states by path, made once per tree (the panel asks for every state event of a trace). */
const nodeIndexes = new WeakMap<StatechartNode, Map<string, StatechartNode>>();
function nodesOf(tree: StatechartNode): Map<string, StatechartNode> {
  let nodes = nodeIndexes.get(tree);
  if (nodes) return nodes;
  nodes = new Map();
  const index = (node: StatechartNode) => {
    nodes!.set(node.path, node);
    node.children.forEach(index);
  };
  index(tree);
  nodeIndexes.set(tree, nodes);
  return nodes;
}

/** Each graph's arrows by id, made once per graph. */
const arrowIndexes = new WeakMap<StatechartGraph, Map<string, StatechartGraph['arrows'][number]>>();
function arrowsOf(graph: StatechartGraph): Map<string, StatechartGraph['arrows'][number]> {
  let byId = arrowIndexes.get(graph);
  if (!byId) arrowIndexes.set(graph, (byId = new Map(graph.arrows.map((a) => [a.id, a]))));
  return byId;
}

interface Route {
  readonly arrows: readonly string[];
  /** The first arrow is taken by the event the trace names (the others follow from it, eventless). */
  readonly named: boolean;
  readonly sourceDepth: number;
}

/**
 * The arrows a state event took, from `from` to `to` (both paths in `tree`): the arrow out of `from` or a state
 * containing it, then any eventless arrows out of states the machine only passes through (UML's choices,
 * which the trace never shows), and the start arrows into `to`. The trace names the event that started the
 * step, not the ones the machine raised for itself on the way (data.dropped, data.targetSet), so among routes
 * that arrive the one whose first arrow that event takes wins, then the shortest, then the innermost source,
 * as XState itself prefers the innermost state's transitions.
 */
export function arrowsTaken(graph: StatechartGraph, tree: StatechartNode, from: string, to: string, event: string): string[] {
  const nodes = nodesOf(tree);
  const byId = arrowsOf(graph);
  const startArrow = (path: string) => byId.get(`${path}${INITIAL}->${nodes.get(path)?.initial}`);

  /** The leaf a target enters, through the start arrows of the compounds on the way. */
  const enter = (target: string): { leaf: string; arrows: string[] } => {
    const entered: string[] = [];
    let leaf = target;
    for (let node = nodes.get(leaf); node?.initial && !node.parallel; node = nodes.get(leaf)) {
      const start = startArrow(leaf);
      if (start) entered.push(start.id);
      leaf = node.initial;
    }
    return { leaf, arrows: entered };
  };

  const region = tree.parallel ? (to.split('.')[0] ?? '') : '';
  const routes: Route[] = [];
  // The machine starting enters its region's start, and passes on from there if that is a choice.
  const started = from === '(start)' ? enter(region) : undefined;
  const queue: { leaf: string; arrows: string[]; named: boolean; sourceDepth: number }[] = [
    started ? { leaf: started.leaf, arrows: started.arrows, named: true, sourceDepth: 0 } : { leaf: from, arrows: [], named: false, sourceDepth: 0 },
  ];
  if (started?.leaf === to) return started.arrows;
  while (queue.length > 0) {
    const step = queue.shift()!;
    if (step.arrows.length > 8) continue;
    const sources = new Set(ancestorsOrSelf(step.leaf).filter((p) => region === '' || p === region || p.startsWith(`${region}.`)));
    for (const a of graph.arrows) {
      if (a.initial || !sources.has(a.source) || step.arrows.includes(a.id)) continue;
      const first = step.arrows.length === 0;
      const { leaf, arrows: starts } = enter(a.target);
      const next = {
        leaf,
        arrows: [...step.arrows, a.id, ...starts],
        named: first ? a.transitions.some((t) => t.event === event) : step.named,
        sourceDepth: first ? depth(a.source) : step.sourceDepth,
      };
      if (leaf === to) routes.push(next);
      else if (nodes.get(leaf)?.transient) queue.push(next);
    }
  }
  routes.sort((a, b) => Number(b.named) - Number(a.named) || a.arrows.length - b.arrows.length || b.sourceDepth - a.sourceDepth);
  return routes[0] ? [...routes[0].arrows] : [];
}
