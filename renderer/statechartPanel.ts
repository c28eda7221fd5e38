// The statechart panels: the client's and the server's states, read from the machine definitions
// (core/machines), with the state active at the current step lit and the event that moved it shown.

import { activeState, describeMachine, type StatechartNode } from '../core/machines/statechartModel';
import { clientSessionMachine } from '../core/machines/clientSession.machine';
import { serverSessionMachine } from '../core/machines/serverSession.machine';
import type { TraceEvent } from '../core/trace/traceEvent';
import { element } from './dom';

export interface StatechartPanel {
  /** Lights the states active after trace event `uptoSeq`. */
  render(events: readonly TraceEvent[], uptoSeq: number): void;
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
  const build = (machine: string, node: StatechartNode): HTMLElement => {
    const label = element(doc, 'span', { className: 'state-name', text: node.key });
    const outgoing = node.transitions.filter((t) => t.target && t.target !== node.path).map((t) => `${t.event} → ${t.target.split('.').pop()}`);
    if (outgoing.length) label.title = outgoing.join('\n');
    const li = element(doc, 'li', { className: 'state', attrs: { 'data-path': node.path } }, [label]);
    if (node.children.length) li.append(element(doc, 'ul', {}, node.children.map((child) => build(machine, child))));
    items.set(`${machine}:${node.path}`, li);
    return li;
  };
  for (const m of machines) {
    const moved = element(doc, 'p', { className: 'state-moved hint', text: 'not started' });
    movedBy.set(m.name, moved);
    const list = element(doc, 'ul', { className: 'state-tree', attrs: { 'aria-label': `${m.title} states` } }, m.tree.children.map((child) => build(m.name, child)));
    body.append(element(doc, 'div', { className: 'statechart', attrs: { 'data-machine': m.name } }, [element(doc, 'h3', { text: m.title }), moved, list]));
  }
  let lit: HTMLElement[] = [];
  return {
    render(events, uptoSeq) {
      for (const li of lit) li.classList.remove('active', 'active-leaf');
      lit = [];
      for (const m of machines) {
        const active = activeState(events, m.name, uptoSeq);
        const moved = movedBy.get(m.name)!;
        if (!active) {
          moved.textContent = 'not started';
          continue;
        }
        moved.textContent = `${active.from} → ${active.path} on ${active.event}`;
        // Light the active state and every state that contains it.
        const parts = active.path.split('.');
        for (let i = 1; i <= parts.length; i++) {
          const li = items.get(`${m.name}:${parts.slice(0, i).join('.')}`);
          if (!li) continue;
          li.classList.add('active');
          if (i === parts.length) li.classList.add('active-leaf');
          lit.push(li);
        }
      }
    },
  };
}
