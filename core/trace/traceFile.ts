// Trace files: serialise to the JSON contract of design.md, and validate on load with clear errors.

import { z } from 'zod';
import type { TraceEvent, TraceFile, TraceMeta } from './traceEvent';

/** A loaded file larger than this is refused before parsing: traces hold summaries, not payloads. */
export const MAX_TRACE_TEXT_BYTES = 64 * 1024 * 1024;
export const MAX_TRACE_EVENTS = 1_000_000;

export class TraceFileError extends Error {
  override readonly name = 'TraceFileError';
}

const side = z.enum(['client', 'server']);
const channel = z.enum(['control', 'data']);
const dir = z.enum(['sent', 'received']);
const endpoint = z.object({ host: z.string(), port: z.number().int().min(0).max(65535) });
const closeReason = z.enum(['eof', 'abort', 'quit', 'reset', 'error', 'foreign', 'peer-closed', 'replaced', 'shutdown', 'limit']);

const base = {
  seq: z.number().int().positive(),
  t: z.number().nonnegative(),
  side,
  session: z.number().int().positive().optional(),
};
const connection = { ...base, channel, conn: z.string().min(1) };

/** One schema per known event type; unknown types pass with the base fields only (newer files). */
const schemas: Record<string, z.ZodType> = {
  'tcp.listen': z.object({ ...base, type: z.literal('tcp.listen'), channel, listener: z.string(), local: endpoint }),
  'tcp.connect': z.object({ ...connection, type: z.literal('tcp.connect'), local: endpoint, remote: endpoint }),
  'tcp.accept': z.object({ ...connection, type: z.literal('tcp.accept'), listener: z.string().optional(), local: endpoint, remote: endpoint }),
  'tcp.refused': z.object({ ...base, type: z.literal('tcp.refused'), channel, conn: z.string().optional(), local: endpoint.optional(), remote: endpoint.optional(), reason: z.string() }),
  'tcp.fin': z.object({ ...connection, type: z.literal('tcp.fin'), dir, reason: closeReason.optional() }),
  'tcp.rst': z.object({ ...connection, type: z.literal('tcp.rst'), dir, reason: closeReason.optional() }),
  'tcp.close': z.object({ ...connection, type: z.literal('tcp.close') }),
  'ftp.command': z.object({ ...connection, type: z.literal('ftp.command'), dir, verb: z.string(), line: z.string() }),
  'ftp.reply': z.object({ ...connection, type: z.literal('ftp.reply'), dir, code: z.number().int().min(100).max(699), lines: z.array(z.string()) }),
  'data.transfer': z.object({
    ...connection,
    type: z.literal('data.transfer'),
    dir,
    bytes: z.number().int().nonnegative(),
    fileBytes: z.number().int().nonnegative().optional(),
    mode: z.enum(['S', 'B', 'C']),
    representation: z.enum(['A', 'I']),
    complete: z.boolean(),
    durationMs: z.number().nonnegative(),
    command: z.string().optional(),
    keptOpen: z.boolean().optional(),
  }),
  'data.marker': z.object({
    ...connection,
    type: z.literal('data.marker'),
    dir,
    marker: z.enum(['eof', 'restart', 'eor']),
    hex: z.string(),
    value: z.string().optional(),
    offset: z.number().int().nonnegative(),
    mode: z.enum(['S', 'B', 'C']),
  }),
  state: z.object({ ...base, type: z.literal('state'), machine: z.enum(['client', 'server', 'data']), from: z.string(), to: z.string(), event: z.string() }),
  note: z.object({ ...base, type: z.literal('note'), text: z.string() }),
};
const anyEvent = z.object({ ...base, type: z.string().min(1) }).loose();

const fileSchema = z.object({
  format: z.literal('ftp-lab-trace'),
  version: z.literal(1),
  meta: z.object({ createdAt: z.string(), tool: z.string(), passwordsMasked: z.boolean() }).loose(),
  events: z.array(z.unknown()).max(MAX_TRACE_EVENTS),
});

export function createTraceFile(meta: TraceMeta, events: readonly TraceEvent[]): TraceFile {
  return { format: 'ftp-lab-trace', version: 1, meta, events };
}

export function serializeTrace(trace: TraceFile): string {
  return JSON.stringify(trace, null, 1) + '\n';
}

/** Parses and validates a trace file's text; throws TraceFileError with a sentence a person can act on. */
export function parseTrace(text: string): TraceFile {
  if (text.length > MAX_TRACE_TEXT_BYTES) {
    throw new TraceFileError(`The trace file is too large (${text.length} characters; the limit is ${MAX_TRACE_TEXT_BYTES}).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TraceFileError(`The trace file is not valid JSON: ${(error as Error).message}`);
  }
  const file = fileSchema.safeParse(json);
  if (!file.success) throw new TraceFileError(`Not an FTP Lab trace: ${describeIssue(file.error)}`);
  let previousSeq = 0;
  const events = file.data.events.map((raw, index) => {
    const generic = anyEvent.safeParse(raw);
    if (!generic.success) throw new TraceFileError(`Event ${index + 1} is malformed: ${describeIssue(generic.error)}`);
    const specific = schemas[generic.data.type];
    if (specific) {
      const checked = specific.safeParse(raw);
      if (!checked.success) throw new TraceFileError(`Event ${index + 1} (${generic.data.type}) is malformed: ${describeIssue(checked.error)}`);
    }
    if (generic.data.seq <= previousSeq) throw new TraceFileError(`Event ${index + 1} has seq ${generic.data.seq}, not greater than ${previousSeq}.`);
    previousSeq = generic.data.seq;
    return raw as TraceEvent;
  });
  return { format: 'ftp-lab-trace', version: 1, meta: file.data.meta as TraceMeta, events };
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unknown problem';
  const where = issue.path.length ? issue.path.join('.') : 'top level';
  return `${where}: ${issue.message}`;
}
