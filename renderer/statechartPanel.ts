// The statechart panel: the client's and the server's machines side by side, each region drawn as a graph
// from the machine definitions (core/machines) and laid out by elkjs, with the state each region is in at the
// shown step lit and the arrows that step took marked. Clicking a state says what it does, which arrows leave
// it and at which steps it was entered (click one to go there), and outlines the marks it produced.

import ELK from 'elkjs/lib/elk.bundled.js';
import type { AnyStateMachine } from 'xstate';
import { activeStates, describeMachine, rangesInState, regionOf, treePath, type SeqRange, type StatechartNode } from '../core/machines/statechartModel';
import { ancestorsOrSelf, arrowsTaken, statechartGraph, type StatechartGraph } from '../core/machines/statechartGraph';
import { layoutStatechartRegion, type StatechartDirection, type StatechartLayout } from '../core/diagram/layout/statechartLayout';
import { clientSessionMachine } from '../core/machines/clientSession.machine';
import { serverSessionMachine } from '../core/machines/serverSession.machine';
import type { TraceEvent } from '../core/trace/traceEvent';
import { observedSides } from '../core/trace/closeMeaning';
import { element } from './dom';
import { drawRegion, type RegionView } from './statechartView';

export interface StatechartStep {
  readonly events: readonly TraceEvent[];
  /** The machines as the shown step left them: every state event up to this seq. */
  readonly uptoSeq: number;
  /** State events from this seq on were caused by the shown step: their arrows are the ones just taken. */
  readonly stepFromSeq: number;
  /** The step (as the step counter counts them) a trace event belongs to; undefined before the first. */
  stepOfSeq(seq: number): number | undefined;
}

export interface StatechartPanel {
  render(step: StatechartStep): void;
  /** Called when the user picks a state (or lets it go). */
  onSelect(listener: () => void): void;
  /** Called with a step number when the user asks to go to a step where the picked state was entered. */
  onGoTo(listener: (step: number) => void): void;
  /** Where the trace's machine was in the picked state (empty when none is picked). */
  selectedRanges(events: readonly TraceEvent[]): SeqRange[];
  /** Fits the graphs again after the panel changed size (shown, presenter mode). */
  refit(): void;
}

type MachineName = 'client' | 'server';

interface MachineSpec {
  readonly name: MachineName;
  readonly title: string;
  readonly definition: AnyStateMachine;
}

const MACHINES: readonly MachineSpec[] = [
  { name: 'client', title: 'Client', definition: clientSessionMachine },
  { name: 'server', title: 'Server', definition: serverSessionMachine },
];

/**
 * The regions, top to bottom, and which way each flows: the data connection's life reads left to right
 * (none, open, half closed, closed) and sits on top, where client and server can be compared; the session
 * flows down.
 */
const REGIONS: readonly { readonly id: string; readonly direction: StatechartDirection }[] = [
  { id: 'data', direction: 'RIGHT' },
  { id: 'session', direction: 'DOWN' },
];

const ZOOM = { min: 0.3, max: 2, step: 1.25 } as const;

interface RegionSlot {
  readonly id: string;
  readonly viewport: HTMLElement;
  readonly svg: SVGSVGElement;
  layout?: StatechartLayout;
  view?: RegionView;
  /** The active state last brought into view: the view follows only when it changes, not while the user looks around. */
  followed?: string;
}

interface MachineSlot {
  readonly spec: MachineSpec;
  readonly tree: StatechartNode;
  readonly graph: StatechartGraph;
  readonly section: HTMLElement;
  readonly moved: HTMLElement;
  readonly regions: readonly RegionSlot[];
}

/** Every state path inside `tree`, to its node. */
function nodesOf(tree: StatechartNode): Map<string, StatechartNode> {
  const nodes = new Map<string, StatechartNode>();
  const walk = (node: StatechartNode) => {
    nodes.set(node.path, node);
    node.children.forEach(walk);
  };
  walk(tree);
  return nodes;
}

/**
 * The zoom a page starts at: words at 16 px on a 1920 px wide screen (a projector), smaller in proportion on
 * a smaller one, where more of each chart in view is worth more than the size of its words.
 */
const startZoom = (windowWidth: number) => Math.round(Math.min(1, Math.max(0.7, windowWidth / 1920)) * 20) / 20;

/** `body` receives the charts and the picked state's details; `tools`, the zoom buttons. */
export function createStatechartPanel(body: HTMLElement, tools: HTMLElement): StatechartPanel {
  const doc = body.ownerDocument;
  const svgNs = 'http://www.w3.org/2000/svg';
  const selectListeners = new Set<() => void>();
  const goToListeners = new Set<(step: number) => void>();
  let selected: { machine: MachineName; state: string } | undefined;
  let zoom: number | 'fit' = startZoom(doc.defaultView?.innerWidth ?? 1920);
  let last: StatechartStep | undefined;

  // The toolbar: zoom for every graph at once (100 %: 16 px words), and fit each into its box.
  const zoomLabel = element(doc, 'span', { className: 'statechart-zoom-level', text: '100 %', attrs: { 'aria-live': 'polite' } });
  const button = (text: string, title: string, action: () => void) => {
    const b = element(doc, 'button', { text, attrs: { type: 'button', title, 'aria-label': title } });
    b.addEventListener('click', action);
    return b;
  };
  tools.replaceChildren(
    button('−', 'Zoom out', () => setZoom((typeof zoom === 'number' ? zoom : fittedZoom()) / ZOOM.step)),
    zoomLabel,
    button('+', 'Zoom in', () => setZoom((typeof zoom === 'number' ? zoom : fittedZoom()) * ZOOM.step)),
    button('100 %', 'Actual size: words at 16 px', () => setZoom(1)),
    button('Fit', 'Fit each chart into its box', () => setZoom('fit')),
  );
  const status = element(doc, 'p', { className: 'hint statechart-status', text: 'Laying out the state machines…' });
  const grid = element(doc, 'div', { className: 'statechart-machines' });
  const detail = element(doc, 'div', { className: 'state-detail', attrs: { 'aria-live': 'polite' } });
  detail.hidden = true;
  body.replaceChildren(status, grid, detail);

  // The machines' graphs come from their definitions, once: they do not change during a session.
  const machines: MachineSlot[] = MACHINES.map((spec) => {
    const tree = describeMachine(spec.definition);
    const graph = statechartGraph(tree);
    const moved = element(doc, 'p', { className: 'state-moved', text: 'not started' });
    const regions: RegionSlot[] = REGIONS.map(({ id }) => {
      const svg = doc.createElementNS(svgNs, 'svg') as SVGSVGElement;
      const label = tree.children.find((c) => c.path === id)?.label ?? id;
      svg.setAttribute('role', 'group');
      svg.setAttribute('aria-label', `${spec.title}: ${label}`);
      const viewport = element(doc, 'div', { className: 'statechart-region', attrs: { 'data-region': id, tabindex: '-1' } });
      viewport.append(svg);
      return { id, viewport, svg };
    });
    const section = element(doc, 'section', { className: 'statechart', attrs: { 'data-machine': spec.name, 'aria-label': `${spec.title} state machine` } }, [
      element(doc, 'div', { className: 'statechart-head' }, [element(doc, 'h3', { text: spec.title }), moved]),
      ...regions.map((r) => r.viewport),
    ]);
    grid.append(section);
    return { spec, tree, graph, section, moved, regions };
  });
  const nodes = new Map(machines.map((m) => [m.spec.name, nodesOf(m.tree)]));
  applyZoom();

  const pick = (machine: MachineName, state: string) => {
    selected = selected?.machine === machine && selected.state === state ? undefined : { machine, state };
    showDetail();
    paint();
    for (const listener of selectListeners) listener();
  };

  // Laid out once per machine definition, in the page (elkjs's bundled build: no worker, no eval).
  const elk = new ELK();
  void Promise.all(
    machines.flatMap((m) =>
      REGIONS.map(async ({ id, direction }, i) => {
        const slot = m.regions[i]!;
        slot.layout = await layoutStatechartRegion(m.graph, id, elk, direction);
        slot.view = drawRegion(slot.svg, slot.layout, m.graph, (state) => pick(m.spec.name, state));
      }),
    ),
  ).then(
    () => {
      status.hidden = true;
      body.dataset.layout = 'ready';
      applyZoom();
      paint();
    },
    (error: Error) => {
      status.textContent = `Could not lay out the state machines: ${error.message}`;
    },
  );

  /** The zoom at which the widest chart fits its box: where − and + start from after Fit. */
  const fittedZoom = () => Math.min(1, ...machines.flatMap((m) => m.regions.map((r) => (r.layout ? fitScale(r) : 1))));
  const fitScale = (r: RegionSlot) => {
    const { clientWidth: w, clientHeight: h } = r.viewport;
    const layout = r.layout!;
    // The data region is short: it fits the width, and its box grows to its height.
    return r.id === 'data' ? w / layout.width : Math.min(w / layout.width, h / layout.height);
  };
  function setZoom(value: number | 'fit') {
    zoom = value === 'fit' ? 'fit' : Math.min(ZOOM.max, Math.max(ZOOM.min, value));
    for (const m of machines) for (const r of m.regions) r.followed = undefined;
    applyZoom();
    paint();
  }
  function applyZoom() {
    for (const m of machines) {
      for (const r of m.regions) {
        if (!r.layout) continue;
        const scale = zoom === 'fit' ? Math.max(0.05, fitScale(r) * 0.98) : zoom;
        r.svg.setAttribute('width', String(Math.round(r.layout.width * scale)));
        r.svg.setAttribute('height', String(Math.round(r.layout.height * scale)));
      }
    }
    zoomLabel.textContent = zoom === 'fit' ? 'fit' : `${Math.round(zoom * 100)} %`;
    body.dataset.zoom = String(zoom);
  }

  /** The states each region of each machine is in at the shown step, and the arrows the step took. */
  function paint() {
    const step = last;
    const sides = step ? observedSides(step.events) : new Set<string>();
    for (const m of machines) {
      // A side this trace has no record of (the client, when an external one is watched) has no machine to show.
      m.section.hidden = step !== undefined && step.events.length > 0 && !sides.has(m.spec.name);
      const active = step && !m.section.hidden ? activeStates(step.events, m.spec.name, step.uptoSeq, m.tree) : [];
      const taken = new Set<string>();
      if (step) {
        for (const e of step.events) {
          if (e.seq > step.uptoSeq) break;
          if (e.type !== 'state' || e.machine !== m.spec.name || e.seq < step.stepFromSeq) continue;
          for (const id of arrowsTaken(m.graph, m.tree, treePath(m.tree, e.from), treePath(m.tree, e.to), e.event)) taken.add(id);
        }
      }
      m.moved.textContent = movedText(m, active);
      for (const r of m.regions) {
        const leaf = active.find((a) => regionOf(m.tree, a.path) === r.id)?.path;
        r.view?.highlight({
          active: new Set(leaf ? ancestorsOrSelf(leaf) : []),
          activeLeaf: leaf,
          taken,
          selected: selected?.machine === m.spec.name ? selected.state : undefined,
        });
        if (leaf && leaf !== r.followed && r.view) {
          r.followed = leaf;
          bringIntoView(r, leaf);
        }
      }
    }
  }

  /** What moved last, in words: 'Data connection: Open → Client's FIN sent (sends its FIN)'. */
  function movedText(m: MachineSlot, active: ReturnType<typeof activeStates>): string {
    if (active.length === 0) return 'not started';
    const latest = active.reduce((a, b) => (b.seq > a.seq ? b : a));
    const labels = nodes.get(m.spec.name)!;
    const region = labels.get(regionOf(m.tree, latest.path))?.label ?? '';
    const to = labels.get(latest.path)?.label ?? latest.path;
    if (latest.from === '(start)') return `${region}: starts in ${to}`;
    const from = labels.get(latest.from)?.label ?? latest.from;
    const first = arrowsTaken(m.graph, m.tree, latest.from, latest.path, latest.event)[0];
    // The words of the transition the trace's event took, or of the arrow (the event was one the machine raised for itself).
    const arrow = m.graph.arrows.find((a) => a.id === first);
    const words = arrow?.transitions.find((t) => t.event === latest.event)?.label ?? arrow?.lines.join(' / ');
    return `${region}: ${from} → ${to}${words ? ` (${words})` : ''}`;
  }

  /** Scrolls a region's box so that the state's box is in view, centred, when it is not already. */
  function bringIntoView(r: RegionSlot, state: string) {
    const box = r.view?.boxesOf(state)[0];
    if (!box || !r.layout) return;
    const scale = Number(r.svg.getAttribute('width')) / r.layout.width || 1;
    const { scrollLeft, scrollTop, clientWidth, clientHeight } = r.viewport;
    const [x0, y0, x1, y1] = [box.x * scale, box.y * scale, (box.x + box.width) * scale, (box.y + box.height) * scale];
    if (x0 >= scrollLeft && x1 <= scrollLeft + clientWidth && y0 >= scrollTop && y1 <= scrollTop + clientHeight) return;
    r.viewport.scrollTo({ left: (x0 + x1) / 2 - clientWidth / 2, top: (y0 + y1) / 2 - clientHeight / 2, behavior: 'smooth' });
  }

  /** The picked state: what it does, the arrows out of it, and the steps where it was entered. */
  let detailShown = '';
  function showDetail() {
    const m = machines.find((s) => s.spec.name === selected?.machine);
    const node = selected && m ? nodes.get(m.spec.name)!.get(selected.state) : undefined;
    const entered = m && node && last ? enteredAt(last, m, node.path) : [];
    // Rebuilt only when it says something new: a step button being clicked keeps its focus.
    const key = m && node ? `${m.spec.name}:${node.path}:${entered.join(',')}` : '';
    if (key === detailShown) return;
    detailShown = key;
    body.classList.toggle('has-detail', m !== undefined && node !== undefined);
    if (!m || !node) {
      detail.hidden = true;
      detail.replaceChildren();
      return;
    }
    const labels = nodes.get(m.spec.name)!;
    const region = labels.get(regionOf(m.tree, node.path));
    const out = m.graph.arrows.filter((a) => a.source === node.path && !a.initial);
    const close = element(doc, 'button', {
      className: 'state-detail-close',
      text: '×',
      attrs: { type: 'button', title: 'Let go of this state', 'aria-label': 'Let go of this state' },
    });
    close.addEventListener('click', () => pick(m.spec.name, node.path));
    const steps = entered.map((step) => {
      const go = element(doc, 'button', { className: 'state-entered-step', text: `step ${step}`, attrs: { type: 'button', title: `Go to step ${step}` } });
      go.addEventListener('click', () => {
        for (const listener of goToListeners) listener(step);
      });
      return element(doc, 'li', {}, [go]);
    });
    detail.hidden = false;
    detail.replaceChildren(
      element(doc, 'div', { className: 'state-detail-head' }, [
        element(doc, 'p', { className: 'state-detail-title', text: `${m.spec.title} · ${region && region !== node ? `${region.label}: ` : ''}${node.label}` }),
        close,
      ]),
      element(doc, 'p', { className: 'state-description', text: node.description }),
      element(doc, 'p', { className: 'state-code hint', text: `In the machine: ${m.spec.name}.${node.path}` }),
      element(doc, 'p', { className: 'state-detail-subtitle', text: out.length ? 'Arrows out of it' : 'No arrows of its own out of it' }),
      element(
        doc,
        'ul',
        { className: 'state-transitions', attrs: { 'aria-label': `Arrows out of ${node.label}` } },
        out.map((a) => element(doc, 'li', { text: `${a.lines.join(' / ')} → ${labels.get(a.target)?.label ?? a.target}` })),
      ),
      element(doc, 'p', { className: 'state-detail-subtitle', text: entered.length ? 'Entered at' : 'Not entered in this session (so far)' }),
      element(doc, 'ul', { className: 'state-entered', attrs: { 'aria-label': `Steps where ${node.label} was entered` } }, steps),
      element(doc, 'p', { className: 'hint', text: 'The marks recorded while the machine was in this state are outlined in the diagram.' }),
    );
  }

  /** The steps at which the machine entered `path` (or a state inside it) from outside, in order, each once. */
  function enteredAt(step: StatechartStep, m: MachineSlot, path: string): number[] {
    const found: number[] = [];
    for (const range of rangesInState(step.events, m.spec.name, path, m.tree)) {
      const at = step.stepOfSeq(range.from);
      if (at !== undefined && !found.includes(at)) found.push(at);
    }
    return found;
  }

  const resize = new ResizeObserver(() => {
    if (zoom === 'fit') applyZoom();
  });
  for (const m of machines) for (const r of m.regions) resize.observe(r.viewport);

  return {
    onSelect(listener) {
      selectListeners.add(listener);
    },
    onGoTo(listener) {
      goToListeners.add(listener);
    },
    selectedRanges(events) {
      const m = machines.find((s) => s.spec.name === selected?.machine);
      return selected && m ? rangesInState(events, selected.machine, selected.state, m.tree) : [];
    },
    render(step) {
      last = step;
      paint();
      showDetail();
    },
    refit() {
      for (const m of machines) for (const r of m.regions) r.followed = undefined;
      applyZoom();
      paint();
    },
  };
}
