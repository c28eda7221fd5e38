// Summarises a V8 .cpuprofile (node --cpu-prof): the functions with the most self time and the most
// total (inclusive) time. Usage: node --import tsx bench/profile.ts FILE.cpuprofile [TOP]
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { relative } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  fn: string;
  selfMs: number;
  totalMs: number;
}

export interface ProfileSummary {
  durationMs: number;
  /** Time in (idle), (program) and (garbage collector). */
  idleMs: number;
  gcMs: number;
  top: ProfileEntry[];
}

function nameOf(frame: CallFrame, root: string): string {
  const fn = frame.functionName || '(anonymous)';
  if (!frame.url) return fn;
  let where = frame.url.replace(/^file:\/\//, '');
  if (where.startsWith(root)) where = relative(root, where);
  return `${fn} ${where}:${frame.lineNumber + 1}`;
}

export async function summarizeProfile(file: string, top = 25, root = process.cwd()): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let idleMs = 0;
  let gcMs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time before sample i; attribute the next delta to this sample.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    const key = nameOf(node.callFrame, root);
    if (node.callFrame.functionName === '(idle)') idleMs += ms;
    if (node.callFrame.functionName === '(garbage collector)') gcMs += ms;
    self.set(key, (self.get(key) ?? 0) + ms);
  }
  const bySelf = [...self.entries()]
    .map(([fn, selfMs]) => ({ fn, selfMs, totalMs: 0 }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top);
  return { durationMs: (profile.endTime - profile.startTime) / 1000, idleMs, gcMs, top: bySelf };
}

/** Functions with the most inclusive time, leaving out the roots every sample passes through. */
export async function topInclusive(file: string, top = 25, root = process.cwd()): Promise<ProfileEntry[]> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const total = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const seen = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (frame.functionName === '(root)' || frame.functionName === '(idle)') continue;
      const k = nameOf(frame, root);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + ms);
    }
  }
  return [...total.entries()]
    .map(([fn, ms]) => ({ fn, selfMs: 0, totalMs: ms }))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, top);
}

export function formatProfile(summary: ProfileSummary, inclusive: ProfileEntry[]): string {
  const busy = summary.durationMs - summary.idleMs;
  const lines = [
    `profile: ${summary.durationMs.toFixed(0)} ms, busy ${busy.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms, GC ${summary.gcMs.toFixed(0)} ms`,
    'self time (ms, % of busy)  function',
    ...summary.top.map((e) => `${e.selfMs.toFixed(1).padStart(9)} ${((100 * e.selfMs) / busy).toFixed(1).padStart(5)}%  ${e.fn}`),
    'total time (ms, % of busy)  function',
    ...inclusive.map((e) => `${e.totalMs.toFixed(1).padStart(9)} ${((100 * e.totalMs) / busy).toFixed(1).padStart(5)}%  ${e.fn}`),
  ];
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node --import tsx bench/profile.ts FILE.cpuprofile [TOP]\n');
    process.exit(2);
  }
  const top = Number(process.argv[3] ?? 25);
  process.stdout.write(formatProfile(await summarizeProfile(file, top), await topInclusive(file, top)) + '\n');
}
