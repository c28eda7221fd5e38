// The trace's event types: everything observed on the sockets and in the machines, in one timeline.
// Contract (design.md): seq, t, type, side on every event; channel and conn on connection events.

import { z } from 'zod';

// One schema per event type, the only place an event's fields are written: the types below are inferred from
// them, and traceFile.ts validates loaded files with them.

const side = z.enum(['client', 'server']);
const channel = z.enum(['control', 'data']);
const dir = z.enum(['sent', 'received']);
const transferMode = z.enum(['S', 'B', 'C']);
const representation = z.enum(['A', 'I']);
const closeReason = z.enum(['eof', 'abort', 'quit', 'reset', 'error', 'foreign', 'peer-closed', 'replaced', 'shutdown', 'limit']);
export const endpointSchema = z.object({ host: z.string(), port: z.number().int().min(0).max(65535) }).readonly();

export const baseFields = {
  /** Position in the trace, strictly increasing from 1. */
  seq: z.number().int().positive(),
  /** Milliseconds since the session started, from one clock for both sides. */
  t: z.number().nonnegative(),
  /** The side that acted or observed (for tcp.fin and tcp.rst: the side that sent it). */
  side,
  /** Which session of a server this belongs to (serve mode records several). */
  session: z.number().int().positive().optional(),
};
const connectionFields = { ...baseFields, channel, conn: z.string().min(1) };
/** The connection states of RFC 9293 §3.3.2 (LISTEN aside: a listener is not a connection). */
export const KERNEL_TCP_STATES = [
  'SYN_SENT',
  'SYN_RECEIVED',
  'ESTABLISHED',
  'FIN_WAIT_1',
  'FIN_WAIT_2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
  'TIME_WAIT',
  'CLOSED',
] as const;
export type KernelTcpState = (typeof KERNEL_TCP_STATES)[number];

export const eventSchemas = {
  'tcp.listen': z.object({ ...baseFields, type: z.literal('tcp.listen'), channel, listener: z.string(), local: endpointSchema }).readonly(),
  /**
   * One end's TCP state as its own operating system reports it (RFC 9293 §3.3.2 names; Linux: /proc/net/tcp),
   * sampled after the connection's events: read from the kernel, not simulated. CLOSED: the kernel holds no
   * such connection any more.
   */
  'tcp.state': z.object({ ...connectionFields, type: z.literal('tcp.state'), state: z.enum(KERNEL_TCP_STATES) }).readonly(),
  /** A listener closed while it still awaited a connection: one that comes later is refused by the OS. */
  'tcp.unlisten': z.object({ ...baseFields, type: z.literal('tcp.unlisten'), channel, listener: z.string(), local: endpointSchema }).readonly(),
  'tcp.connect': z.object({ ...connectionFields, type: z.literal('tcp.connect'), local: endpointSchema, remote: endpointSchema }).readonly(),
  'tcp.accept': z
    .object({ ...connectionFields, type: z.literal('tcp.accept'), listener: z.string().optional(), local: endpointSchema, remote: endpointSchema })
    .readonly(),
  /** A connection refused or never made: connect failed, or accepted from a foreign address and dropped. */
  'tcp.refused': z
    .object({
      ...baseFields,
      type: z.literal('tcp.refused'),
      channel,
      conn: z.string().optional(),
      local: endpointSchema.optional(),
      remote: endpointSchema.optional(),
      reason: z.string(),
    })
    .readonly(),
  /** A FIN: `side` sent it; `dir` says whether the sender recorded sending it or the peer recorded receiving it. */
  'tcp.fin': z
    .object({
      ...connectionFields,
      type: z.literal('tcp.fin'),
      dir,
      /** Why it was sent, in the protocol's terms: 'eof' (STREAM mode end of file), 'abort', 'quit', ... */
      reason: closeReason.optional(),
    })
    .readonly(),
  'tcp.rst': z.object({ ...connectionFields, type: z.literal('tcp.rst'), dir, reason: closeReason.optional() }).readonly(),
  /** The socket is fully closed on `side` (both directions finished, or destroyed). */
  'tcp.close': z.object({ ...connectionFields, type: z.literal('tcp.close') }).readonly(),
  'ftp.command': z
    .object({
      ...connectionFields,
      type: z.literal('ftp.command'),
      dir,
      verb: z.string(),
      /** The line as it crossed the wire, without CRLF (PASS masked unless the user opted in). */
      line: z.string(),
    })
    .readonly(),
  'ftp.reply': z
    .object({ ...connectionFields, type: z.literal('ftp.reply'), dir, code: z.number().int().min(100).max(699), lines: z.array(z.string()).readonly() })
    .readonly(),
  /** A summary of one transfer on a data connection: counts, never the payload. */
  'data.transfer': z
    .object({
      ...connectionFields,
      type: z.literal('data.transfer'),
      dir,
      /** Bytes on the wire (after TYPE A conversion; in BLOCK, COMPRESSED and record mode the framing counts too). */
      bytes: z.number().int().nonnegative(),
      /** The file's bytes as they travelled, without the framing: present only where they differ from `bytes`. */
      fileBytes: z.number().int().nonnegative().optional(),
      mode: transferMode,
      representation,
      /** false when the transfer was cut short (ABOR, a dropped connection). */
      complete: z.boolean(),
      durationMs: z.number().nonnegative(),
      command: z.string().optional(),
      /** BLOCK/COMPRESSED: the data connection stays open after the transfer (959 §3.3). */
      keptOpen: z.boolean().optional(),
    })
    .readonly(),
  /**
   * A control unit decoded from (or encoded into) the data in BLOCK or COMPRESSED mode, or STREAM mode
   * with record structure: the explicit end of file, a restart marker, an end of record. The bytes are
   * the header or escape exactly as on the wire, in hex ('40 00 00', '00 40', 'FF 02').
   */
  'data.marker': z
    .object({
      ...connectionFields,
      type: z.literal('data.marker'),
      dir,
      marker: z.enum(['eof', 'restart', 'eor']),
      hex: z.string(),
      /** The restart marker's text (959 §3.5). */
      value: z.string().optional(),
      /** Payload bytes of this transfer before the marker. */
      offset: z.number().int().nonnegative(),
      mode: transferMode,
    })
    .readonly(),
  state: z
    .object({ ...baseFields, type: z.literal('state'), machine: z.enum(['client', 'server', 'data']), from: z.string(), to: z.string(), event: z.string() })
    .readonly(),
  /** Something the session host wants a reader to know that is not a socket or machine event. */
  note: z.object({ ...baseFields, type: z.literal('note'), text: z.string() }).readonly(),
} as const;

export type Side = z.infer<typeof side>;
export type Channel = z.infer<typeof channel>;
export type Direction = z.infer<typeof dir>;
export type Endpoint = z.infer<typeof endpointSchema>;
export type TransferMode = z.infer<typeof transferMode>;
export type Representation = z.infer<typeof representation>;
export type CloseReason = z.infer<typeof closeReason>;

export type TcpListenEvent = z.infer<(typeof eventSchemas)['tcp.listen']>;
export type TcpStateEvent = z.infer<(typeof eventSchemas)['tcp.state']>;
export type TcpUnlistenEvent = z.infer<(typeof eventSchemas)['tcp.unlisten']>;
export type TcpConnectEvent = z.infer<(typeof eventSchemas)['tcp.connect']>;
export type TcpAcceptEvent = z.infer<(typeof eventSchemas)['tcp.accept']>;
export type TcpRefusedEvent = z.infer<(typeof eventSchemas)['tcp.refused']>;
export type TcpFinEvent = z.infer<(typeof eventSchemas)['tcp.fin']>;
export type TcpRstEvent = z.infer<(typeof eventSchemas)['tcp.rst']>;
export type TcpCloseEvent = z.infer<(typeof eventSchemas)['tcp.close']>;
export type FtpCommandEvent = z.infer<(typeof eventSchemas)['ftp.command']>;
export type FtpReplyEvent = z.infer<(typeof eventSchemas)['ftp.reply']>;
export type DataTransferEvent = z.infer<(typeof eventSchemas)['data.transfer']>;
export type DataMarkerEvent = z.infer<(typeof eventSchemas)['data.marker']>;
export type StateEvent = z.infer<(typeof eventSchemas)['state']>;
export type NoteEvent = z.infer<(typeof eventSchemas)['note']>;

export type TraceEvent = { [K in keyof typeof eventSchemas]: z.infer<(typeof eventSchemas)[K]> }[keyof typeof eventSchemas];

export type TraceEventType = TraceEvent['type'];

/** An event as a recorder is given it: seq and t are the recorder's to assign. */
export type TraceEventInput = TraceEvent extends infer E ? (E extends TraceEvent ? Omit<E, 'seq' | 't'> : never) : never;

/**
 * A trace imported from a packet capture says so (design.md, "Trace file"): which file, its format, how many
 * packets and sessions, and in plain sentences what could not be reconstructed (bytes the capture lacks,
 * connections it caught mid-way, packets it could not read). Empty `notReconstructed`: nothing was missing.
 */
export const captureMetaSchema = z
  .object({
    file: z.string(),
    format: z.enum(['pcap', 'pcapng']),
    packets: z.number().int().nonnegative(),
    sessions: z.number().int().nonnegative(),
    notReconstructed: z.array(z.string()).readonly(),
  })
  .readonly();
export type CaptureMeta = z.infer<typeof captureMetaSchema>;

export interface TraceMeta {
  readonly createdAt: string;
  readonly tool: string;
  readonly title?: string;
  readonly scenario?: string;
  readonly server?: Endpoint;
  readonly passwordsMasked: boolean;
  /** Present when the trace was imported from a capture (ftp-lab import), not recorded from sockets. */
  readonly capture?: CaptureMeta;
  /** Present when the session's real packets were recorded while it ran (run --capture): where, by which tool, with which filter. */
  readonly recordedCapture?: { readonly file: string; readonly tool: string; readonly filter: string };
  readonly [key: string]: unknown;
}

export interface TraceFile {
  readonly format: 'ftp-lab-trace';
  readonly version: 1;
  readonly meta: TraceMeta;
  readonly events: readonly TraceEvent[];
}
