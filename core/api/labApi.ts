// The typed contract between a host (Electron main, or the browser host) and the renderer: requests
// with their argument schemas, and the messages the host pushes. One source for both hosts and the preload.

import { z } from 'zod';
import { EXPORT_FORMATS, PNG_SCALE, type ExportFormat } from '../diagram/painters/exportFormats.table';
import { QUESTION_KINDS } from '../quiz/quizQuestion';
import type { SessionSummary } from '../trace/sessionSummary';
import type { Side, TraceEvent, TraceFile } from '../trace/traceEvent';
import { MAX_TRACE_TEXT_BYTES } from '../trace/traceFile';

/**
 * Where a live session stops by itself: before the client sends a command with one of `verbs`, before the
 * server sends a reply with one of `codes`, after a trace event of one of `events` ('tcp.fin:data' limits
 * it to a channel). One definition for the host's step gate, the renderer and the wire.
 */
export const breakpointsSchema = z
  .object({
    verbs: z.array(z.string().max(8)).max(64).optional(),
    codes: z.array(z.number().int().min(100).max(599)).max(64).optional(),
    events: z.array(z.string().max(64)).max(64).optional(),
  })
  .strict();

export type Breakpoints = z.infer<typeof breakpointsSchema>;

/** What the user chose in the scenario and options panel. */
export const sessionOptionsSchema = z
  .object({
    /** A built-in scenario name, or a scenario given inline (loaded from a file by the renderer). */
    scenario: z.union([z.string().regex(/^[a-z0-9][a-z0-9-]*$/), z.object({ json: z.string().max(1_000_000) })]),
    passive: z.boolean().optional(),
    extended: z.boolean().optional(),
    type: z.enum(['A', 'I']).optional(),
    mode: z.enum(['S', 'B', 'C']).optional(),
    file: z.string().max(1024).optional(),
    size: z
      .number()
      .int()
      .nonnegative()
      .max(1024 * 1024 * 1024)
      .optional(),
    user: z.string().max(256).optional(),
    password: z.string().max(256).optional(),
    /** An external server (host and port); the built-in server when absent. Loopback only by default. */
    server: z.object({ host: z.string().max(255), port: z.number().int().min(1).max(65535) }).optional(),
    /** Start paused before the first command (step-through). */
    paused: z.boolean().optional(),
    breakpoints: breakpointsSchema.optional(),
  })
  .strict();

export type SessionOptions = z.infer<typeof sessionOptionsSchema>;

export const sessionIdSchema = z.string().regex(/^s\d{1,9}$/);

/** A class watched at once: the teacher draws a few sessions, never the whole room (each is a diagram of its own). */
export const MAX_FOLLOWED = 8;

export const gateCommandSchema = z.enum(['pause', 'resume', 'step']);
export type GateCommand = z.infer<typeof gateCommandSchema>;

/** A step number of the diagram, as its margin and the app's step counter count them. */
const stepNumberSchema = z
  .number({ error: 'a step is a whole number' })
  .int({ error: 'a step is a whole number' })
  .min(1, { error: 'steps count from 1' })
  .max(1e9);

/** What the value was, for a sentence (short: never the whole of something large). */
const shown = (value: unknown): string => {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
};

/**
 * The page asks its host for an export of the trace it shows: the host renders it with the code
 * `ftp-lab export` uses (main/export/exportFormats.ts) and returns the file. The trace travels as JSON text
 * and is validated like an opened file; every option is checked here, with a sentence for each mistake.
 */
export const exportRequestSchema = z
  .object({
    trace: z.string().max(MAX_TRACE_TEXT_BYTES, { error: `the trace is larger than ${MAX_TRACE_TEXT_BYTES / (1024 * 1024)} MiB` }),
    format: z.enum(EXPORT_FORMATS, { error: (issue) => `${shown(issue.input)} is not an export format: choose one of ${EXPORT_FORMATS.join(', ')}` }),
    theme: z.enum(['light', 'dark'], { error: 'the theme is light or dark' }).optional(),
    notes: z.boolean().optional(),
    range: z
      .object({ from: stepNumberSchema, to: stepNumberSchema.optional() })
      .strict()
      .refine((range) => range.to === undefined || range.to >= range.from, { error: 'the first step must not be after the last' })
      .optional(),
    scale: z
      .number({ error: `the scale is a number from ${PNG_SCALE.min} to ${PNG_SCALE.max}` })
      .min(PNG_SCALE.min, {
        error: (issue) => `a scale of ${shown(issue.input)} is too small: give a number from ${PNG_SCALE.min} to ${PNG_SCALE.max} (pixels per diagram pixel)`,
      })
      .max(PNG_SCALE.max, {
        error: (issue) => `a scale of ${shown(issue.input)} is too large: give a number from ${PNG_SCALE.min} to ${PNG_SCALE.max} (pixels per diagram pixel)`,
      })
      .optional(),
    textbook: z.boolean().optional(),
    /** The diagram's layers: each end's kernel TCP state, the TCP segments (as `ftp-lab export --kernel-states --tcp`). */
    kernelStates: z.boolean().optional(),
    tcp: z.boolean().optional(),
    axis: z.enum(['step', 'time'], { error: 'the axis is step or time' }).optional(),
    /** The HTML player's quiz: the kinds of step it asks before (as `ftp-lab export --quiz-kinds`). */
    quizKinds: z
      .array(z.enum(QUESTION_KINDS, { error: 'not a kind of quiz question' }))
      .max(QUESTION_KINDS.length)
      .optional(),
  })
  .strict();

export type ExportRequest = z.infer<typeof exportRequestSchema>;

/** An export's file as the host returns it: one shape for Electron's IPC and the browser host's JSON socket. */
export interface ExportResult {
  readonly format: ExportFormat;
  /** UTF-8 text, or base64 for the binary formats (PNG, PDF). */
  readonly encoding: 'utf8' | 'base64';
  readonly data: string;
  /** The file's size in bytes. */
  readonly bytes: number;
}

export interface ScenarioSummary {
  readonly name: string;
  readonly title: string;
  readonly description: string;
}

/**
 * The largest capture the page hands its host to import (Open… of a pcap or pcapng file): as base64 it fits
 * the browser host's message limit. Larger ones: `ftp-lab import`, then open the trace.
 */
export const MAX_OPENED_CAPTURE_BYTES = 48 * 1024 * 1024;

/** An opened capture file: its name (for the trace's meta) and its bytes in base64. */
export const openedCaptureSchema = z
  .object({
    name: z.string().max(255),
    base64: z.string().max((MAX_OPENED_CAPTURE_BYTES / 3) * 4, { error: `the capture is larger than ${MAX_OPENED_CAPTURE_BYTES / (1024 * 1024)} MiB` }),
  })
  .strict();

export type OpenedCapture = z.infer<typeof openedCaptureSchema>;

/** Every request the renderer can make: the method name, its argument schema, and what it returns. */
export const requestSchemas = {
  listScenarios: z.tuple([]),
  startSession: z.tuple([sessionOptionsSchema]),
  gate: z.tuple([sessionIdSchema, gateCommandSchema]),
  setBreakpoints: z.tuple([sessionIdSchema, breakpointsSchema]),
  stopSession: z.tuple([sessionIdSchema]),
  /** Starts the built-in server on 127.0.0.1 (port 0: any free port) and streams what an external client does with it, as a session. */
  watchServer: z.tuple([z.object({ port: z.number().int().min(0).max(65535) }).strict()]),
  /** Validates a trace file's text (opened by the user) and returns it parsed. */
  parseTrace: z.tuple([z.string().max(MAX_TRACE_TEXT_BYTES)]),
  /** Turns a packet capture the user opened into a trace (core/capture/import), as `ftp-lab import` does. */
  importCapture: z.tuple([openedCaptureSchema]),
  /** Renders the trace the page shows in any export format, as `ftp-lab export` would. */
  exportTrace: z.tuple([exportRequestSchema]),
  /**
   * Which FTP sessions of a watched server the page draws (its classroom list picks them); the others reach the
   * page as one line each (classroom.sessions). The host answers with what changed (trace.events: the newly followed
   * sessions' events so far, and `dropSessions`: those followed no more; the first pick with `replace`) and then
   * sends theirs as they happen.
   */
  follow: z.tuple([
    sessionIdSchema,
    z
      .array(z.number().int().positive())
      .max(MAX_FOLLOWED)
      .refine((sessions) => new Set(sessions).size === sessions.length, 'a session is named more than once'),
  ]),
  /** The page has taken in host batch `n` (and drawn what it brought): the host may send more (see HostBatch). */
  ack: z.tuple([z.number().int().nonnegative()]),
} as const;

export type RequestName = keyof typeof requestSchemas;

export interface RequestResults {
  listScenarios: ScenarioSummary[];
  startSession: { sessionId: string; trace: TraceFile };
  /** `traceFile`: where the host writes the watched server's complete trace (the page draws only the sessions it follows). */
  watchServer: { sessionId: string; port: number; trace: TraceFile; traceFile?: string };
  gate: void;
  setBreakpoints: void;
  stopSession: void;
  parseTrace: TraceFile;
  importCapture: TraceFile;
  exportTrace: ExportResult;
  follow: void;
  ack: void;
}

export type RequestArgs<N extends RequestName> = z.infer<(typeof requestSchemas)[N]>;

/** The application menu's commands (Electron); the page acts on them like on its own buttons. */
export const MENU_COMMANDS = [
  'trace.open',
  'trace.save',
  'trace.export',
  'session.run',
  'session.pause',
  'session.step',
  'session.stop',
  'view.presenter',
  'view.zoom-in',
  'view.zoom-out',
  'view.zoom-reset',
] as const;

export type MenuCommand = (typeof MENU_COMMANDS)[number];

export function isMenuCommand(value: unknown): value is MenuCommand {
  return typeof value === 'string' && (MENU_COMMANDS as readonly string[]).includes(value);
}

/** What a host pushes to the renderer while sessions run (and, in Electron, the menu's commands). */
export type HostMessage =
  | { type: 'trace.event'; sessionId: string; event: TraceEvent }
  | { type: 'menu.command'; command: MenuCommand }
  /** The step gate: paused or not, and what is held there (`side` holds it: the client before a command, the server before a reply or a close). */
  | { type: 'gate.state'; sessionId: string; paused: boolean; waiting?: string; side?: Side; reason?: string }
  | { type: 'session.end'; sessionId: string; ok: boolean; failure?: string }
  /**
   * Several events of a session at once, in seq order. `replace`: they are all the page should draw of it (a watched
   * server's first pick, or a resync after events were skipped). `dropSessions`: the watched server's FTP sessions
   * the page follows no more — it first removes their events (attributed by core/trace/sessionAttribution, as the
   * host attributes them), then merges these in by seq (they may be older than what it holds: a session newly
   * followed is sent from its start). Only the change travels when the teacher picks one more session.
   */
  | { type: 'trace.events'; sessionId: string; events: TraceEvent[]; replace?: boolean; dropSessions?: number[] }
  /** A watched server's sessions that changed, one line each; `total`: how many sessions it has had; `followed`: those the page is sent to draw. */
  | { type: 'classroom.sessions'; sessionId: string; sessions: SessionSummary[]; total: number; followed: number[] }
  /**
   * Events the page was not sent because it was behind. `resynced`: the batch brought, just before this, everything
   * the page should draw of the session (trace.events with replace): its diagram is whole again. Otherwise only a
   * watched server's trace file has them.
   */
  | { type: 'trace.skipped'; sessionId: string; events: number; resynced?: boolean }
  /** Something the person watching a session should know that is not an event of it (a trace file that cannot be written). */
  | { type: 'host.notice'; sessionId: string; text: string }
  | HostBatch;

/**
 * What the host's transports (the WebSocket, Electron's IPC) carry: host messages gathered into numbered batches.
 * A host sends a few batches ahead and then waits for the page's `ack` of the oldest: a page that cannot keep up
 * slows the flow instead of the host buffering without bound (main/session/hostOutbox.ts).
 */
export interface HostBatch {
  readonly type: 'host.batch';
  readonly batch: number;
  readonly messages: readonly HostMessage[];
}

/** The API object the renderer sees, whichever host it runs in (the preload exposes exactly this). */
export interface LabApi {
  request<N extends RequestName>(name: N, ...args: RequestArgs<N>): Promise<RequestResults[N]>;
  subscribe(listener: (message: HostMessage) => void): () => void;
}

export class ApiArgumentError extends Error {
  override readonly name = 'ApiArgumentError';
}

/** Checks a request's name and arguments against the contract; hosts call this before acting. */
export function validateRequest(name: unknown, args: unknown): { name: RequestName; args: unknown[] } {
  if (typeof name !== 'string' || !Object.hasOwn(requestSchemas, name)) throw new ApiArgumentError(`Unknown request ${JSON.stringify(name)}.`);
  const schema = requestSchemas[name as RequestName];
  const parsed = schema.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiArgumentError(`Bad arguments for ${name}: ${issue ? `${issue.path.join('.') || 'arguments'}: ${issue.message}` : 'invalid'}`);
  }
  return { name: name as RequestName, args: parsed.data as unknown[] };
}
