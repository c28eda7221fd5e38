// Summarises a Chromium performance trace (browser.startTracing, the devtools.timeline category) for the page's main
// thread: busy time by phase (script, style, layout, paint, GC) as self time, and the same for the long tasks alone
// (over one frame, 16.7 ms), which are what a p95 frame time is made of. Times are the thread's CPU time (the trace's
// tdur): on a loaded machine a task's wall time is mostly waiting for a core (a 4 ms layout took 119 ms), and a
// share of wall time measures the other processes. Usage: node --import tsx bench/timeline.ts FILE.json
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  /** The thread's CPU time in the event. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

export type Phase = 'script' | 'style' | 'layout' | 'paint' | 'gc' | 'other';

/** Devtools' own grouping of the timeline's events (its "Summary" colours), by event name. */
const PHASES: Record<string, Phase> = {
  FunctionCall: 'script',
  EvaluateScript: 'script',
  TimerFire: 'script',
  FireAnimationFrame: 'script',
  EventDispatch: 'script',
  'v8.run': 'script',
  'v8.compile': 'script',
  'V8.Execute': 'script',
  'v8.callFunction': 'script',
  RunMicrotasks: 'script',
  ResizeObserver: 'script',
  UpdateLayoutTree: 'style',
  RecalculateStyles: 'style',
  ParseAuthorStyleSheet: 'style',
  InvalidateLayout: 'layout',
  Layout: 'layout',
  PrePaint: 'paint',
  Paint: 'paint',
  PaintImage: 'paint',
  Layerize: 'paint',
  Commit: 'paint',
  UpdateLayer: 'paint',
  CompositeLayers: 'paint',
  MinorGC: 'gc',
  MajorGC: 'gc',
  'V8.GCScavenger': 'gc',
  'V8.GCCompactor': 'gc',
  'V8.GCFinalizeMC': 'gc',
  'V8.GC_MC_BACKGROUND_MARKING': 'gc',
  BlinkGC: 'gc',
};

export interface TimelineSummary {
  /** From the first to the last event on the page's main thread, ms. */
  spanMs: number;
  /** Top-level tasks' CPU time, ms. */
  busyMs: number;
  /** Top-level tasks' wall time, ms (CPU time plus waiting for a core). */
  busyWallMs: number;
  byPhase: Record<Phase, number>;
  /** Tasks longer than a frame (wall time): how many, and their CPU time by phase. */
  longTasks: number;
  longByPhase: Record<Phase, number>;
  /** Self time by event name, ms, the largest first. */
  byName: [string, number][];
}

const LONG_TASK_MS = 16.7;
const zero = (): Record<Phase, number> => ({ script: 0, style: 0, layout: 0, paint: 0, gc: 0, other: 0 });

export function summarizeTimeline(events: readonly TraceEvent[]): TimelineSummary {
  // The renderer's main thread: named CrRendererMain in the metadata events (the page's only renderer here).
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) throw new Error('no CrRendererMain thread in the trace');
  const onMain = events
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const byPhase = zero();
  const longByPhase = zero();
  const byName = new Map<string, number>();
  let busyMs = 0;
  let busyWallMs = 0;
  let longTasks = 0;
  const cpu = (e: TraceEvent) => e.tdur ?? e.dur!;
  // Nested complete events: a stack of the open ones; each event's self time is its duration less its children's.
  const stack: { e: TraceEvent; end: number; childUs: number; long: boolean }[] = [];
  const close = (item: (typeof stack)[number]) => {
    const selfMs = (cpu(item.e) - item.childUs) / 1000;
    const phase = PHASES[item.e.name] ?? 'other';
    byPhase[phase] += selfMs;
    if (item.long) longByPhase[phase] += selfMs;
    byName.set(item.e.name, (byName.get(item.e.name) ?? 0) + selfMs);
  };
  for (const e of onMain) {
    while (stack.length > 0 && stack[stack.length - 1]!.end <= e.ts) close(stack.pop()!);
    const parent = stack[stack.length - 1];
    if (parent) parent.childUs += cpu(e);
    else {
      busyMs += cpu(e) / 1000;
      busyWallMs += e.dur! / 1000;
      if (e.dur! / 1000 > LONG_TASK_MS) longTasks++;
    }
    stack.push({ e, end: e.ts + e.dur!, childUs: 0, long: parent ? parent.long : e.dur! / 1000 > LONG_TASK_MS });
  }
  while (stack.length > 0) close(stack.pop()!);
  const first = onMain[0]?.ts ?? 0;
  const last = Math.max(...onMain.map((e) => e.ts + e.dur!), first);
  return {
    spanMs: (last - first) / 1000,
    busyMs,
    busyWallMs,
    byPhase,
    longTasks,
    longByPhase,
    byName: [...byName.entries()].sort((a, b) => b[1] - a[1]),
  };
}

export function formatTimeline(s: TimelineSummary, top = 15): string {
  const pct = (ms: number, of: number) => `${((100 * ms) / of).toFixed(1).padStart(5)}%`;
  const longMs = Object.values(s.longByPhase).reduce((a, b) => a + b, 0);
  return [
    `main thread: ${s.spanMs.toFixed(0)} ms traced, busy ${s.busyMs.toFixed(0)} ms of CPU (${pct(s.busyMs, s.spanMs)}; ${s.busyWallMs.toFixed(0)} ms wall); ${s.longTasks} tasks over ${LONG_TASK_MS} ms (${longMs.toFixed(0)} ms of CPU in them)`,
    'phase     CPU ms  share | in long tasks',
    ...(Object.keys(s.byPhase) as Phase[]).map(
      (p) =>
        `${p.padEnd(8)} ${s.byPhase[p].toFixed(0).padStart(7)} ${pct(s.byPhase[p], s.busyMs)} | ${s.longByPhase[p].toFixed(0).padStart(6)} ${pct(s.longByPhase[p], longMs || 1)}`,
    ),
    'self CPU time by event (ms, share of busy)',
    ...s.byName.slice(0, top).map(([name, ms]) => `${ms.toFixed(0).padStart(7)} ${pct(ms, s.busyMs)}  ${name}`),
  ].join('\n');
}

export async function readTimeline(file: string): Promise<TraceEvent[]> {
  const parsed = JSON.parse(await readFile(file, 'utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/timeline.ts FILE.json\n');
    process.exit(2);
  }
  process.stdout.write(formatTimeline(summarizeTimeline(await readTimeline(file))) + '\n');
}
