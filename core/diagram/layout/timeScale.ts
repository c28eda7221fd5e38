// The time axis's scale: how tall the gap between two rows is for the time between them (proportional,
// or on a log scale when the gaps span orders of magnitude), where a moment between rows lies (an arrow's
// receive time), and the axis's caption, ticks and gap labels. Pure; a row's place depends only on the
// rows before it, so a session laid out step by step keeps its rows where the whole session has them.

import type { TimeAxis, TimeScale } from './diagramModel';

export const TIME_AXIS = {
  /** Rows are never closer than this (px): an arrow's label sits above its line. */
  minGap: 26,
  /** The gaps span "orders of magnitude" when the longest is this many times the shortest: then the scale is log. */
  logRatio: 100,
  /** Gaps shorter than this (ms) are treated as none when judging the spread (timer resolution). */
  resolutionMs: 0.001,
  /** The log scale: a gap of t ms adds pxPerDecade · log10(1 + t / unitMs) px to the minimum gap. */
  unitMs: 0.1,
  pxPerDecade: 24,
  /** A gap gets its length written beside it in the margin when it is at least this tall (px). */
  labelledGap: 44,
} as const;

/** The scale for these row times: log where the gaps between rows span orders of magnitude, linear otherwise. */
export function chooseTimeScale(ts: readonly number[], rowHeight: number): TimeScale {
  let shortest = Number.POSITIVE_INFINITY;
  let longest = 0;
  let last = ts[0] ?? 0;
  for (const t of ts) {
    const gap = t - last;
    last = Math.max(last, t);
    if (gap < TIME_AXIS.resolutionMs) continue;
    shortest = Math.min(shortest, gap);
    longest = Math.max(longest, gap);
  }
  if (longest > 0 && longest / shortest >= TIME_AXIS.logRatio) return { kind: 'log', unitMs: TIME_AXIS.unitMs, pxPerDecade: TIME_AXIS.pxPerDecade };
  const span = last - (ts[0] ?? 0);
  // As tall as the step axis would make the session (the minimum gap may add to it).
  return { kind: 'linear', pxPerMs: span > 0 ? ((ts.length - 1) * rowHeight) / span : 0 };
}

/** The part of a gap's height that stands for its time: proportional to it, or to the log of it. */
export function timeHeight(scale: TimeScale, ms: number): number {
  const t = Math.max(0, ms);
  return scale.kind === 'linear' ? t * scale.pxPerMs : scale.pxPerDecade * Math.log10(1 + t / scale.unitMs);
}

/** A gap's height: its time's height over the minimum (log), or its time's height but not less than the minimum (linear). */
export function gapHeight(scale: TimeScale, ms: number): number {
  const h = timeHeight(scale, ms);
  return scale.kind === 'log' ? TIME_AXIS.minGap + h : Math.max(TIME_AXIS.minGap, h);
}

/** Rows placed by time, and where any moment lies between them. */
export interface TimeRows {
  readonly ys: number[];
  /** The y of time t: the last row at or before t, plus t's distance from it (never past the next row). */
  yAt(t: number): number;
}

/**
 * Places the rows: each below the bottom of the one before (its y plus its extra lines) by its gap's height, so
 * the lines under an event take no time and every gap stands for its time alone. `continues[i]` marks a row that
 * is the previous row's continuation (a note's further lines): it keeps a full row's height.
 */
export function placeTimeRows(
  ts: readonly number[],
  continues: readonly boolean[],
  top: number,
  rowHeight: number,
  scale: TimeScale,
  /** Each row's extra height under its event (the TCP layer's segment lines): the rows after it move down by it, and the gap after it starts below it. */
  extra: readonly number[] = [],
): TimeRows {
  const count = ts.length;
  const ys = new Array<number>(count);
  /** Running maximum of the row times: events recorded at two ends may be a little out of order. */
  const tMax = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    const t = ts[i] ?? 0;
    if (i === 0) {
      ys[i] = top + rowHeight / 2;
      tMax[i] = t;
      continue;
    }
    const before = tMax[i - 1] ?? t;
    const gap = gapHeight(scale, t - before);
    ys[i] = (ys[i - 1] ?? 0) + (extra[i - 1] ?? 0) + (continues[i] ? Math.max(rowHeight, gap) : gap);
    tMax[i] = Math.max(before, t);
  }
  return { ys, yAt: momentOnRows(ts, ys, extra, scale, rowHeight, top) };
}

/** The last index among the first `count` of an ascending list whose value is at or before `t` (-1: none). */
export function lastAtOrBefore(ascending: readonly number[], t: number, count = ascending.length): number {
  let lo = 0;
  let hi = count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((ascending[mid] ?? Number.POSITIVE_INFINITY) <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Where any moment lies among rows already placed (their times, ys and extra lines): the y of time t, the last
 * row at or before t plus t's distance from it (never past the next row). A diagram up to a step is given the whole
 * diagram's rows, so an arrow still in flight there lands where the whole diagram has it land.
 */
export function momentOnRows(
  ts: readonly number[],
  ys: readonly number[],
  extra: readonly number[],
  scale: TimeScale,
  rowHeight: number,
  top: number,
): (t: number) => number {
  const count = ts.length;
  /** Running maximum of the row times: events recorded at two ends may be a little out of order. */
  const tMax = new Array<number>(count);
  for (let i = 0; i < count; i++) tMax[i] = Math.max(tMax[i - 1] ?? Number.NEGATIVE_INFINITY, ts[i] ?? 0);
  return (t: number): number => {
    const found = lastAtOrBefore(tMax, t, count);
    if (found < 0) return ys[0] ?? top;
    const since = t - (tMax[found] ?? t);
    if (since <= 0) return ys[found] ?? top;
    // Time after a row is counted from the bottom of its lines (they take no time), as the gaps are. The gap to the
    // next row holds at least the time's height (gapHeight ≥ timeHeight), so this never passes it.
    const bottom = (ys[found] ?? 0) + (extra[found] ?? 0);
    const y = bottom + timeHeight(scale, since);
    const next = ys[found + 1];
    return next === undefined ? Math.min(y, bottom + rowHeight / 2) : Math.min(y, next);
  };
}

/** A duration as the axis writes it: '0.1 ms', '45 ms', '1.2 s'. */
export function durationText(ms: number): string {
  if (ms >= 1000) return `${trim(ms / 1000)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  if (ms >= 0.1) return `${trim(ms)} ms`;
  return `${trim(ms * 1000)} µs`;
}

function trim(n: number): string {
  return String(Number(n.toPrecision(2)));
}

/** The ruler's height: its tallest bar and the labels under the bars. */
export function rulerHeight(axis: Pick<TimeAxis, 'ticks'>): number {
  return Math.max(0, ...axis.ticks.map((t) => t.height)) + 52;
}

/** The ruler's width: a bar and its label per tick. */
export const RULER_TICK_WIDTH = 64;

/**
 * The axis as painters draw it: its caption, a ruler of gap lengths, and the length of each tall gap beside it.
 * A gap runs from the bottom of the previous row's lines (`extra`) to the next row: only that height is time.
 */
export function timeAxisFor(scale: TimeScale, ts: readonly number[], ys: readonly number[], extra: readonly number[] = []): Omit<TimeAxis, 'ruler'> {
  let longest = 0;
  let last = ts[0] ?? 0;
  const gaps: { y1: number; y2: number; label: string }[] = [];
  for (let i = 1; i < ts.length; i++) {
    const ms = (ts[i] ?? 0) - last;
    last = Math.max(last, ts[i] ?? 0);
    longest = Math.max(longest, ms);
    const y1 = (ys[i - 1] ?? 0) + (extra[i - 1] ?? 0);
    const y2 = ys[i] ?? 0;
    if (y2 - y1 >= TIME_AXIS.labelledGap && ms >= TIME_AXIS.resolutionMs) gaps.push({ y1, y2, label: `+${durationText(ms)}` });
  }
  const ticks = tickTimes(scale, longest).map((ms) => ({ ms, label: durationText(ms), height: round(gapHeight(scale, ms)) }));
  const caption =
    scale.kind === 'log'
      ? ['time ↓', 'log scale', 'of gaps']
      : scale.pxPerMs > 0
        ? ['time ↓', 'to scale:', `${durationText(10 / scale.pxPerMs)}/10 px`]
        : ['time ↓', 'all at one', 'moment'];
  return { scale, caption, ticks, gaps };
}

/** Decades on a log scale (0.1 ms, 1 ms, 10 ms, … up to the longest gap); 1-2-5 steps on a linear one. */
function tickTimes(scale: TimeScale, longest: number): number[] {
  const top = Math.max(longest, scale.kind === 'log' ? scale.unitMs * 10 : 0);
  if (scale.kind === 'log') {
    const ticks: number[] = [];
    for (let ms = scale.unitMs; ms <= top * 1.0001 || ticks.length < 2; ms *= 10) ticks.push(Number(ms.toPrecision(1)));
    return ticks;
  }
  if (top <= 0) return [];
  const magnitude = 10 ** Math.floor(Math.log10(top));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => top / s <= 4) ?? magnitude * 10;
  const ticks: number[] = [];
  for (let ms = step; ms <= top * 1.0001; ms += step) ticks.push(Number(ms.toPrecision(3)));
  return ticks;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
