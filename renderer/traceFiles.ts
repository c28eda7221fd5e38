// Opening and saving traces: an opened file is checked in the page by core/trace's parseTrace (the host's own
// check, so the same sentences), not sent to the host and back (for a 100,000-event trace that round trip of
// 2 × 22 MB took longer than drawing it); saving downloads the JSON.
// download() is shared with the export dialog.

import type { TraceFile } from '../core/trace/traceEvent';
import { parseTrace, serializeTrace } from '../core/trace/traceFile';

/** Reads the chosen file and checks it; throws with parseTrace's sentence when it is not a trace. */
export async function openTraceFile(file: File): Promise<TraceFile> {
  return parseTrace(await file.text());
}

/** A file name from the scenario and the time, safe on every file system. */
export function traceFileName(trace: TraceFile, now: Date): string {
  const scenario =
    String(trace.meta.scenario ?? 'session')
      .replace(/[^a-z0-9-]+/gi, '-')
      .slice(0, 60) || 'session';
  const stamp = now.toISOString().replace(/[:.]/g, '-').slice(0, 19);
  return `${scenario}-${stamp}.trace.json`;
}

/** Offers the trace as a download (the browser's own save dialog or downloads folder). */
export function saveTraceFile(doc: Document, trace: TraceFile, now = new Date()): void {
  download(doc, new Blob([serializeTrace(trace)], { type: 'application/json' }), traceFileName(trace, now));
}

/** Offers a blob as a download under the given name (a hidden link with a download attribute). */
export function download(doc: Document, blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = doc.createElement('a');
  link.href = url;
  link.download = name;
  link.hidden = true;
  doc.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
