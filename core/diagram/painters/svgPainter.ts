// Paints a diagram model as one standalone SVG document: inline style, no script, no event handlers,
// no foreignObject; every string from the trace is escaped. The same model the on-screen diagram draws.

import type { CloseBadgeMark, ConnectionMark, DiagramModel, Mark, TextAnchor, TimeAxis, TransferMark } from '../layout/diagramModel';
import { RULER_TICK_WIDTH } from '../layout/timeScale';
import { FONT } from '../layout/diagramModel';
import { arrowHeadPath } from './arrowHead';
import { escapeXml } from './escape';
import { sansTextWidth } from '../layout/textWidth';
import type { Theme, ThemeName } from './palette';
import { connectionColour, connectionDash, themes } from './palette';
import { FRAME } from '../layout/placeMarks';
import { kernelToneXs, LEGEND } from '../layout/legendLayout';
import { markInWindow } from '../layout/markExtent';

export interface PaintOptions {
  readonly theme?: ThemeName;
  /** Prefix for the document's ids (markers, title), so several diagrams can share one HTML page. */
  readonly idPrefix?: string;
  /**
   * Paint only what reaches into these y coordinates, on a canvas that is just this band of the diagram
   * (the PNG export renders a long diagram band by band). The document's <desc> is left out.
   */
  readonly window?: { readonly top: number; readonly bottom: number };
}

const SANS = "'Segoe UI', 'Helvetica Neue', Helvetica, Arial, 'DejaVu Sans', 'Liberation Sans', sans-serif";
const MONO = "'SFMono-Regular', Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace";
/** How many steps the <desc> spells out before summarising the rest. */
const DESC_STEPS = 400;

const num = (n: number): string => String(Math.round(n * 100) / 100);
const attr = (name: string, value: string | number): string => ` ${name}="${typeof value === 'number' ? num(value) : escapeXml(value)}"`;

export function paintSvg(model: DiagramModel, options: PaintOptions = {}): string {
  const theme = themes[options.theme ?? 'light'];
  const p = (options.idPrefix ?? 'ftplab').replace(/[^A-Za-z0-9_-]/g, '') || 'ftplab';
  const out: string[] = [];
  const top = options.window?.top ?? 0;
  const bottom = options.window?.bottom ?? model.height;
  /** Whether the y range [y1, y2] reaches into the painted window. */
  const shown = (y1: number, y2: number) => y2 >= top && y1 <= bottom;

  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg"${attr('width', model.width)}${attr('height', bottom - top)}` +
      `${attr('viewBox', `0 ${num(top)} ${num(model.width)} ${num(bottom - top)}`)} role="img"${attr('aria-labelledby', `${p}-title ${p}-desc`)}` +
      `${attr('class', `ftp-lab-diagram theme-${theme.name}`)}>`,
  );
  out.push(`<title${attr('id', `${p}-title`)}>${escapeXml(model.title)}</title>`);
  if (!options.window) out.push(`<desc${attr('id', `${p}-desc`)}>${escapeXml(describe(model))}</desc>`);
  out.push(`<style>${css(theme)}${layerCss(model, theme)}${model.timeAxis ? `\n${timeAxisCss(theme)}` : ''}</style>`);
  out.push(`<rect class="background" x="0"${attr('y', top)}${attr('width', model.width)}${attr('height', bottom - top)}/>`);
  if (shown(0, FRAME.titleY + 10)) out.push(`<text class="title"${attr('x', model.marginX - 32)}${attr('y', FRAME.titleY)}>${escapeXml(model.title)}</text>`);
  paintRows(out, model, shown);
  paintLanes(out, model, shown);

  // Layers: connection spans under transfer bands under everything else; badges last so nothing covers them.
  const layers: Record<'spans' | 'bands' | 'marks' | 'badges', Mark[]> = { spans: [], bands: [], marks: [], badges: [] };
  for (const mark of model.marks) {
    if (options.window && !markInWindow(mark, model.rowHeight, top, bottom)) continue;
    if (mark.kind === 'connection') layers.spans.push(mark);
    else if (mark.kind === 'transfer' || mark.kind === 'kernel-state') layers.bands.push(mark);
    else if (mark.kind === 'close-badge') layers.badges.push(mark);
    else layers.marks.push(mark);
  }
  for (const [name, marks] of Object.entries(layers)) {
    out.push(`<g${attr('class', `layer layer-${name}`)}>`);
    for (const mark of marks) out.push(paintMark(mark, p, theme, model));
    out.push('</g>');
  }
  const legend = model.legend;
  if (shown(legend.box.y, legend.box.y + legend.box.height)) paintLegend(out, model, p, theme);
  const ruler = model.timeAxis?.ruler.box;
  if (model.timeAxis && ruler && shown(ruler.y, ruler.y + ruler.height)) paintRuler(out, model.timeAxis);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function css(t: Theme): string {
  return [
    `.background{fill:${t.background}}`,
    `text{font-family:${SANS};fill:${t.text}}`,
    `.title{font-size:18px;font-weight:600}`,
    `.stripe{fill:${t.stripe}}`,
    `.row-label{font-size:${FONT.rowLabelSize}px;fill:${t.muted};text-anchor:end}`,
    `.lane-box{fill:${t.laneFill};stroke:${t.laneStroke};stroke-width:1.2}`,
    `.lane-title{font-size:13px;font-weight:600;text-anchor:middle}`,
    `.lane-subtitle{font-family:${MONO};font-size:${FONT.subtitleSize}px;fill:${t.muted};text-anchor:middle}`,
    `.lifeline{stroke:${t.lifeline};stroke-width:1.5}`,
    `.lifeline-data{stroke-dasharray:5 4}`,
    `.label,.badge-text,.side-label{paint-order:stroke;stroke:${t.background};stroke-width:4px;stroke-linejoin:round}`,
    `.label{font-family:${MONO};font-size:${FONT.labelSize}px}`,
    `.reply-error .label{fill:${t.error}}`,
    `.arrow{fill:none;stroke-width:1.6}`,
    `.message .arrow{stroke:${t.control}}`,
    `.reply .arrow{stroke-dasharray:7 4}`,
    `.connect .arrow{stroke-width:2.2}`,
    `.fin .arrow,.rst .arrow{stroke-width:2.2}`,
    `.fin .label,.rst .label,.connect .label{font-weight:700}`,
    `.transfer .arrow{stroke-width:3}`,
    `.band{fill-opacity:0.13;stroke-opacity:0.55;stroke-width:1}`,
    `.marker-line{stroke-width:1.6;stroke-dasharray:2 3}`,
    `.span{fill-opacity:0.28;stroke-width:1.5}`,
    `.badge-pill{stroke-width:1.2}`,
    `.badge-closed .badge-pill{fill:${t.badgeFill}}`,
    `.badge-reset .badge-pill,.badge-cut .badge-pill{fill:${t.badgeFill};stroke:${t.error}}`,
    `.badge-open .badge-pill{fill:${t.openFill}}`,
    `.badge-text{font-size:${FONT.badgeSize}px;stroke-width:0}`,
    `.side-label{font-size:${FONT.badgeSize}px}`,
    `.listen-dot{fill:${t.background};stroke:${t.control};stroke-width:2}`,
    `.refused .arrow{stroke:${t.error};stroke-dasharray:4 3}`,
    `.refused-x{stroke:${t.error};stroke-width:2.4}`,
    `.note-box{fill:${t.noteFill};stroke:${t.noteStroke}}`,
    `.note-text{font-size:${FONT.noteSize}px;text-anchor:middle}`,
    `.state-text{font-size:${FONT.stateSize}px;font-style:italic;fill:${t.muted}}`,
    `.state-dot{fill:${t.muted}}`,
    `.legend-heading{font-size:12px;font-weight:600}`,
    `.legend-text{font-size:${FONT.legendSize}px}`,
    `.legend-line{stroke-width:2.2;fill:none}`,
  ].join('\n');
}

/** The styles of the optional layers (TCP segments, kernel states), only in a picture that has them. */
function layerCss(model: DiagramModel, t: Theme): string {
  if (!model.layerNotes && !model.marks.some((m) => m.kind === 'segment' || m.kind === 'kernel-state')) return '';
  return [
    '',
    `.segment .arrow{stroke-width:1.4}`,
    `.segment .label{font-size:${FONT.kernelStateSize + 1}px;font-weight:600}`,
    `.kernel-band{stroke:none}`,
    `.kernel-label{font-family:${MONO};font-size:${FONT.kernelStateSize}px;font-weight:600;paint-order:stroke;stroke:${t.background};stroke-width:3px;stroke-linejoin:round}`,
    `.layer-note{font-size:${FONT.legendSize}px;font-style:italic;fill:${t.muted}}`,
  ].join('\n');
}

/** The time axis's styles, only in a picture that has one. */
function timeAxisCss(t: Theme): string {
  return [
    `.axis-caption{font-size:12px;font-weight:600;fill:${t.muted}}`,
    `.gap-label{font-size:12px;font-style:italic;fill:${t.muted};text-anchor:end}`,
    `.gap-line,.ruler-bar{stroke:${t.muted};stroke-width:1.2;fill:none}`,
    `.ruler-label{font-size:12px;fill:${t.muted};text-anchor:middle}`,
  ].join('\n');
}

/**
 * An arrowhead (arrowHead.ts's shape, the screen's too) at (endX, endY), pointing along (ux, uy), a unit vector; drawn
 * as a path, not an SVG <marker> (markers make resvg isolate a layer per arrow). An open head (a reply) is two strokes.
 */
function slantedHead(endX: number, endY: number, ux: number, uy: number, colour: string, open: boolean): string {
  const d = arrowHeadPath(endX, endY, ux, uy, open);
  if (open) return `<path class="head open"${attr('d', d)} fill="none"${attr('stroke', colour)} stroke-width="1.44"/>`;
  return `<path class="head"${attr('d', d)}${attr('fill', colour)}/>`;
}

/** An arrowhead at the end of a horizontal line, pointing right (dir 1) or left (-1). */
function arrowHead(end: number, y: number, dir: number, colour: string, open: boolean): string {
  return slantedHead(end, y, dir, 0, colour, open);
}

type Shown = (y1: number, y2: number) => boolean;

function paintRows(out: string[], model: DiagramModel, shown: Shown): void {
  out.push('<g class="rows">');
  const half = model.rowHeight / 2;
  for (const row of model.rows) {
    if (!shown(row.y - model.rowHeight, row.y + model.rowHeight)) continue;
    if (model.axis === 'step' && row.step % 2 === 1) {
      out.push(
        `<rect class="stripe"${attr('x', model.marginX + 6)}${attr('y', row.y - half)}${attr('width', model.width - model.marginX - 6)}${attr('height', model.rowHeight + (row.extra ?? 0))}/>`,
      );
    }
    out.push(`<text class="row-label"${attr('x', model.marginX)}${attr('y', row.y + 4)}>${escapeXml(row.label)}</text>`);
  }
  const axis = model.timeAxis;
  if (axis) {
    // The time axis says its scale in the margin beside the lane headers, and each tall gap its length.
    if (shown(FRAME.laneBoxY, FRAME.laneBoxY + FRAME.laneBoxHeight)) {
      axis.caption.forEach((line, i) =>
        out.push(`<text class="axis-caption"${attr('x', 8)}${attr('y', FRAME.laneBoxY + 14 + i * 15)}>${escapeXml(line)}</text>`),
      );
    }
    for (const gap of axis.gaps) {
      if (!shown(gap.y1, gap.y2)) continue;
      out.push(
        `<line class="gap-line"${attr('x1', model.marginX + 3)}${attr('y1', gap.y1 + 8)}${attr('x2', model.marginX + 3)}${attr('y2', gap.y2 - 8)}/>` +
          `<text class="gap-label"${attr('x', model.marginX)}${attr('y', (gap.y1 + gap.y2) / 2 + 4)}>${escapeXml(gap.label)}</text>`,
      );
    }
  }
  out.push('</g>');
}

function paintLanes(out: string[], model: DiagramModel, shown: Shown): void {
  out.push('<g class="lanes">');
  const w = model.laneBoxWidth;
  const header = shown(FRAME.laneBoxY - 4, FRAME.laneBoxY + FRAME.laneBoxHeight + 4);
  for (const lane of model.lanes) {
    const data = lane.id === 'client-data' || lane.id === 'server-data';
    out.push(`<g${attr('class', `lane lane-${lane.id}`)}${attr('aria-label', `${lane.title}: ${lane.subtitle}`)}>`);
    out.push(
      `<line${attr('class', data ? 'lifeline lifeline-data' : 'lifeline')}${attr('x1', lane.x)}${attr('y1', model.lifelines.y1)}${attr('x2', lane.x)}${attr('y2', model.lifelines.y2)}/>`,
    );
    if (header) {
      out.push(
        `<rect class="lane-box"${attr('x', lane.x - w / 2)}${attr('y', FRAME.laneBoxY)}${attr('width', w)}${attr('height', FRAME.laneBoxHeight)} rx="6"/>`,
      );
      out.push(`<text class="lane-title"${attr('x', lane.x)}${attr('y', FRAME.laneBoxY + 21)}>${escapeXml(lane.title)}</text>`);
      out.push(`<text class="lane-subtitle"${attr('x', lane.x)}${attr('y', FRAME.laneBoxY + 39)}>${escapeXml(lane.subtitle)}</text>`);
    }
    out.push('</g>');
  }
  out.push('</g>');
}

/** One mark: a <g> with its accessible name, a <title> for the hover tooltip, and its shapes. */
function paintMark(mark: Mark, p: string, t: Theme, model: DiagramModel): string {
  const stroke = mark.colour === undefined ? t.control : connectionColour(mark.colour, t);
  const dash = mark.colour === undefined ? '' : connectionDash(mark.colour);
  const classes = ['mark', mark.kind];
  if (mark.kind === 'message') {
    classes.push(mark.message);
    if (mark.replyClass === 'transientNegative' || mark.replyClass === 'permanentNegative') classes.push('reply-error');
  }
  if (mark.kind === 'close-badge') classes.push(`badge-${mark.tone}`);
  const tooltip = mark.rfc ? `${mark.ariaLabel} (RFC ${mark.rfc})` : mark.ariaLabel;
  const open =
    `<g${attr('class', classes.join(' '))}${attr('data-mark', mark.id)}${attr('data-step', mark.step)}${attr('aria-label', mark.ariaLabel)}>` +
    `<title>${escapeXml(tooltip)}</title>`;
  return open + shapes(mark, p, t, model, stroke, dash) + '</g>';
}

function label(x: number, y: number, anchor: TextAnchor, text: string, cls = 'label'): string {
  return `<text${attr('class', cls)}${attr('x', x)}${attr('y', y)}${attr('text-anchor', anchor)}>${escapeXml(text)}</text>`;
}

/** An arrow that stops at the target lifeline: horizontal, or on the time axis down to where it was received (yEnd). */
function arrowLine(x1: number, x2: number, y: number, head: { colour: string; open?: boolean }, style = '', yEnd = y, cls = 'arrow'): string {
  const dir = Math.sign(x2 - x1) || 1;
  if (yEnd !== y) {
    const length = Math.hypot(x2 - x1, yEnd - y);
    const ux = (x2 - x1) / length;
    const uy = (yEnd - y) / length;
    return (
      `<line${attr('class', cls)}${attr('x1', x1 + ux * 2)}${attr('y1', y + uy * 2)}${attr('x2', x2 - ux * 2)}${attr('y2', yEnd - uy * 2)}${style}/>` +
      slantedHead(x2 - ux * 2, yEnd - uy * 2, ux, uy, head.colour, head.open ?? false)
    );
  }
  return (
    `<line class="arrow"${attr('x1', x1 + dir * 2)}${attr('y1', y)}${attr('x2', x2 - dir * 2)}${attr('y2', y)}${style}/>` +
    arrowHead(x2 - dir * 2, y, dir, head.colour, head.open ?? false)
  );
}

function strokeStyle(colour: string, dash: string): string {
  return `${attr('stroke', colour)}${dash ? attr('stroke-dasharray', dash) : ''}`;
}

function shapes(mark: Mark, p: string, t: Theme, model: DiagramModel, stroke: string, dash: string): string {
  switch (mark.kind) {
    case 'message':
      return (
        arrowLine(mark.x1, mark.x2, mark.y, { colour: t.control, open: mark.message === 'reply' }, '', mark.yEnd) +
        label(mark.labelX, mark.labelY, mark.labelAnchor, mark.label)
      );
    case 'segment':
      // A segment under its event's arrow: thinner, no origin dot, in the connection's colour.
      return arrowLine(mark.x1, mark.x2, mark.y, { colour: stroke }, strokeStyle(stroke, dash)) + label(mark.labelX, mark.labelY, mark.labelAnchor, mark.label);
    case 'kernel-state': {
      const colour = t.kernel[mark.tone];
      const h = Math.max(2, mark.y2 - mark.y1);
      return (
        `<rect class="kernel-band"${attr('x', mark.x - 1.5)}${attr('y', mark.y1)} width="3"${attr('height', h)}${attr('fill', colour)}/>` +
        `<text class="kernel-label"${attr('x', mark.labelX)}${attr('y', mark.labelY)}${attr('text-anchor', mark.labelAnchor)}${attr('fill', colour)}>${escapeXml(mark.label)}</text>`
      );
    }
    case 'connect':
    case 'fin':
      return (
        `<circle${attr('cx', mark.x1)}${attr('cy', mark.y)} r="3.5"${attr('fill', stroke)}/>` +
        arrowLine(mark.x1, mark.x2, mark.y, { colour: stroke }, strokeStyle(stroke, dash), mark.yEnd) +
        label(mark.labelX, mark.labelY, mark.labelAnchor, mark.label)
      );
    case 'rst':
      return (
        arrowLine(mark.x1, mark.x2, mark.y, { colour: t.error }, strokeStyle(t.error, ''), mark.yEnd) +
        label(mark.labelX, mark.labelY, mark.labelAnchor, mark.label)
      );
    case 'refused': {
      const dir = Math.sign(mark.x2 - mark.x1) || 1;
      const cx = mark.x2 - dir * 36;
      return (
        `<line class="arrow"${attr('x1', mark.x1)}${attr('y1', mark.y)}${attr('x2', cx)}${attr('y2', mark.y)}/>` +
        `<path class="refused-x"${attr('d', `M${num(cx - 6)},${num(mark.y - 6)} L${num(cx + 6)},${num(mark.y + 6)} M${num(cx - 6)},${num(mark.y + 6)} L${num(cx + 6)},${num(mark.y - 6)}`)}/>` +
        label(mark.labelX, mark.labelY, mark.labelAnchor, mark.label)
      );
    }
    case 'listen':
      return (
        `<circle class="listen-dot"${attr('cx', mark.x)}${attr('cy', mark.y)} r="5"/>` +
        label(mark.labelX, mark.labelY, mark.labelAnchor, mark.label, 'side-label')
      );
    case 'close-badge':
      return badge(mark, stroke);
    case 'transfer':
      return transfer(mark, p, stroke, dash);
    case 'marker':
      return (
        `<path${attr('d', diamond(mark.x1, mark.y))}${attr('fill', stroke)}/>` +
        (mark.yEnd !== mark.y
          ? arrowLine(mark.x1, mark.x2, mark.y, { colour: stroke }, attr('stroke', stroke), mark.yEnd, 'arrow marker-line')
          : `<line class="arrow marker-line"${attr('x1', mark.x1)}${attr('y1', mark.y)}${attr('x2', mark.x2 - Math.sign(mark.x2 - mark.x1) * 2)}${attr('y2', mark.y)}${attr('stroke', stroke)}/>` +
            arrowHead(mark.x2 - Math.sign(mark.x2 - mark.x1) * 2, mark.y, Math.sign(mark.x2 - mark.x1) || 1, stroke, false)) +
        label(mark.labelX, mark.labelY, mark.labelAnchor, mark.label)
      );
    case 'connection':
      return span(mark, stroke, dash);
    case 'note': {
      // One box over all the rows the note takes, its lines centred in it.
      const h = mark.rows > 1 ? mark.rows * model.rowHeight - 8 : Math.min(model.rowHeight - 8, 26);
      const top = mark.rows > 1 ? mark.y - model.rowHeight / 2 + 4 : mark.y - h / 2;
      const first = top + h / 2 - ((mark.lines.length - 1) * FONT.noteLine) / 2 + 4;
      const texts = mark.lines.map(
        (line, i) => `<text class="note-text"${attr('x', (mark.x1 + mark.x2) / 2)}${attr('y', first + i * FONT.noteLine)}>${escapeXml(line)}</text>`,
      );
      return (
        `<rect class="note-box"${attr('x', mark.x1 - 20)}${attr('y', top)}${attr('width', mark.x2 - mark.x1 + 40)}${attr('height', h)} rx="4"/>` +
        texts.join('')
      );
    }
    case 'state':
      return (
        `<circle class="state-dot"${attr('cx', mark.x)}${attr('cy', mark.y)} r="3"/>` +
        label(mark.labelX, mark.labelY, mark.labelAnchor, mark.label, 'state-text')
      );
  }
}

function diamond(x: number, y: number): string {
  return `M${num(x)},${num(y - 6)} L${num(x + 6)},${num(y)} L${num(x)},${num(y + 6)} L${num(x - 6)},${num(y)} z`;
}

function transfer(mark: TransferMark, p: string, stroke: string, dash: string): string {
  const { band } = mark;
  return (
    `<rect class="band"${attr('x', band.x1)}${attr('y', band.y1)}${attr('width', band.x2 - band.x1)}${attr('height', band.y2 - band.y1)}${attr('fill', stroke)}${attr('stroke', stroke)}/>` +
    arrowLine(mark.x1, mark.x2, mark.y, { colour: stroke }, strokeStyle(stroke, dash), mark.yEnd) +
    label(mark.labelX, mark.labelY, mark.labelAnchor, mark.label)
  );
}

/** A pill behind the badge text; its width is estimated from the text (no DOM to measure in). */
function badge(mark: CloseBadgeMark, stroke: string): string {
  const width = Math.max(...mark.lines.map((line) => sansTextWidth(line, FONT.badgeSize))) + 14;
  const left = mark.anchor === 'start' ? mark.x - 7 : mark.anchor === 'end' ? mark.x - width + 7 : mark.x - width / 2;
  // A wrapped badge grows upwards: the row below's label sits just under this row, the row above's well above it.
  const rise = (mark.lines.length - 1) * FONT.badgeLine;
  return (
    `<rect class="badge-pill"${attr('x', left)}${attr('y', mark.labelY - 13 - rise)}${attr('width', width)}${attr('height', 18 + rise)} rx="9"${attr('stroke', stroke)}/>` +
    mark.lines.map((line, i) => label(mark.x, mark.labelY - rise + i * FONT.badgeLine, mark.anchor, line, 'badge-text')).join('')
  );
}

function span(mark: ConnectionMark, stroke: string, dash: string): string {
  const h = Math.max(4, mark.y2 - mark.y1);
  const bar = (x: number) =>
    `<rect class="span"${attr('x', x - 5)}${attr('y', mark.y1)} width="10"${attr('height', h)}${attr('fill', stroke)}${strokeStyle(stroke, dash)}/>`;
  return bar(mark.x1) + bar(mark.x2);
}

function paintLegend(out: string[], model: DiagramModel, p: string, t: Theme): void {
  const { x, y } = model.legend;
  const { line, swatch, text, replyColumn } = LEGEND;
  out.push('<g class="legend" aria-label="Legend">');
  out.push(`<text class="legend-heading"${attr('x', x)}${attr('y', y)}>Legend</text>`);
  const y0 = y + line;
  const reply = x + replyColumn;
  out.push(
    `<line class="legend-line"${attr('x1', x)}${attr('y1', y0 - 4)}${attr('x2', x + swatch)}${attr('y2', y0 - 4)}${attr('stroke', t.control)}/>` +
      arrowHead(x + swatch, y0 - 4, 1, t.control, false) +
      `<text class="legend-text"${attr('x', x + text)}${attr('y', y0)}>${escapeXml(LEGEND.command)}</text>` +
      `<line class="legend-line"${attr('x1', reply)}${attr('y1', y0 - 4)}${attr('x2', reply + swatch)}${attr('y2', y0 - 4)}${attr('stroke', t.control)} stroke-dasharray="7 4"/>` +
      arrowHead(reply + swatch, y0 - 4, 1, t.control, true) +
      `<text class="legend-text"${attr('x', reply + text)}${attr('y', y0)}>${escapeXml(LEGEND.reply)}</text>`,
  );
  model.legend.connections.forEach((entry, i) => {
    const ly = y0 + line * (i + 1);
    const colour = connectionColour(entry.colour, t);
    const dash = connectionDash(entry.colour);
    out.push(
      `<line class="legend-line"${attr('x1', x)}${attr('y1', ly - 4)}${attr('x2', x + swatch)}${attr('y2', ly - 4)}${strokeStyle(colour, dash)}/>` +
        `<text class="legend-text"${attr('x', x + text)}${attr('y', ly)}>data connection ${escapeXml(entry.label)}</text>`,
    );
  });
  let next = y0 + line * (model.legend.connections.length + 1);
  if (model.legend.kernelTones) {
    // One line: each tone's colour as a short band, and its name.
    out.push(`<text class="legend-text"${attr('x', x)}${attr('y', next)}>${escapeXml(LEGEND.kernelTones)}</text>`);
    const toneXs = kernelToneXs(model.legend.kernelTones);
    model.legend.kernelTones.forEach(({ tone, label }, i) => {
      const lx = x + toneXs[i]!;
      out.push(
        `<rect${attr('x', lx)}${attr('y', next - 11)} width="4" height="14"${attr('fill', t.kernel[tone])}/>` +
          `<text class="legend-text"${attr('x', lx + LEGEND.toneText)}${attr('y', next)}${attr('fill', t.kernel[tone])}>${escapeXml(label)}</text>`,
      );
    });
    next += line;
  }
  (model.layerNotes ?? []).forEach((note, i) => {
    out.push(`<text class="layer-note"${attr('x', x)}${attr('y', next + line * i)}>${escapeXml(note)}</text>`);
  });
  out.push('</g>');
}

/** The time axis's ruler: a bar per tick, as tall as a gap of that length is drawn, its length under it. */
function paintRuler(out: string[], axis: TimeAxis): void {
  const { x, y } = axis.ruler;
  out.push('<g class="ruler" aria-label="Time axis: how tall a gap of each length is drawn">');
  out.push(
    `<text class="legend-heading"${attr('x', x)}${attr('y', y - 4)}>${escapeXml(axis.scale.kind === 'log' ? 'Gaps, log scale' : 'Gaps, to scale')}</text>`,
  );
  axis.ticks.forEach((tick, i) => {
    const cx = x + RULER_TICK_WIDTH * i + RULER_TICK_WIDTH / 2;
    const top = y + 8;
    out.push(
      `<path class="ruler-bar"${attr('d', `M${num(cx - 6)},${num(top)} H${num(cx + 6)} M${num(cx)},${num(top)} V${num(top + tick.height)} M${num(cx - 6)},${num(top + tick.height)} H${num(cx + 6)}`)}/>` +
        `<text class="ruler-label"${attr('x', cx)}${attr('y', top + tick.height + 16)}>${escapeXml(tick.label)}</text>`,
    );
  });
  out.push('</g>');
}

/** The document's long description: the lanes, then each step in words. */
function describe(model: DiagramModel): string {
  const lanes = model.lanes.map((lane) => `${lane.title} (${lane.subtitle})`).join('; ');
  const lines = [`Sequence diagram of an FTP session in ${model.steps} steps. Lanes, left to right: ${lanes}.`];
  let shown = 0;
  for (const mark of model.marks) {
    if (mark.kind === 'connection' || mark.kind === 'close-badge') continue;
    if (shown === DESC_STEPS) {
      lines.push(`… and ${model.steps - mark.step} more steps.`);
      break;
    }
    lines.push(`${mark.step + 1}. ${mark.ariaLabel}`);
    shown += 1;
  }
  return lines.join('\n');
}
