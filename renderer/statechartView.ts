// One region of a statechart drawn as SVG from its ELK layout (core/diagram/layout/statechartLayout.ts), as
// keyed joins by id: the boxes, arrows and words are drawn once; each step only changes which of them are lit.
// Text goes in with .text(), never as markup.

import { select, type Selection } from 'd3-selection';
import type { PlacedArrow, PlacedBox, StatechartLayout } from '../core/diagram/layout/statechartLayout';
import { STATECHART_BOX, STATECHART_FONT } from '../core/diagram/layout/statechartLayout';
import type { StateBox, StatechartGraph } from '../core/machines/statechartGraph';

export interface RegionHighlight {
  /** The active state and every state containing it. */
  readonly active: ReadonlySet<string>;
  /** The active state itself. */
  readonly activeLeaf: string | undefined;
  /** The arrows the shown step took. */
  readonly taken: ReadonlySet<string>;
  /** The state the user picked. */
  readonly selected: string | undefined;
}

export interface RegionView {
  /** The states' boxes (a final state drawn beside several states has several), in layout units. */
  boxesOf(state: string): readonly PlacedBox[];
  highlight(state: RegionHighlight): void;
}

const CONTAINERS = new Set(['region', 'compound']);
/** Baseline of a line of 16 px text in its 20 px line box. */
const BASELINE = 15;
/** The arrowhead's length and half width. */
const HEAD = { length: 10, half: 5 } as const;

/** The route as an SVG path, stopped short of the end where the arrowhead starts. */
function routePath(points: PlacedArrow['points']): string {
  if (points.length < 2) return '';
  const [end, before] = [points[points.length - 1]!, points[points.length - 2]!];
  const length = Math.hypot(end.x - before.x, end.y - before.y) || 1;
  const cut = Math.min(HEAD.length - 1, length);
  const last = { x: end.x - ((end.x - before.x) / length) * cut, y: end.y - ((end.y - before.y) / length) * cut };
  return [...points.slice(0, -1), last].map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join('');
}

/** The arrowhead: a triangle whose tip touches the target's border, along the route's last segment. */
function headPath(points: PlacedArrow['points']): string {
  if (points.length < 2) return '';
  const [end, before] = [points[points.length - 1]!, points[points.length - 2]!];
  const length = Math.hypot(end.x - before.x, end.y - before.y) || 1;
  const [dx, dy] = [(end.x - before.x) / length, (end.y - before.y) / length];
  const base = { x: end.x - dx * HEAD.length, y: end.y - dy * HEAD.length };
  return `M${end.x},${end.y}L${base.x - dy * HEAD.half},${base.y + dx * HEAD.half}L${base.x + dy * HEAD.half},${base.y - dx * HEAD.half}Z`;
}

/**
 * Draws `layout` into `svg` (emptied first). `pick` is called with a state's path when its box is clicked
 * (or Enter or Space pressed on it).
 */
export function drawRegion(svgElement: SVGSVGElement, layout: StatechartLayout, graph: StatechartGraph, pick: (state: string) => void): RegionView {
  const svg = select(svgElement);
  svg.selectAll('*').remove();
  svg.attr('viewBox', `0 0 ${layout.width} ${layout.height}`).attr('class', 'statechart-graph');
  const boxes = new Map<string, StateBox>(graph.boxes.map((b) => [b.id, b]));
  const stateOf = (box: PlacedBox) => boxes.get(box.id)?.state;

  const containers = layout.boxes.filter((b) => CONTAINERS.has(b.kind));
  const leaves = layout.boxes.filter((b) => !CONTAINERS.has(b.kind));
  const layer = (name: string) => svg.append('g').attr('class', name);
  const containerLayer = layer('containers');
  const arrowLayer = layer('arrows');
  const labelLayer = layer('arrow-labels');
  const leafLayer = layer('states');

  const clickable = (g: Selection<SVGGElement, PlacedBox, SVGGElement, unknown>) => {
    g.filter((b) => stateOf(b) !== undefined)
      .attr('tabindex', 0)
      .attr('role', 'button')
      .on('click', (event: MouseEvent, b) => {
        event.stopPropagation();
        pick(stateOf(b)!);
      })
      .on('keydown', (event: KeyboardEvent, b) => {
        if (event.key !== 'Enter' && event.key !== ' ') return;
        event.preventDefault();
        event.stopPropagation();
        pick(stateOf(b)!);
      });
  };
  const stateGroup = (selection: Selection<SVGGElement, unknown, null, undefined>, data: readonly PlacedBox[]) =>
    selection
      .selectAll<SVGGElement, PlacedBox>('g.state')
      .data(data, (b) => b.id)
      .join('g')
      .attr('class', (b) => `state kind-${b.kind}`)
      .attr('data-box', (b) => b.id)
      .attr('data-state', (b) => stateOf(b) ?? null)
      .attr('aria-label', (b) =>
        b.kind === 'initial' ? null : `${boxes.get(b.id)?.label ?? b.id}${b.id !== stateOf(b) ? ' (the same state, drawn here too)' : ''}`,
      );

  /** A state's box: the frame its highlight colours (containers rounder than leaves). */
  const frame = (groups: Selection<SVGGElement, PlacedBox, SVGGElement, unknown>, rx: number) =>
    groups
      .append('rect')
      .attr('class', 'frame')
      .attr('x', (b) => b.x)
      .attr('y', (b) => b.y)
      .attr('width', (b) => b.width)
      .attr('height', (b) => b.height)
      .attr('rx', rx);

  const containerGroups = stateGroup(containerLayer, containers);
  frame(containerGroups, 10);
  containerGroups
    .append('text')
    .attr('class', 'title')
    .attr('x', (b) => b.x + 12)
    .attr('y', (b) => b.y + (STATECHART_BOX.titleBand - STATECHART_FONT.lineHeight) / 2 + BASELINE)
    .text((b) => b.lines[0] ?? '');
  clickable(containerGroups);

  const arrowGroups = arrowLayer
    .selectAll<SVGGElement, PlacedArrow>('g.arrow')
    .data(layout.arrows, (a) => a.id)
    .join('g')
    .attr('class', 'arrow')
    .attr('data-arrow', (a) => a.id);
  // A wide transparent copy of the route is what the pointer finds: the drawn line is thin.
  arrowGroups
    .append('path')
    .attr('class', 'hit')
    .attr('d', (a) => routePath(a.points));
  arrowGroups
    .append('path')
    .attr('class', 'route')
    .attr('d', (a) => routePath(a.points));
  arrowGroups
    .append('path')
    .attr('class', 'head')
    .attr('d', (a) => headPath(a.points));
  arrowGroups
    .filter((a) => a.label !== undefined)
    .append('title')
    .text((a) => a.label!.lines.join(' / '));

  const labelGroups = labelLayer
    .selectAll<SVGGElement, PlacedArrow>('g.arrow-label')
    .data(
      layout.arrows.filter((a) => a.label !== undefined),
      (a) => a.id,
    )
    .join('g')
    .attr('class', 'arrow-label')
    .attr('data-arrow', (a) => a.id);
  labelGroups
    .append('rect')
    .attr('x', (a) => a.label!.x)
    .attr('y', (a) => a.label!.y)
    .attr('width', (a) => a.label!.width)
    .attr('height', (a) => a.label!.height)
    .attr('rx', 3);
  labelGroups
    .append('text')
    .selectAll('tspan')
    .data((a) => a.label!.lines.map((line, i) => ({ line, x: a.label!.x + 4, y: a.label!.y + 2 + i * STATECHART_FONT.lineHeight + BASELINE })))
    .join('tspan')
    .attr('x', (d) => d.x)
    .attr('y', (d) => d.y)
    .text((d) => d.line);

  // An arrow's words can sit away from its bends: pointing at either lights both.
  const hover = (id: string | undefined) => {
    arrowGroups.classed('hovered', (a) => a.id === id);
    labelGroups.classed('hovered', (a) => a.id === id);
  };
  for (const groups of [arrowGroups, labelGroups]) groups.on('pointerenter', (_: PointerEvent, a) => hover(a.id)).on('pointerleave', () => hover(undefined));

  const leafGroups = stateGroup(leafLayer, leaves);
  leafGroups
    .filter((b) => b.kind === 'initial')
    .append('circle')
    .attr('cx', (b) => b.x + b.width / 2)
    .attr('cy', (b) => b.y + b.height / 2)
    .attr('r', STATECHART_BOX.initial / 2 - 1);
  const boxed = leafGroups.filter((b) => b.kind !== 'initial');
  frame(boxed, 8);
  // A final state: a second border inside the first.
  const inset = STATECHART_BOX.finalInset;
  boxed
    .filter((b) => b.kind === 'final')
    .append('rect')
    .attr('class', 'inner')
    .attr('x', (b) => b.x + inset)
    .attr('y', (b) => b.y + inset)
    .attr('width', (b) => b.width - 2 * inset)
    .attr('height', (b) => b.height - 2 * inset)
    .attr('rx', 5);
  boxed
    .append('text')
    .attr('class', 'label')
    .selectAll('tspan')
    .data((b) => {
      const top = b.y + (b.height - b.lines.length * STATECHART_FONT.lineHeight) / 2;
      return b.lines.map((line, i) => ({ line, x: b.x + b.width / 2, y: top + i * STATECHART_FONT.lineHeight + BASELINE }));
    })
    .join('tspan')
    .attr('x', (d) => d.x)
    .attr('y', (d) => d.y)
    .text((d) => d.line);
  boxed.append('title').text((b) => boxes.get(b.id)?.description ?? '');
  clickable(leafGroups);

  const allStates = svg.selectAll<SVGGElement, PlacedBox>('g.state');
  return {
    boxesOf: (state) => layout.boxes.filter((b) => stateOf(b) === state),
    highlight({ active, activeLeaf, taken, selected }) {
      allStates
        .classed('active', (b) => active.has(stateOf(b) ?? ''))
        .classed('active-leaf', (b) => stateOf(b) === activeLeaf)
        .classed('selected', (b) => stateOf(b) === selected)
        .attr('aria-pressed', (b) => (stateOf(b) === undefined ? null : String(stateOf(b) === selected)))
        .attr('aria-current', (b) => (stateOf(b) === activeLeaf ? 'true' : null));
      arrowGroups.classed('taken', (a) => taken.has(a.id));
      labelGroups.classed('taken', (a) => taken.has(a.id));
      // A taken arrow is drawn over the others.
      arrowGroups.filter((a) => taken.has(a.id)).raise();
    },
  };
}
