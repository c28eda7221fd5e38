// Trace files: serialise to the JSON contract of design.md, and validate on load with clear errors.

import { z } from 'zod';
import { baseFields, captureMetaSchema, eventSchemas, type TraceEvent, type TraceFile, type TraceMeta } from './traceEvent';

/** A loaded file larger than this is refused before parsing: traces hold summaries, not payloads. */
export const MAX_TRACE_TEXT_BYTES = 64 * 1024 * 1024;
export const MAX_TRACE_EVENTS = 1_000_000;

export class TraceFileError extends Error {
  override readonly name = 'TraceFileError';
}

/** One schema per known event type; unknown types pass with the base fields only (newer files). */
const schemas: Record<string, z.ZodType> = eventSchemas;
const anyEvent = z.object({ ...baseFields, type: z.string().min(1) }).loose();

const fileSchema = z.object({
  format: z.literal('ftp-lab-trace'),
  version: z.literal(1),
  meta: z.object({ createdAt: z.string(), tool: z.string(), passwordsMasked: z.boolean(), capture: captureMetaSchema.optional() }).loose(),
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
    // Own keys only: an event named 'constructor' or 'toString' is an unknown type, not Object's method.
    const type = (raw as { type?: unknown } | null)?.type;
    const specific = typeof type === 'string' && Object.hasOwn(schemas, type) ? schemas[type] : undefined;
    // A known type's schema includes the base fields: one check for a good event (half the time of a large
    // file's load); the base check runs first only to name what is wrong with a bad one.
    const checked = specific?.safeParse(raw);
    if (!checked?.success) {
      const generic = anyEvent.safeParse(raw);
      if (!generic.success) throw new TraceFileError(`Event ${index + 1} is malformed: ${describeIssue(generic.error)}`);
      if (checked) throw new TraceFileError(`Event ${index + 1} (${generic.data.type}) is malformed: ${describeIssue(checked.error)}`);
    }
    const seq = (raw as { seq: number }).seq;
    if (seq <= previousSeq) throw new TraceFileError(`Event ${index + 1} has seq ${seq}, not greater than ${previousSeq}.`);
    previousSeq = seq;
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
