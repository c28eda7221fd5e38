// The on-screen sequence diagram: draws core/diagram's DiagramModel into an SVG as keyed joins by mark id
// (stepping forward enters a row's marks, stepping back removes them), only for the rows in view, with
// d3-zoom for zoom and pan, lane headers that stay on top, and the current step highlighted.

import { select, type Selection } from 'd3-selection';
import 'd3-transition';
import { zoom, zoomIdentity, type D3ZoomEvent, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';
import type { DiagramModel, Mark, MarkKind, Row, TimeAxis } from '../core/diagram/layout/diagramModel';
import { themes } from '../core/diagram/painters/palette';
import { FRAME } from '../core/diagram/layout/placeMarks';
import { drawLegend } from './legend';
import { drawMark, markClasses } from './markShapes';
import { markInWindow } from '../core/diagram/layout/markExtent';

export interface DiagramState {
  /** The step (row) the user is on; its marks are highlighted. -1 before the first. */
  readonly currentStep: number;
  /** Marks of rows from this step on are new: they animate in. */
  readonly newFromStep: number;
  readonly animateMs: number;
  readonly presenter: boolean;
  readonly selectedId: string | undefined;
  /** Bring the current row into view. */
  readonly follow: boolean;
  /** Marks to outline as produced while a picked statechart state was active. */
  readonly producedIds?: ReadonlySet<string>;
}

export interface DiagramView {
  render(model: DiagramModel, state: DiagramState): void;
  onHover(listener: (mark: Mark | undefined) => void): void;
  onSelect(listener: (mark: Mark | undefined) => void): void;
  zoomBy(factor: number): void;
  /** Fit the diagram's width into the view (the start position for a new session). */
  fit(): void;
  /** How wide a diagram fits the view at zoom k (what the layout is asked to fit, so text is drawn at k times its size). */
  contentWidthAt(k: number): number;
  /** The view changed size (a window resize, presenter mode, the state machines shown): the layout may want another width. */
  onResize(listener: () => void): void;
}

/** Back to front: spans and bands under arrows, badges on top. */
const LAYERS: readonly MarkKind[][] = [
  ['connection'],
  ['transfer', 'kernel-state'],
  ['note', 'state', 'listen'],
  ['connect', 'marker', 'message', 'fin', 'rst', 'refused', 'segment'],
  ['close-badge'],
];
/** In presenter mode, the last few steps stay bright and older ones fade. */
const PRESENTER_RECENT = 3;
const PAD = 16;
/** The model keeps a title band above the lane boxes (for exports); on screen the header bar has the title. */
const TOP = FRAME.laneBoxY - 12;

export function createDiagramView(svgElement: SVGSVGElement, legendElement: HTMLElement): DiagramView {
  const theme = themes.light;
  const svg = select(svgElement);
  const viewport = svg.append('g').attr('class', 'viewport');
  const rowsLayer = viewport.append('g').attr('class', 'rows');
  const gapsLayer = viewport.append('g').attr('class', 'gaps');
  const lifelinesLayer = viewport.append('g').attr('class', 'lifelines');
  const markLayers = LAYERS.map((kinds) => ({ kinds: new Set(kinds), g: viewport.append('g').attr('class', `layer layer-${kinds[0]}`) }));
  const header = svg.append('g').attr('class', 'lane-headers');
  const hoverListeners = new Set<(mark: Mark | undefined) => void>();
  const selectListeners = new Set<(mark: Mark | undefined) => void>();
  const resizeListeners = new Set<() => void>();

  let model: DiagramModel | undefined;
  let state: DiagramState | undefined;
  let transform: ZoomTransform = zoomIdentity;
  let userZoomed = false;
  let cullScheduled = false;

  // Read once, then again only after the ResizeObserver says the view changed: reading clientWidth in every draw
  // forced a layout of the whole page in every frame while a class was watched.
  let viewSize: { width: number; height: number } | undefined;
  const size = () => (viewSize ??= { width: svgElement.clientWidth || 800, height: svgElement.clientHeight || 600 });
  const headerY = () => Math.max(transform.y, -TOP * transform.k);

  const zoomer: ZoomBehavior<SVGSVGElement, unknown> = zoom<SVGSVGElement, unknown>()
    .scaleExtent([0.15, 6])
    // The view's own size (d3's default reads the element's size on every transition step).
    .extent(() => {
      const { width, height } = size();
      return [
        [0, 0],
        [width, height],
      ];
    })
    // The wheel scrolls through the session; ctrl + wheel (and pinch) zooms.
    .filter((event: Event) => (event.type === 'wheel' ? (event as WheelEvent).ctrlKey : !(event as MouseEvent).button))
    .constrain((t) => constrain(t))
    .on('zoom', (event: D3ZoomEvent<SVGSVGElement, unknown>) => {
      transform = event.transform;
      if (event.sourceEvent) userZoomed = true;
      applyTransform();
      scheduleCull();
    });
  svg.call(zoomer).on('dblclick.zoom', null);
  svg.on(
    'wheel.pan',
    (event: WheelEvent) => {
      if (event.ctrlKey) return;
      event.preventDefault();
      zoomer.translateBy(svg, -event.deltaX / transform.k, -event.deltaY / transform.k);
    },
    { passive: false },
  );

  function constrain(t: ZoomTransform): ZoomTransform {
    if (!model) return t;
    const { width, height } = size();
    const contentW = (model.width + 2 * PAD) * t.k;
    const x = contentW <= width ? (width - contentW) / 2 + PAD * t.k : Math.min(PAD * t.k, Math.max(width - contentW + PAD * t.k, t.x));
    // The top stays put when everything fits; otherwise scrolling may go on until the last row is a third up the view.
    const yMax = -TOP * t.k;
    const yMin = Math.min(yMax, height * 0.66 - (model.lifelines.y2 + PAD) * t.k);
    const y = Math.min(yMax, Math.max(yMin, t.y));
    return x === t.x && y === t.y ? t : zoomIdentity.translate(x, y).scale(t.k);
  }

  function applyTransform(): void {
    viewport.attr('transform', transform.toString());
    // Lane headers scroll sideways with the diagram but stay at the top when scrolling down.
    header.attr('transform', `translate(${transform.x},${headerY()}) scale(${transform.k})`);
  }

  function scheduleCull(): void {
    if (cullScheduled) return;
    cullScheduled = true;
    requestAnimationFrame(() => {
      cullScheduled = false;
      if (model && state) draw(model, { ...state, animateMs: 0, newFromStep: Number.POSITIVE_INFINITY, follow: false });
    });
  }

  /** The model's y range in view (with a margin), so only those rows and marks are drawn. */
  function visibleRange(): [number, number] {
    const { height } = size();
    const top = -transform.y / transform.k;
    const bottom = (height - transform.y) / transform.k;
    const margin = (bottom - top) * 0.5;
    return [top - margin, bottom + margin];
  }

  function draw(m: DiagramModel, s: DiagramState): void {
    const [top, bottom] = visibleRange();
    drawRows(m, s, top, bottom);
    drawGaps(m, top, bottom);
    drawLifelines(m);
    drawHeader(m);
    const inView = m.marks.filter((mark) => markInWindow(mark, m.rowHeight, top, bottom));
    for (const layer of markLayers) {
      layer.g
        .selectAll<SVGGElement, Mark>('g.mark')
        .data(
          inView.filter((mark) => layer.kinds.has(mark.kind)),
          (d) => d.id,
        )
        .join(
          (enter) =>
            enter
              .append('g')
              .attr('class', (d) => markClasses(d))
              .each(function (d) {
                const animateMs = d.step >= s.newFromStep ? s.animateMs : 0;
                drawMark(select(this) as Selection<SVGGElement, Mark, null, undefined>, d, { theme, animateMs });
                this.dataset.sig = signature(d);
              }),
          (update) =>
            update.each(function (d) {
              const sig = signature(d);
              if (this.dataset.sig === sig) return;
              drawMark(select(this) as Selection<SVGGElement, Mark, null, undefined>, d, { theme, animateMs: 0 });
              this.dataset.sig = sig;
            }),
          (exit) => exit.remove(),
        )
        .attr('role', 'img')
        .attr('aria-label', (d) => d.ariaLabel)
        .attr('data-id', (d) => d.id)
        .attr('data-step', (d) => String(d.step))
        .attr('data-from', (d) => ('fromLane' in d ? d.fromLane : null))
        .attr('data-to', (d) => ('toLane' in d ? d.toLane : null))
        .classed('current', (d) => isCurrent(d, s.currentStep))
        .classed('recent', (d) => s.presenter && d.step > s.currentStep - PRESENTER_RECENT && !isCurrent(d, s.currentStep))
        .classed('faded', (d) => s.presenter && lastStepOf(d) <= s.currentStep - PRESENTER_RECENT)
        .classed('selected', (d) => d.id === s.selectedId)
        .classed('produced', (d) => s.producedIds?.has(d.id) ?? false);
    }
  }

  function drawRows(m: DiagramModel, s: DiagramState, top: number, bottom: number): void {
    const rows = m.rows.filter((row) => row.y + m.rowHeight >= top && row.y - m.rowHeight <= bottom);
    const half = m.rowHeight / 2;
    rowsLayer
      .selectAll<SVGGElement, Row>('g.row')
      .data(rows, (d) => String(d.step))
      .join((enter) => {
        const g = enter.append('g').attr('class', 'row');
        g.append('rect').attr('class', 'stripe');
        g.append('text').attr('class', 'row-label');
        return g;
      })
      .classed('odd', (d) => d.step % 2 === 1)
      .classed('current', (d) => d.step === s.currentStep)
      .call((g) =>
        g
          .select('rect')
          .attr('x', m.marginX + 6)
          .attr('y', (d) => d.y - half)
          .attr('width', m.width - m.marginX - 6)
          .attr('height', (d) => m.rowHeight + (d.extra ?? 0)),
      )
      .call((g) =>
        g
          .select('text')
          .attr('x', m.marginX)
          .attr('y', (d) => d.y + 4)
          .attr('text-anchor', 'end')
          .text((d) => d.label),
      );
  }

  /** On the time axis: each tall gap's length in the margin, beside a line as long as the gap. */
  function drawGaps(m: DiagramModel, top: number, bottom: number): void {
    const gaps = (m.timeAxis?.gaps ?? []).filter((gap) => gap.y2 >= top && gap.y1 <= bottom);
    gapsLayer
      .selectAll<SVGGElement, TimeAxis['gaps'][number]>('g.gap')
      .data(gaps, (d) => String(d.y1))
      .join((enter) => {
        const g = enter.append('g').attr('class', 'gap');
        g.append('line').attr('class', 'gap-line');
        g.append('text').attr('class', 'gap-label').attr('text-anchor', 'end');
        return g;
      })
      .call((g) =>
        g
          .select('line')
          .attr('x1', m.marginX + 3)
          .attr('x2', m.marginX + 3)
          .attr('y1', (d) => d.y1 + 8)
          .attr('y2', (d) => d.y2 - 8),
      )
      .call((g) =>
        g
          .select('text')
          .attr('x', m.marginX)
          .attr('y', (d) => (d.y1 + d.y2) / 2 + 4)
          .text((d) => d.label),
      );
  }

  function drawLifelines(m: DiagramModel): void {
    lifelinesLayer
      .selectAll<SVGLineElement, DiagramModel['lanes'][number]>('line.lifeline')
      .data(m.lanes, (d) => d.id)
      .join('line')
      .attr('class', (d) => (d.id === 'client-data' || d.id === 'server-data' ? 'lifeline lifeline-data' : 'lifeline'))
      .attr('x1', (d) => d.x)
      .attr('x2', (d) => d.x)
      .attr('y1', m.lifelines.y1)
      .attr('y2', Math.max(m.lifelines.y2, m.lifelines.y1 + m.rowHeight));
  }

  function drawHeader(m: DiagramModel): void {
    header
      .selectAll<SVGRectElement, number>('rect.header-backdrop')
      .data([0])
      .join('rect')
      .attr('class', 'header-backdrop')
      .attr('x', -m.width)
      .attr('y', -2000)
      .attr('width', m.width * 3)
      .attr('height', 2000 + m.lifelines.y1 + 2);
    const w = m.laneBoxWidth;
    header
      .selectAll<SVGGElement, DiagramModel['lanes'][number]>('g.lane')
      .data(m.lanes, (d) => d.id)
      .join((enter) => {
        const g = enter.append('g').attr('class', (d) => `lane lane-${d.id}`);
        g.append('rect').attr('class', 'lane-box').attr('rx', 6);
        g.append('text').attr('class', 'lane-title');
        g.append('text').attr('class', 'lane-subtitle');
        return g;
      })
      .attr('aria-label', (d) => `${d.title}: ${d.subtitle}`)
      .call((g) =>
        g
          .select('rect')
          .attr('x', (d) => d.x - w / 2)
          .attr('y', FRAME.laneBoxY)
          .attr('width', w)
          .attr('height', FRAME.laneBoxHeight),
      )
      .call((g) =>
        g
          .select('text.lane-title')
          .attr('x', (d) => d.x)
          .attr('y', FRAME.laneBoxY + 21)
          .text((d) => d.title),
      )
      .call((g) =>
        g
          .select('text.lane-subtitle')
          .attr('x', (d) => d.x)
          .attr('y', FRAME.laneBoxY + 39)
          .text((d) => d.subtitle),
      );
    // The time axis says its scale in the margin beside the lane headers (they stay in view; so does it).
    header
      .selectAll<SVGTextElement, string>('text.axis-caption')
      .data(m.timeAxis?.caption ?? [])
      .join('text')
      .attr('class', 'axis-caption')
      .attr('x', 8)
      .attr('y', (_d, i) => FRAME.laneBoxY + 14 + i * 15)
      .text((d) => d);
    drawLegend(legendElement, m, theme);
  }

  /** `t`, moved vertically (if needed) so the current row is in view below the lane headers. */
  function withCurrentInView(t: ZoomTransform): ZoomTransform {
    if (!model || !state) return t;
    const row = model.rows[state.currentStep] ?? model.rows[model.rows.length - 1];
    if (!row) return t;
    const { height } = size();
    const screenY = t.applyY(row.y);
    const headerBottomAt = Math.max(t.y, -TOP * t.k) + model.lifelines.y1 * t.k;
    const top = headerBottomAt + 16;
    // Presenter mode's caption covers the bottom of the view: as much of it as the caption is tall (a textbook
    // correction makes it taller). Read from the page, not from the last render's state: on the toggle, the view
    // resizes (and this runs) before the next render says presenter mode is on.
    const caption = svgElement.ownerDocument.getElementById('caption');
    const bottom = height - (caption && caption.offsetHeight > 0 ? caption.offsetHeight + 36 : 40);
    // The current row settles near the bottom, so as much of the past as fits stays in view; stepping back too:
    // the rows after the current one are not drawn, so a current row high up leaves the view empty below it.
    const target = Math.max(height * 0.66, bottom - model.rowHeight * t.k);
    if (screenY >= Math.max(top, target - height * 0.3) && screenY <= bottom) return t;
    const next = constrain(zoomIdentity.translate(t.x, t.y + (target - screenY)).scale(t.k));
    // At the top of the diagram there is no past to show: the view stays.
    return next.y === t.y && next.x === t.x ? t : next;
  }

  function follow(s: DiagramState): void {
    const next = withCurrentInView(transform);
    if (next === transform) return;
    // No animation asked for (rows arrive faster than one could play): the view moves at once.
    if (s.animateMs === 0) {
      svg.interrupt('follow').call(zoomer.transform, next);
      return;
    }
    svg
      .transition('follow')
      .duration(Math.min(400, s.animateMs || 250))
      .call(zoomer.transform, next);
  }

  function fitTransform(): ZoomTransform {
    if (!model) return zoomIdentity;
    const { width } = size();
    const k = Math.max(0.3, Math.min(2.2, width / (model.width + 2 * PAD)));
    return constrain(zoomIdentity.translate(0, -TOP * k).scale(k));
  }

  const markFrom = (event: Event): Mark | undefined => {
    const g = (event.target as Element | null)?.closest?.('g.mark');
    return g ? (select(g).datum() as Mark) : undefined;
  };
  viewport.on('pointerover', (event: PointerEvent) => {
    const mark = markFrom(event);
    if (mark) for (const listener of hoverListeners) listener(mark);
  });
  viewport.on('pointerout', (event: PointerEvent) => {
    const to = event.relatedTarget as Element | null;
    if (!to?.closest?.('g.mark')) for (const listener of hoverListeners) listener(undefined);
  });
  svg.on('click', (event: MouseEvent) => {
    const mark = markFrom(event);
    for (const listener of selectListeners) listener(mark);
  });

  new ResizeObserver(() => {
    viewSize = undefined;
    for (const listener of resizeListeners) listener();
    if (!model || !state) return;
    // A follow or zoom still moving would land on a transform worked out for the old size.
    svg.interrupt('follow').interrupt('zoom');
    svg.call(zoomer.transform, withCurrentInView(userZoomed ? constrain(transform) : fitTransform()));
  }).observe(svgElement);

  return {
    render(m, s) {
      const first = model === undefined || model.title !== m.title || model.width !== m.width;
      model = m;
      state = s;
      if (first && !userZoomed) {
        // A follow still on its way would land on the old layout's zoom, over this fit.
        svg.interrupt('follow');
        svg.call(zoomer.transform, withCurrentInView(fitTransform()));
      }
      draw(m, s);
      if (s.follow) follow(s);
    },
    onHover(listener) {
      hoverListeners.add(listener);
    },
    onSelect(listener) {
      selectListeners.add(listener);
    },
    zoomBy(factor) {
      viewSize = undefined;
      userZoomed = true;
      svg.transition('zoom').duration(200).call(zoomer.scaleBy, factor);
    },
    contentWidthAt(k) {
      return size().width / k - 2 * PAD;
    },
    onResize(listener) {
      resizeListeners.add(listener);
    },
    fit() {
      // Asked for when the panels around the view change (before its ResizeObserver has heard): measured afresh.
      viewSize = undefined;
      userZoomed = false;
      svg.transition('zoom').duration(200).call(zoomer.transform, withCurrentInView(fitTransform()));
    },
  };
}

/** Spans are "current" only on the row where they end (a close); everything else on its own row. */
function isCurrent(mark: Mark, step: number): boolean {
  if (mark.kind === 'connection') return false;
  if (mark.kind === 'transfer') return mark.stepTo === step;
  return mark.step === step;
}

function lastStepOf(mark: Mark): number {
  return mark.kind === 'connection' || mark.kind === 'transfer' || mark.kind === 'kernel-state' ? mark.stepTo : mark.step;
}

/** What the drawing of a mark depends on: redrawn only when this changes. */
function signature(mark: Mark): string {
  return JSON.stringify(mark);
}
