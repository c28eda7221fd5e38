// Opening and saving traces: an opened trace is checked in the page by core/trace's parseTrace (the host's own
// check, so the same sentences), not sent to the host and back (for a 100,000-event trace that round trip of
// 2 × 22 MB took longer than drawing it); an opened packet capture is turned into a trace by the host
// (importCapture: the page never decodes a capture's bytes itself). Saving downloads the JSON.
// download() is shared with the export dialog.

import { MAX_OPENED_CAPTURE_BYTES, type LabApi } from '../core/api/labApi';
import type { TraceFile } from '../core/trace/traceEvent';
import { parseTrace, serializeTrace } from '../core/trace/traceFile';

const TRACE_NAME = /\.json$/i;
const CAPTURE_NAME = /\.(pcapng|pcap|cap)$/i;

/** A trace is JSON text; anything else is handed to the host as a capture, which refuses a file that is neither. */
async function isTrace(file: File): Promise<boolean> {
  if (TRACE_NAME.test(file.name)) return true;
  if (CAPTURE_NAME.test(file.name)) return false;
  return /^\s*\{/.test(await file.slice(0, 64).text());
}

/** The file's bytes as base64, read by the browser itself (a data: URL), for the host. */
function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).slice(String(reader.result).indexOf(',') + 1));
    reader.onerror = () => reject(reader.error ?? new Error('the file could not be read'));
    reader.readAsDataURL(file);
  });
}

/**
 * Reads the chosen file and checks it, or has the host import it when it is a capture; throws with
 * parseTrace's or the host's sentence when it is neither a trace nor a capture of FTP.
 */
export async function openTraceFile(api: LabApi, file: File): Promise<TraceFile> {
  if (await isTrace(file)) return parseTrace(await file.text());
  if (file.size > MAX_OPENED_CAPTURE_BYTES)
    throw new Error(
      `the capture is ${Math.round(file.size / 2 ** 20)} MiB; the app opens captures up to ${MAX_OPENED_CAPTURE_BYTES / 2 ** 20} MiB (ftp-lab import turns a larger one into a trace to open)`,
    );
  return api.request('importCapture', { name: file.name, base64: await base64Of(file) });
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
