// How each kind of diagram mark is drawn into its <g>, from the model's geometry alone and in the same
// shapes and classes as core/diagram/painters/svgPainter (screen and export look alike). New marks can animate in:
// a message's shaft grows from sender to receiver. All text goes in with .text(): trace text is untrusted.

import type { Selection } from 'd3-selection';
import 'd3-transition';
import { FONT, type ArrowGeometry, type Mark } from '../core/diagram/layout/diagramModel';
import { arrowHeadPath } from '../core/diagram/painters/arrowHead';
import { connectionColour, connectionDash, type Theme } from '../core/diagram/painters/palette';
import { sansTextWidth } from '../core/diagram/layout/textWidth';
import type { TextMeasure } from './textMeasure';

type G = Selection<SVGGElement, Mark, null, undefined>;

export interface DrawContext {
  readonly theme: Theme;
  /** Animate the mark in (it is new on this step): the duration in ms, 0 for none. */
  readonly animateMs: number;
  /** How wide drawn text is (a badge's pill fits it); by default the layout's estimate. */
  readonly measure?: TextMeasure;
}

/** The classes a mark's <g> carries (as in the painter), for the style sheet and for tests. */
export function markClasses(mark: Mark): string {
  const classes = ['mark', mark.kind];
  if (mark.kind === 'message') {
    classes.push(mark.message);
    if (mark.replyClass === 'transientNegative' || mark.replyClass === 'permanentNegative') classes.push('reply-error');
  }
  if (mark.kind === 'close-badge') classes.push(`badge-${mark.tone}`);
  if (mark.channel) classes.push(`channel-${mark.channel}`);
  return classes.join(' ');
}

/** (Re)draws one mark's children. */
export function drawMark(g: G, mark: Mark, context: DrawContext): void {
  g.selectAll('*').remove();
  const { theme } = context;
  const stroke = mark.colour === undefined ? theme.control : connectionColour(mark.colour, theme);
  const dash = mark.colour === undefined ? '' : connectionDash(mark.colour);
  switch (mark.kind) {
    case 'message':
      arrow(g, mark, theme.control, mark.message === 'reply' ? '7 4' : '', mark.message === 'reply', context);
      return;
    case 'connect':
    case 'fin':
      g.append('circle').attr('class', 'origin').attr('cx', mark.x1).attr('cy', mark.y).attr('r', 4).attr('fill', stroke);
      arrow(g, mark, stroke, dash, false, context);
      return;
    case 'rst':
      arrow(g, mark, theme.error, '', false, context);
      return;
    case 'segment':
      arrow(g, mark, stroke, dash, false, context);
      return;
    case 'kernel-state': {
      const colour = theme.kernel[mark.tone];
      g.append('rect')
        .attr('class', 'kernel-band')
        .attr('x', mark.x - 1.5)
        .attr('y', mark.y1)
        .attr('width', 3)
        .attr('height', Math.max(2, mark.y2 - mark.y1))
        .attr('fill', colour);
      label(g, mark.label, mark.labelX, mark.labelY, mark.labelAnchor, 'kernel-label').attr('fill', colour);
      fadeIn(g, context);
      return;
    }
    case 'refused': {
      const dir = Math.sign(mark.x2 - mark.x1) || 1;
      const cx = mark.x2 - dir * 36;
      g.append('line').attr('class', 'hit').attr('x1', mark.x1).attr('x2', mark.x2).attr('y1', mark.y).attr('y2', mark.y);
      g.append('line').attr('class', 'arrow').attr('x1', mark.x1).attr('x2', cx).attr('y1', mark.y).attr('y2', mark.y);
      g.append('path')
        .attr('class', 'refused-x')
        .attr('d', `M${cx - 7},${mark.y - 7} L${cx + 7},${mark.y + 7} M${cx - 7},${mark.y + 7} L${cx + 7},${mark.y - 7}`);
      label(g, mark.label, mark.labelX, mark.labelY, mark.labelAnchor, 'label');
      fadeIn(g, context);
      return;
    }
    case 'marker':
      g.append('path').attr('class', 'diamond').attr('d', diamond(mark.x1, mark.y)).attr('fill', stroke);
      arrow(g, mark, stroke, '2 3', false, context);
      return;
    case 'transfer': {
      const { band } = mark;
      g.append('rect')
        .attr('class', 'band')
        .attr('x', Math.min(band.x1, band.x2))
        .attr('y', band.y1)
        .attr('width', Math.abs(band.x2 - band.x1))
        .attr('height', Math.max(2, band.y2 - band.y1))
        .attr('fill', stroke)
        .attr('stroke', stroke);
      arrow(g, mark, stroke, dash, false, context);
      return;
    }
    case 'listen':
      g.append('circle').attr('class', 'listen-dot').attr('cx', mark.x).attr('cy', mark.y).attr('r', 5.5);
      label(g, mark.label, mark.labelX, mark.labelY, mark.labelAnchor, 'side-label');
      fadeIn(g, context);
      return;
    case 'close-badge': {
      // Measured in the page (layout estimates widths; the screen can do better), then the pill goes behind.
      // A wrapped badge grows upwards, as in the painter: the row below's label sits just under this row.
      const rise = (mark.lines.length - 1) * FONT.badgeLine;
      const measured = mark.lines.map((line, i) => {
        const text = label(g, line, mark.x, mark.labelY - rise + i * FONT.badgeLine, mark.anchor, 'badge-text');
        return context.measure?.(line, text.node() as SVGTextElement) || sansTextWidth(line, FONT.badgeSize);
      });
      const width = Math.max(...measured) + 18;
      const left = mark.anchor === 'start' ? mark.x - 9 : mark.anchor === 'end' ? mark.x - width + 9 : mark.x - width / 2;
      g.insert('rect', 'text')
        .attr('class', 'badge-pill')
        .attr('x', left)
        .attr('y', mark.labelY - 14 - rise)
        .attr('width', width)
        .attr('height', 20 + rise)
        .attr('rx', 10)
        .attr('stroke', stroke);
      fadeIn(g, context);
      return;
    }
    case 'connection': {
      const height = Math.max(4, mark.y2 - mark.y1);
      for (const x of [mark.x1, mark.x2]) {
        g.append('rect')
          .attr('class', 'span')
          .attr('x', x - 5)
          .attr('y', mark.y1)
          .attr('width', 10)
          .attr('height', height)
          .attr('fill', stroke)
          .attr('stroke', stroke)
          .attr('stroke-dasharray', dash || null);
      }
      return;
    }
    case 'note': {
      g.append('rect')
        .attr('class', 'note-box')
        .attr('x', mark.x1 - 20)
        .attr('y', mark.y - 13)
        .attr('width', mark.x2 - mark.x1 + 40)
        .attr('height', 26)
        .attr('rx', 4);
      label(g, mark.text, (mark.x1 + mark.x2) / 2, mark.y + 4, 'middle', 'note-text');
      fadeIn(g, context);
      return;
    }
    case 'state':
      g.append('circle').attr('class', 'state-dot').attr('cx', mark.x).attr('cy', mark.y).attr('r', 3);
      label(g, mark.label, mark.labelX, mark.labelY, mark.labelAnchor, 'state-text');
      return;
  }
}

function label(g: G, text: string, x: number, y: number, anchor: string, className: string) {
  return g.append('text').attr('class', className).attr('x', x).attr('y', y).attr('text-anchor', anchor).text(text);
}

/**
 * An arrow that stops at the target lifeline, with its label above; `open` draws a reply's open head. On the
 * time axis it slants down to where it was received (yEnd): the head is drawn along the shaft, in the exports' shape.
 */
function arrow(g: G, mark: Mark & ArrowGeometry, stroke: string, dash: string, open: boolean, context: DrawContext): void {
  const y = mark.y;
  const length = Math.hypot(mark.x2 - mark.x1, mark.yEnd - y) || 1;
  // Along the shaft; it stops 2 px short of the lifelines at both ends, its head over its end.
  const ux = (mark.x2 - mark.x1) / length;
  const uy = (mark.yEnd - y) / length;
  const endX = mark.x2 - ux * 2;
  const endY = mark.yEnd - uy * 2;
  // A wide transparent line under the arrow makes it easy to hover and click.
  g.append('line').attr('class', 'hit').attr('x1', mark.x1).attr('x2', mark.x2).attr('y1', y).attr('y2', mark.yEnd);
  const shaft = g
    .append('line')
    .attr('class', 'arrow')
    .attr('x1', mark.x1 + ux * 2)
    .attr('y1', y + uy * 2)
    .attr('stroke', stroke)
    .attr('stroke-dasharray', dash || null);
  const head = g
    .append('path')
    .attr('class', open ? 'head open' : 'head')
    .attr('d', arrowHeadPath(endX, endY, ux, uy, open))
    .attr('fill', open ? 'none' : stroke)
    .attr('stroke', stroke);
  const text = label(g, mark.label, mark.labelX, mark.labelY, mark.labelAnchor, 'label');
  if (context.animateMs > 0) {
    // The message travels: the shaft grows from the sender to the receiver, then the head lands.
    shaft
      .attr('x2', mark.x1 + ux * 2)
      .attr('y2', y + uy * 2)
      .transition()
      .duration(context.animateMs)
      .attr('x2', endX)
      .attr('y2', endY);
    head
      .attr('opacity', 0)
      .transition()
      .delay(context.animateMs * 0.85)
      .duration(context.animateMs * 0.15)
      .attr('opacity', 1);
    text
      .attr('opacity', 0)
      .transition()
      .duration(context.animateMs * 0.6)
      .attr('opacity', 1);
  } else {
    shaft.attr('x2', endX).attr('y2', endY);
  }
}

function diamond(x: number, y: number): string {
  return `M${x},${y - 7} L${x + 7},${y} L${x},${y + 7} L${x - 7},${y} Z`;
}

function fadeIn(g: G, context: DrawContext): void {
  if (context.animateMs > 0) g.attr('opacity', 0).transition().duration(context.animateMs).attr('opacity', 1);
}
