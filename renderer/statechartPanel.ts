// The statechart panels: the client's and the server's states, read from the machine definitions
// (core/machines), with the state active at the current step lit and the event that moved it shown.
// Clicking a state lists its outgoing transitions and tells the diagram which events the machine saw in it.

import { activeStates, describeMachine, regionOf, treePath, type StatechartNode } from '../core/machines/statechartModel';
import { clientSessionMachine } from '../core/machines/clientSession.machine';
import { serverSessionMachine } from '../core/machines/serverSession.machine';
import type { TraceEvent } from '../core/trace/traceEvent';
import { element } from './dom';
import { observedSides } from '../core/trace/closeMeaning';

/** A seq range [from, to): from the state event that entered a state to the one that left it. */
export interface SeqRange {
  readonly from: number;
  readonly to: number;
}

export interface StatechartPanel {
  /** Lights the states active after trace event `uptoSeq`. */
  render(events: readonly TraceEvent[], uptoSeq: number): void;
  /** Called when the user picks a state (or clicks it again to let go). */
  onSelect(listener: () => void): void;
  /** Where the trace's machine was in the picked state (empty when none is picked). */
  selectedRanges(events: readonly TraceEvent[]): SeqRange[];
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

const machines = [
  { name: 'client' as const, title: 'Client session', tree: describeMachine(clientSessionMachine) },
  { name: 'server' as const, title: 'Server session', tree: describeMachine(serverSessionMachine) },
];

export function createStatechartPanel(body: HTMLElement): StatechartPanel {
  const doc = body.ownerDocument;
  // Built once: the state boxes never change, only which of them is lit.
  const items = new Map<string, HTMLElement>();
  const movedBy = new Map<string, HTMLElement>();
  const details = new Map<string, HTMLElement>();
  const sections = new Map<string, HTMLElement>();
  const selectListeners = new Set<() => void>();
  let selected: { machine: string; path: string } | undefined;

  const outgoingOf = (node: StatechartNode) =>
    node.transitions
      .filter((t) => t.target && t.target !== node.path)
      .map(
        (t) =>
          `${t.event} → ${t.target
            .split(',')
            .map((p) => p.split('.').pop())
            .join(', ')}`,
      );

  /** Shows the picked state's outgoing transitions under its machine (and clears the other machine's). */
  const showSelection = (machine: string, node: StatechartNode | undefined) => {
    for (const [name, detail] of details) {
      if (name !== machine || !node) {
        detail.hidden = true;
        detail.replaceChildren();
        continue;
      }
      const outgoing = outgoingOf(node);
      detail.hidden = false;
      detail.replaceChildren(
        element(doc, 'p', {
          className: 'state-detail-title',
          text: `${node.key}: ${outgoing.length ? 'outgoing transitions' : 'no outgoing transitions of its own'}`,
        }),
        element(
          doc,
          'ul',
          { className: 'state-transitions', attrs: { 'aria-label': `Transitions out of ${node.key}` } },
          outgoing.map((text) => element(doc, 'li', { text })),
        ),
        element(doc, 'p', { className: 'hint', text: 'The marks recorded while the machine was in this state are outlined in the diagram.' }),
      );
    }
    for (const [key, li] of items) li.classList.toggle('selected', node !== undefined && key === `${machine}:${node.path}`);
  };

  const build = (machine: string, node: StatechartNode): HTMLElement => {
    const label = element(doc, 'button', { className: 'state-name', text: node.key, attrs: { type: 'button', 'aria-pressed': 'false' } });
    const outgoing = outgoingOf(node);
    if (outgoing.length) label.title = outgoing.join('\n');
    label.addEventListener('click', () => {
      const again = selected?.machine === machine && selected.path === node.path;
      selected = again ? undefined : { machine, path: node.path };
      for (const button of body.querySelectorAll('button.state-name')) button.setAttribute('aria-pressed', 'false');
      label.setAttribute('aria-pressed', String(!again));
      showSelection(machine, again ? undefined : node);
      for (const listener of selectListeners) listener();
    });
    const li = element(doc, 'li', { className: 'state', attrs: { 'data-path': node.path } }, [label]);
    if (node.children.length)
      li.append(
        element(
          doc,
          'ul',
          {},
          node.children.map((child) => build(machine, child)),
        ),
      );
    items.set(`${machine}:${node.path}`, li);
    return li;
  };
  for (const m of machines) {
    const moved = element(doc, 'p', { className: 'state-moved hint', text: 'not started' });
    movedBy.set(m.name, moved);
    const detail = element(doc, 'div', { className: 'state-detail', attrs: { 'aria-live': 'polite' } });
    detail.hidden = true;
    details.set(m.name, detail);
    const list = element(
      doc,
      'ul',
      { className: 'state-tree', attrs: { 'aria-label': `${m.title} states` } },
      m.tree.children.map((child) => build(m.name, child)),
    );
    const section = element(doc, 'div', { className: 'statechart', attrs: { 'data-machine': m.name } }, [
      element(doc, 'h3', { text: m.title }),
      moved,
      detail,
      list,
    ]);
    sections.set(m.name, section);
    body.append(section);
  }
  let lit: HTMLElement[] = [];
  return {
    onSelect(listener) {
      selectListeners.add(listener);
    },
    selectedRanges(events) {
      const machine = machines.find((m) => m.name === selected?.machine);
      return selected && machine ? rangesInState(events, selected.machine, selected.path, machine.tree) : [];
    },
    render(events, uptoSeq) {
      for (const li of lit) li.classList.remove('active', 'active-leaf');
      lit = [];
      // A side this trace has no record of (the client, when an external one is watched) has no machine to show.
      const sides = observedSides(events);
      for (const m of machines) {
        const section = sections.get(m.name)!;
        section.hidden = events.length > 0 && !sides.has(m.name);
        if (section.hidden) continue;
        const active = activeStates(events, m.name, uptoSeq, m.tree);
        const moved = movedBy.get(m.name)!;
        if (active.length === 0) {
          moved.textContent = 'not started';
          continue;
        }
        // The region that moved last is the one to name: that is what this step changed.
        const latest = active.reduce((a, b) => (b.seq > a.seq ? b : a));
        moved.textContent = `${latest.from} → ${latest.path} on ${latest.event}`;
        // Light each region's active state and every state that contains it.
        for (const state of active) {
          const parts = state.path.split('.');
          for (let i = 1; i <= parts.length; i++) {
            const li = items.get(`${m.name}:${parts.slice(0, i).join('.')}`);
            if (!li) continue;
            li.classList.add('active');
            if (i === parts.length) li.classList.add('active-leaf');
            lit.push(li);
          }
        }
      }
    },
  };
}
