// arrowHeadPath: the one arrowhead of the screen and the exports, flat or slanted: its tip 0.9 px past the shaft's end,
// 9 px long and 9 wide (open: 7.2), square to the shaft whatever its slant.

import { describe, expect, it } from 'vitest';
import { arrowHeadPath } from '../../../../core/diagram/painters/arrowHead';

/** The path's points, in order. */
const points = (d: string) => [...d.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);

describe('arrowHeadPath', () => {
  it.each([
    { title: 'closed, pointing right', open: false, dir: 1, d: 'M100.9,50 L91.9,45.5 L91.9,54.5 z' },
    { title: 'closed, pointing left', open: false, dir: -1, d: 'M99.1,50 L108.1,45.5 L108.1,54.5 z' },
    { title: 'open (a reply), pointing left', open: true, dir: -1, d: 'M107.2,46.4 L100,50 L107.2,53.6' },
  ])('flat: $title', ({ open, dir, d }) => {
    expect(arrowHeadPath(100, 50, dir, 0, open)).toBe(d);
  });

  it.each([
    { title: 'a command slanting down to the right', ux: 0.8, uy: 0.6, open: false },
    { title: 'a reply slanting down to the left', ux: -0.6, uy: 0.8, open: true },
    { title: 'a steep one', ux: 0.1, uy: Math.sqrt(0.99), open: false },
  ])('slanted, the same shape turned: $title', ({ ux, uy, open }) => {
    const [first, second, third] = points(arrowHeadPath(200, 300, ux, uy, open));
    // The tip, and the two back corners: symmetric about the shaft.
    const [tip, a, b] = open ? [second!, first!, third!] : [first!, second!, third!];
    const along = (p: readonly [number, number]) => (p[0] - 200) * ux + (p[1] - 300) * uy;
    const across = (p: readonly [number, number]) => -(p[0] - 200) * uy + (p[1] - 300) * ux;
    expect(along(tip)).toBeCloseTo(open ? 0 : 0.9, 1);
    expect(across(tip)).toBeCloseTo(0, 1);
    expect(along(a)).toBeCloseTo(open ? -7.2 : -8.1, 1);
    expect(along(b)).toBeCloseTo(along(a), 1);
    expect(Math.abs(across(a) - across(b))).toBeCloseTo(open ? 7.2 : 9, 1);
    expect(across(a) + across(b)).toBeCloseTo(0, 1);
  });
});
