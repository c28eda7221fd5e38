// Answers the app's export request (core/api exportTrace): the trace the page shows, checked like an opened
// file, rendered by the one dispatch `ftp-lab export` uses, and handed back whole. The host gives the page
// the file in one message, so it refuses pictures and files larger than it should carry, with a sentence.

import type { ExportRequest, ExportResult } from '../../core/api/labApi';
import { StepRangeError } from '../../core/diagram/layout/exportModel';
import { exportFormatRow } from '../../core/diagram/painters/exportFormats.table';
import { parseTrace } from '../../core/trace/traceFile';
import { checkExportOptions, ExportError, renderExport, type ExportOptions } from './exportFormats';

/** A PNG the page asks for is at most this many pixels (`ftp-lab export` goes to 2,000 million). */
export const PAGE_MAX_PNG_PIXELS = 100_000_000;
/** The largest file handed to the page in one answer (the browser host's socket carries it as base64). */
export const PAGE_MAX_EXPORT_BYTES = 48 * 1024 * 1024;

/** Renders the export; throws an Error whose message is a sentence for the page (a trace, an option or a size it cannot take). */
export async function answerExportRequest(request: ExportRequest): Promise<ExportResult> {
  const trace = parseTrace(request.trace);
  const options: ExportOptions = {
    format: request.format,
    ...(request.theme ? { theme: request.theme } : {}),
    ...(request.notes ? { notes: true } : {}),
    ...(request.range ? { range: request.range } : {}),
    ...(request.scale !== undefined ? { scale: request.scale } : {}),
    ...(request.textbook ? { textbook: true } : {}),
    ...(request.kernelStates ? { kernelStates: true } : {}),
    ...(request.tcp ? { tcp: true } : {}),
    ...(request.axis ? { axis: request.axis } : {}),
    ...(request.quizKinds?.length ? { quizKinds: request.quizKinds } : {}),
    maxPixels: PAGE_MAX_PNG_PIXELS,
  };
  let content: string | Uint8Array;
  try {
    const format = checkExportOptions(`export${exportFormatRow(request.format).extension}`, options);
    content = await renderExport(trace, format, options);
  } catch (error) {
    // StepRangeError and ExportError are the user's to fix: their sentences go to the page as they are.
    if (error instanceof StepRangeError || error instanceof ExportError) throw new Error(error.message);
    throw error;
  }
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  if (bytes.length > PAGE_MAX_EXPORT_BYTES) {
    throw new Error(
      `The ${request.format.toUpperCase()} file would be ${(bytes.length / (1024 * 1024)).toFixed(1)} MiB, more than the app hands over (${PAGE_MAX_EXPORT_BYTES / (1024 * 1024)} MiB): export a range of steps, or use ftp-lab export.`,
    );
  }
  return typeof content === 'string'
    ? { format: request.format, encoding: 'utf8', data: content, bytes: bytes.length }
    : { format: request.format, encoding: 'base64', data: bytes.toString('base64'), bytes: bytes.length };
}
