// How far up and down a mark reaches on the diagram, so a painter can draw only what falls in a window:
// the renderer for the rows in view, the PNG export for one band of the picture at a time.

import type { Mark } from './diagramModel';

/** The y extent a mark occupies, with a row's height to spare for its label, halo and arrowhead. */
export function yExtent(mark: Mark, rowHeight: number): [number, number] {
  switch (mark.kind) {
    case 'connection':
    case 'kernel-state':
      return [mark.y1 - rowHeight, mark.y2 + rowHeight];
    case 'transfer':
      return [Math.min(mark.band.y1, mark.y) - rowHeight, Math.max(mark.band.y2, mark.y, mark.yEnd) + rowHeight];
    case 'close-badge':
      return [mark.labelY - rowHeight * mark.lines.length, mark.labelY + rowHeight];
    case 'note':
      return [mark.y - rowHeight, mark.y + mark.rows * rowHeight];
    default:
      // An arrow on the time axis lands lower than it starts (where its receiver recorded it).
      return [mark.y - rowHeight, ('yEnd' in mark ? Math.max(mark.y, mark.yEnd) : mark.y) + rowHeight];
  }
}

/** Whether a mark reaches into the window [top, bottom]. */
export function markInWindow(mark: Mark, rowHeight: number, top: number, bottom: number): boolean {
  const [y1, y2] = yExtent(mark, rowHeight);
  return y2 >= top && y1 <= bottom;
}
