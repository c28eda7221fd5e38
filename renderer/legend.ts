// The diagram's legend as a small overlay that stays in view: command and reply arrows, and each data
// connection's colour and dash (the same palette as the exports), with its endpoints.

import type { DiagramModel } from '../core/diagram/layout/diagramModel';
import { connectionColour, connectionDash, type Theme } from '../core/diagram/painters/palette';

const SVG_NS = 'http://www.w3.org/2000/svg';
const MAX_SHOWN = 2;

function swatch(doc: Document, colour: string, dash: string, width = 3): SVGSVGElement {
  const svg = doc.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'swatch');
  svg.setAttribute('width', '34');
  svg.setAttribute('height', '10');
  svg.setAttribute('aria-hidden', 'true');
  const line = doc.createElementNS(SVG_NS, 'line');
  line.setAttribute('x1', '1');
  line.setAttribute('x2', '33');
  line.setAttribute('y1', '5');
  line.setAttribute('y2', '5');
  line.setAttribute('stroke', colour);
  line.setAttribute('stroke-width', String(width));
  if (dash) line.setAttribute('stroke-dasharray', dash);
  svg.append(line);
  return svg;
}

function entry(doc: Document, mark: SVGSVGElement, text: string): HTMLLIElement {
  const item = doc.createElement('li');
  const label = doc.createElement('span');
  label.textContent = text;
  item.append(mark, label);
  return item;
}

export function drawLegend(container: HTMLElement, model: DiagramModel, theme: Theme): void {
  const axis = model.timeAxis;
  const key = JSON.stringify([model.legend.connections, model.layerNotes, model.legend.kernelTones, axis?.caption, axis?.ticks]);
  if (container.dataset.key === key) return;
  container.dataset.key = key;
  const doc = container.ownerDocument;
  const list = doc.createElement('ul');
  // The latest connections matter most while a session runs; a long session keeps the strip short.
  const all = model.legend.connections;
  const shown = all.slice(-MAX_SHOWN);
  const hidden = all.length - shown.length;
  list.append(
    entry(doc, swatch(doc, theme.control, '', 2), 'command  client → server'),
    entry(doc, swatch(doc, theme.control, '7 4', 2), 'reply  server → client'),
    ...shown.map((c) => entry(doc, swatch(doc, connectionColour(c.colour, theme), connectionDash(c.colour), 4), c.label)),
  );
  if (axis) {
    // The time axis's scale, in words. No heights in px: the view is zoomed, so the model's px are not the screen's
    // (the margin says each long gap's length, and the exports draw the ruler to the diagram's scale).
    const item = doc.createElement('li');
    item.className = 'time-scale';
    const text = doc.createElement('span');
    text.textContent = `${axis.scale.kind === 'log' ? 'time: gaps on a log scale' : 'time: gaps to scale'} · the margin gives each long gap's length`;
    item.append(text);
    list.append(item);
  }
  if (hidden > 0) {
    const more = doc.createElement('li');
    more.className = 'more';
    more.textContent = `+${hidden} earlier data connections`;
    list.append(more);
  }
  // The kernel-states layer's colours, when it draws any.
  for (const { tone, label } of model.legend.kernelTones ?? []) list.append(entry(doc, swatch(doc, theme.kernel[tone], '', 4), `kernel: ${label}`));
  // A layer asked for that this trace cannot show (no kernel TCP states recorded) says so, in one sentence.
  if (model.layerNotes && model.layerNotes.length > 0) {
    const note = doc.createElement('li');
    note.className = 'layer-note';
    note.textContent = model.layerNotes.join(' ');
    list.append(note);
  }
  container.replaceChildren(list);
}
