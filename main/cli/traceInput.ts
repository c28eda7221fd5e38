// Opens what `ftp-lab export` and `ftp-lab import` are given: a trace's JSON, or a packet capture (pcap,
// pcapng) turned into a trace on the way in. Told apart by the file's first bytes, not its name.

import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { importCapture } from '../../core/capture/import/captureImport';
import { captureFormatOf } from '../../core/capture/import/captureReader';
import { CaptureError } from '../../core/capture/import/capturedPacket';
import { parseTrace } from '../../core/trace/traceFile';
import type { TraceFile } from '../../core/trace/traceEvent';
import { UsageError } from './cliIo';

/** Captures larger than this are refused before reading: the import holds the file in memory. */
export const MAX_CAPTURE_BYTES = 1024 * 1024 * 1024;

async function readBytes(path: string): Promise<Buffer> {
  try {
    const size = (await stat(path)).size;
    if (size > MAX_CAPTURE_BYTES)
      throw new CaptureError(
        `${basename(path)} is ${Math.round(size / 2 ** 20)} MiB; captures of up to ${MAX_CAPTURE_BYTES / 2 ** 30} GiB can be imported (cut it with editcap).`,
      );
    return await readFile(path);
  } catch (error) {
    if (error instanceof CaptureError) throw error;
    throw new UsageError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
}

/** A capture file turned into a trace; CaptureError for a file that is no capture or holds no FTP. */
export async function importCaptureFile(path: string, tool: string): Promise<TraceFile> {
  const bytes = await readBytes(path);
  return importCapture(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { fileName: basename(path), tool });
}

/** A trace file, or a capture imported as one. */
export async function loadTraceOrCapture(path: string, tool: string): Promise<TraceFile> {
  const bytes = await readBytes(path);
  if (captureFormatOf(bytes)) return importCapture(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { fileName: basename(path), tool });
  return parseTrace(bytes.toString('utf8'));
}
