// The arrowhead's shape, one for the screen (renderer/markShapes.ts) and every export (svgPainter.ts): a path at
// the end of a shaft of any slant, flat on the step axis, slanted on the time axis (where an arrow lands when its
// receiver recorded it).

/** Two decimals: the precision of the exported SVG's coordinates. */
const num = (n: number): string => String(Math.round(n * 100) / 100);

/**
 * The head of an arrow whose shaft ends at (endX, endY), pointing along the unit vector (ux, uy): the path's `d`.
 * The tip is 0.9 px past the shaft's end. Closed (drawn filled): 9 px long and 9 wide. Open (a reply; drawn as two
 * strokes, no fill): 7.2 px long and 7.2 wide, its tip at the shaft's end.
 */
export function arrowHeadPath(endX: number, endY: number, ux: number, uy: number, open: boolean): string {
  // Across the shaft, pointing down-ish whichever way the arrow goes (the order of the points follows it).
  const nx = ux >= 0 ? -uy : uy;
  const ny = ux >= 0 ? ux : -ux;
  const p = (along: number, across: number) => `${num(endX + (along - 9) * 0.9 * ux + across * nx)},${num(endY + (along - 9) * 0.9 * uy + across * ny)}`;
  return open ? `M${p(1, -3.6)} L${p(9, 0)} L${p(1, 3.6)}` : `M${p(10, 0)} L${p(0, -4.5)} L${p(0, 4.5)} z`;
}
