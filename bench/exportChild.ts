// One export in a process of its own, so its peak memory is the export's (plus Node's and tsx's baseline):
//   node --import tsx bench/exportChild.ts TRACE.json OUT.svg|OUT.png
// Prints JSON: the time to read and parse the trace, the time of writeExport (the code `ftp-lab export`
// runs), the output's size, and this process's VmRSS before the trace was read and VmHWM at the end.
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { writeExport } from '../main/export/exportFormats';
import { parseTrace } from '../core/trace/traceFile';

export interface ExportChildResult {
  format: string;
  events: number;
  parseMs: number;
  exportMs: number;
  bytes: number;
  baselineRssKiB: number;
  vmHwmKiB: number;
}

function status(field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

const [tracePath, outPath] = process.argv.slice(2);
if (!tracePath || !outPath) {
  process.stderr.write('usage: node --import tsx bench/exportChild.ts TRACE.json OUT.svg|OUT.png\n');
  process.exit(2);
}
// The export code is loaded (static imports) before the clock starts; resvg is imported by renderPng, inside the timed export.
const baselineRssKiB = status('VmRSS');
const t0 = performance.now();
const trace = parseTrace(await readFile(tracePath, 'utf8'));
const t1 = performance.now();
const written = await writeExport(trace, outPath);
const t2 = performance.now();
const result: ExportChildResult = {
  format: written.format,
  events: trace.events.length,
  parseMs: t1 - t0,
  exportMs: t2 - t1,
  bytes: written.bytes,
  baselineRssKiB,
  vmHwmKiB: status('VmHWM'),
};
process.stdout.write(JSON.stringify(result) + '\n');
