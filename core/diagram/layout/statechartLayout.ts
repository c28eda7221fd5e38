// Where each box and arrow of a statechart goes: the graph (core/machines/statechartGraph.ts) sized from its
// words (estimated text widths: no DOM to measure in) and handed to ELK's layered algorithm, regions and
// compound states as nested nodes. ELK is passed in (elkjs's bundled build, no worker), so that this stays pure.

import type { ELK, ElkExtendedEdge, ElkNode, ElkPoint } from 'elkjs/lib/elk-api';
import type { StateBox, StateBoxKind, StatechartGraph } from '../../machines/statechartGraph';
import { sansTextWidth } from './textWidth';

/** Sizes in layout units: one unit is one CSS pixel at 100 % zoom, where every label is 16 px. */
export const STATECHART_FONT = { label: 16, lineHeight: 20 } as const;

/**
 * The estimate errs wide: DejaVu Sans (Linux's usual sans-serif) runs about 6 % wider than the estimate's
 * typical sans-serif, and a label that overflows its box is worse than a box a little too wide.
 */
const measure = (text: string, bold = false) => sansTextWidth(text, STATECHART_FONT.label) * (bold ? 1.18 : 1.1);

/** Wider than this, a label breaks at its spaces: narrow boxes keep the chart narrow enough to read in a column. */
const STATE_LINE = 130;
const ARROW_LINE = 110;
/** Inside a state's box: room around its words; a final state's second border; a container's title band. */
export const STATECHART_BOX = { padX: 12, padY: 9, finalInset: 4, titleBand: STATECHART_FONT.lineHeight + 22, initial: 14 } as const;

export type StatechartDirection = 'DOWN' | 'RIGHT';

export interface PlacedBox {
  readonly id: string;
  readonly kind: StateBoxKind;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** The label broken into lines (a region's or compound's title is one line at its top). */
  readonly lines: readonly string[];
}

export interface PlacedArrow {
  readonly id: string;
  /** The route, start to end (the end touches the target box's border). */
  readonly points: readonly ElkPoint[];
  /** Where its words go: the box's top-left corner and size, one line each. */
  readonly label?: { readonly x: number; readonly y: number; readonly width: number; readonly height: number; readonly lines: readonly string[] };
}

export interface StatechartLayout {
  readonly width: number;
  readonly height: number;
  readonly boxes: readonly PlacedBox[];
  readonly arrows: readonly PlacedArrow[];
}

/** Breaks a label at its spaces into lines no wider than `width` (a longer word stays whole). */
export function breakLines(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines[lines.length - 1];
    if (last !== undefined && measure(`${last} ${word}`) <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

const widest = (lines: readonly string[], bold = false) => Math.max(0, ...lines.map((line) => measure(line, bold)));

/** A box's lines and size before layout: states fit their words; containers are sized by ELK around their children. */
function sized(box: StateBox): { lines: string[]; width?: number; height?: number } {
  if (box.kind === 'initial') return { lines: [], width: STATECHART_BOX.initial, height: STATECHART_BOX.initial };
  if (box.kind === 'region' || box.kind === 'compound') return { lines: [box.label] };
  const lines = breakLines(box.label, STATE_LINE);
  // A final state is drawn with a second border inside the first: it needs the room.
  const extra = box.kind === 'final' ? 2 * STATECHART_BOX.finalInset : 0;
  return {
    lines,
    width: Math.ceil(widest(lines) + 2 * STATECHART_BOX.padX + extra),
    height: lines.length * STATECHART_FONT.lineHeight + 2 * STATECHART_BOX.padY + extra,
  };
}

/**
 * ELK's layered algorithm, set for statecharts. Cycles are broken depth first from the start, so that an arrow
 * back to an earlier state (a reply, back to "Next step?") reads as going back. (ELK's model-order options
 * would keep the definition's order, but elkjs 0.12 fails on them inside nested graphs.)
 */
const layoutOptions = (direction: StatechartDirection): Record<string, string> => ({
  'elk.algorithm': 'layered',
  'elk.direction': direction,
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.cycleBreaking.strategy': 'DEPTH_FIRST',
  // Straight runs of states stay in line, and the chart stays narrow.
  'elk.layered.nodePlacement.strategy': 'LINEAR_SEGMENTS',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.spacing.nodeNode': '18',
  'elk.layered.spacing.nodeNodeBetweenLayers': '26',
  'elk.spacing.edgeNode': '12',
  'elk.layered.spacing.edgeNodeBetweenLayers': '12',
  'elk.spacing.edgeEdge': '10',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '8',
  'elk.spacing.edgeLabel': '3',
  'elk.spacing.componentComponent': '24',
});

/** A container's padding: its title band on top. */
const CONTAINER_PADDING = `[top=${STATECHART_BOX.titleBand},left=14,bottom=14,right=14]`;

/**
 * Lays out one top-level box of a statechart (a region, for a parallel machine), everything inside it and the
 * arrows between them, from (0, 0). No arrow crosses from one region to another, so each is laid out (and
 * drawn) on its own. `elk` is elkjs's ELK: the bundled build works without a worker.
 */
export async function layoutStatechartRegion(
  graph: StatechartGraph,
  regionId: string,
  elk: Pick<ELK, 'layout'>,
  direction: StatechartDirection = 'DOWN',
): Promise<StatechartLayout> {
  const options = layoutOptions(direction);
  const lines = new Map<string, string[]>();
  const nodes = new Map<string, ElkNode>();
  const root: ElkNode = {
    id: '(region)',
    // One layout across the nesting: arrows from a state deep in one compound to a state in another.
    layoutOptions: {
      ...options,
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
      'elk.padding': '[top=0,left=0,bottom=0,right=0]',
    },
    children: [],
    edges: [],
  };
  for (const box of graph.boxes) {
    const parent = box.id === regionId ? root : box.parent === undefined ? undefined : nodes.get(box.parent);
    if (!parent) continue;
    const size = sized(box);
    lines.set(box.id, size.lines);
    const node: ElkNode = { id: box.id };
    if (size.width !== undefined) Object.assign(node, { width: size.width, height: size.height });
    // ELK reads most options from the graph that holds a node, not from the root: every container gets them.
    // A container is at least as wide as its title.
    else {
      const minimum = `(${Math.ceil(widest(size.lines, true) + 28)}, ${STATECHART_FONT.lineHeight + 40})`;
      Object.assign(node, {
        children: [],
        layoutOptions: { ...options, 'elk.padding': CONTAINER_PADDING, 'elk.nodeSize.constraints': 'MINIMUM_SIZE', 'elk.nodeSize.minimum': minimum },
      });
    }
    nodes.set(box.id, node);
    parent.children!.push(node);
  }
  for (const arrow of graph.arrows) {
    if (!nodes.has(arrow.source)) continue;
    const edge: ElkExtendedEdge = { id: arrow.id, sources: [arrow.source], targets: [arrow.targetBox] };
    const words = arrow.lines.flatMap((line) => breakLines(line, ARROW_LINE));
    if (words.length)
      edge.labels = [
        { id: `${arrow.id}:label`, text: words.join('\n'), width: Math.ceil(widest(words) + 8), height: words.length * STATECHART_FONT.lineHeight + 4 },
      ];
    root.edges!.push(edge);
  }
  const laid = await elk.layout(root);

  const kinds = new Map(graph.boxes.map((b) => [b.id, b.kind]));
  const boxes: PlacedBox[] = [];
  const arrows: PlacedArrow[] = [];
  const collect = (node: ElkNode) => {
    for (const edge of node.edges ?? []) {
      const points = (edge.sections ?? []).flatMap((s, i) => [...(i === 0 ? [s.startPoint] : []), ...(s.bendPoints ?? []), s.endPoint]);
      const label = edge.labels?.[0];
      arrows.push({
        id: edge.id,
        points,
        ...(label
          ? { label: { x: label.x ?? 0, y: label.y ?? 0, width: label.width ?? 0, height: label.height ?? 0, lines: (label.text ?? '').split('\n') } }
          : {}),
      });
    }
    for (const child of node.children ?? []) {
      boxes.push({
        id: child.id,
        kind: kinds.get(child.id)!,
        x: child.x ?? 0,
        y: child.y ?? 0,
        width: child.width ?? 0,
        height: child.height ?? 0,
        lines: lines.get(child.id) ?? [],
      });
      collect(child);
    }
  };
  collect(laid);
  return { width: Math.ceil(laid.width ?? 0), height: Math.ceil(laid.height ?? 0), boxes, arrows };
}
