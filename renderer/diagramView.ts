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
import { setChangedAttributes, setChangedText } from './changedOnly';
import { createTextMeasure } from './textMeasure';

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
  const measure = createTextMeasure(svgElement.ownerDocument);
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
  /** The model's y range the last draw covered (the rows in view and half a view either side), and for which model. */
  let drawn: { model: DiagramModel; top: number; bottom: number } | undefined;
  /** A move render() makes itself, before it draws for the new view: no second draw for it. */
  let movingForRender = false;

  // Read once, then again only after the ResizeObserver says the view changed: reading clientWidth in every draw
  // forced a layout of the whole page in every frame while a class was watched.
  let viewSize: { width: number; height: number } | undefined;
  const size = () => (viewSize ??= { width: svgElement.clientWidth || 800, height: svgElement.clientHeight || 600 });
  const headerY = () => Math.max(transform.y, -TOP * transform.k);
  // The caption's height, from the page, not from the last render's state: on the toggle, the view resizes (and its
  // observer runs) before the next render says presenter mode is on. Read where the page has just been laid out (the
  // observers) or rarely (fit); kept otherwise: read in every render, it forced a layout of the whole page each time.
  const caption = svgElement.ownerDocument.getElementById('caption');
  let captionHeight = 0;
  const readCaption = () => {
    captionHeight = caption?.offsetHeight ?? 0;
  };
  if (caption) new ResizeObserver(readCaption).observe(caption);

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
      if (!movingForRender) scheduleCull();
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
      if (!model || !state) return;
      // Still inside what the last draw covered (it drew half a view beyond each edge): nothing comes in or goes.
      const [top, bottom] = visibleRange(0);
      if (drawn && drawn.model === model && top >= drawn.top && bottom <= drawn.bottom) return;
      draw(model, { ...state, animateMs: 0, newFromStep: Number.POSITIVE_INFINITY, follow: false });
    });
  }

  /** The model's y range in view, with `margin` views more either side (only those rows and marks are drawn). */
  function visibleRange(margin = 0.5): [number, number] {
    const { height } = size();
    const top = -transform.y / transform.k;
    const bottom = (height - transform.y) / transform.k;
    const more = (bottom - top) * margin;
    return [top - more, bottom + more];
  }

  function draw(m: DiagramModel, s: DiagramState): void {
    const [top, bottom] = visibleRange();
    drawn = { model: m, top, bottom };
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
                drawMark(select(this) as Selection<SVGGElement, Mark, null, undefined>, d, { theme, animateMs, measure });
                describeMark(this, d);
                this.dataset.sig = signature(d);
              }),
          (update) =>
            update.each(function (d) {
              const sig = signature(d);
              if (this.dataset.sig === sig) return;
              drawMark(select(this) as Selection<SVGGElement, Mark, null, undefined>, d, { theme, animateMs: 0, measure });
              describeMark(this, d);
              this.dataset.sig = sig;
            }),
          (exit) => exit.remove(),
        )
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
      .each(function (d) {
        setChangedAttributes(this.firstElementChild!, {
          x: m.marginX + 6,
          y: d.y - half,
          width: m.width - m.marginX - 6,
          height: m.rowHeight + (d.extra ?? 0),
        });
        const label = this.lastElementChild!;
        setChangedAttributes(label, { x: m.marginX, y: d.y + 4, 'text-anchor': 'end' });
        setChangedText(label, d.label);
      });
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
      .each(function (d) {
        setChangedAttributes(this.firstElementChild!, { x1: m.marginX + 3, x2: m.marginX + 3, y1: d.y1 + 8, y2: d.y2 - 8 });
        const label = this.lastElementChild!;
        setChangedAttributes(label, { x: m.marginX, y: (d.y1 + d.y2) / 2 + 4 });
        setChangedText(label, d.label);
      });
  }

  function drawLifelines(m: DiagramModel): void {
    lifelinesLayer
      .selectAll<SVGLineElement, DiagramModel['lanes'][number]>('line.lifeline')
      .data(m.lanes, (d) => d.id)
      .join('line')
      .each(function (d) {
        setChangedAttributes(this, {
          class: d.id === 'client-data' || d.id === 'server-data' ? 'lifeline lifeline-data' : 'lifeline',
          x1: d.x,
          x2: d.x,
          y1: m.lifelines.y1,
          y2: Math.max(m.lifelines.y2, m.lifelines.y1 + m.rowHeight),
        });
      });
  }

  function drawHeader(m: DiagramModel): void {
    header
      .selectAll<SVGRectElement, number>('rect.header-backdrop')
      .data([0])
      .join('rect')
      .each(function () {
        setChangedAttributes(this, { class: 'header-backdrop', x: -m.width, y: -2000, width: m.width * 3, height: 2000 + m.lifelines.y1 + 2 });
      });
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
      .each(function (d) {
        setChangedAttributes(this, { 'aria-label': `${d.title}: ${d.subtitle}` });
        const [box, title, subtitle] = this.children;
        setChangedAttributes(box!, { x: d.x - w / 2, y: FRAME.laneBoxY, width: w, height: FRAME.laneBoxHeight });
        setChangedAttributes(title!, { x: d.x, y: FRAME.laneBoxY + 21 });
        setChangedText(title!, d.title);
        setChangedAttributes(subtitle!, { x: d.x, y: FRAME.laneBoxY + 39 });
        setChangedText(subtitle!, d.subtitle);
      });
    // The time axis says its scale in the margin beside the lane headers (they stay in view; so does it).
    header
      .selectAll<SVGTextElement, string>('text.axis-caption')
      .data(m.timeAxis?.caption ?? [])
      .join('text')
      .each(function (d, i) {
        setChangedAttributes(this, { class: 'axis-caption', x: 8, y: FRAME.laneBoxY + 14 + i * 15 });
        setChangedText(this, d);
      });
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
    // correction makes it taller).
    const bottom = height - (captionHeight > 0 ? captionHeight + 36 : 40);
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

  // The diagram takes its box's size in px, set here whenever the box changes size, and is placed over it (out of the
  // page's flow): sized 100%, Chromium laid the whole SVG out again with every layout of the page, that is whenever any
  // text changed anywhere (the step counter, the transcript, the classroom list: every batch of a watched class),
  // 3–5 ms for a short session's diagram. Out of the flow, its size in px never holds its box open.
  const box = svgElement.parentElement;
  const fitToBox = () => {
    if (!box) return;
    const width = box.clientWidth;
    const height = box.clientHeight;
    if (width === 0 || height === 0) return;
    Object.assign(svgElement.style, { position: 'absolute', left: '0', top: '0', width: `${width}px`, height: `${height}px` });
  };
  new ResizeObserver(() => {
    fitToBox();
    viewSize = undefined;
    readCaption();
    for (const listener of resizeListeners) listener();
    if (!model || !state) return;
    // A follow or zoom still moving would land on a transform worked out for the old size.
    svg.interrupt('follow').interrupt('zoom');
    svg.call(zoomer.transform, withCurrentInView(userZoomed ? constrain(transform) : fitTransform()));
  }).observe(box ?? svgElement);

  return {
    render(m, s) {
      const first = model === undefined || model.title !== m.title || model.width !== m.width;
      model = m;
      state = s;
      // The view moves first when it moves at once, and the draw is then for where it lands: one draw per render
      // (a move drew again in the next frame, twice per batch of a watched class).
      movingForRender = true;
      try {
        if (first && !userZoomed) {
          // A follow still on its way would land on the old layout's zoom, over this fit.
          svg.interrupt('follow');
          svg.call(zoomer.transform, withCurrentInView(fitTransform()));
        }
        if (s.follow && s.animateMs === 0) follow(s);
      } finally {
        movingForRender = false;
      }
      draw(m, s);
      if (s.follow && s.animateMs > 0) follow(s);
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
      fitToBox();
      viewSize = undefined;
      readCaption();
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

/** The mark's words and data attributes (for screen readers, the page's handlers and tests): set when it is drawn. */
function describeMark(g: SVGGElement, mark: Mark): void {
  setChangedAttributes(g, {
    role: 'img',
    'aria-label': mark.ariaLabel,
    'data-id': mark.id,
    'data-step': String(mark.step),
    'data-from': 'fromLane' in mark ? mark.fromLane : null,
    'data-to': 'toLane' in mark ? mark.toLane : null,
  });
}

/** What the drawing of a mark depends on: redrawn only when this changes. */
function signature(mark: Mark): string {
  return JSON.stringify(mark);
}
