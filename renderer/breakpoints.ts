// Breakpoints: before a command verb ('STOR'), before a reply code (226), or after an event type, optionally
// on one channel ('tcp.fin:data'), as the step gate of main/session understands them. Matched here too, so a
// loaded trace replays with the same breakpoints, and a live client or server is held before what it sends.

import type { Breakpoints } from '../core/api/labApi';
import type { TraceEvent } from '../core/trace/traceEvent';

export interface BreakpointSet {
  readonly verbs: readonly string[];
  readonly codes: readonly number[];
  readonly events: readonly string[];
}

export const noBreakpoints: BreakpointSet = { verbs: [], codes: [], events: [] };

/** The set as the host's API takes it (core/api breakpointsSchema). */
export function wireBreakpoints(set: BreakpointSet): Breakpoints {
  return { verbs: [...set.verbs], codes: [...set.codes], events: [...set.events] };
}

/** The verb of a command line the client is about to send, if it is a breakpoint. */
export function verbBreak(breakpoints: BreakpointSet, line: string | undefined): string | undefined {
  const verb = (line ?? '').trim().split(/\s+/)[0]?.toUpperCase();
  return verb && breakpoints.verbs.includes(verb) ? `breakpoint before ${verb}` : undefined;
}

/** A reply the server is about to send ('226 Transfer complete ...'), if its code is a breakpoint. */
export function codeBreak(breakpoints: BreakpointSet, line: string | undefined): string | undefined {
  const code = Number((line ?? '').trim().slice(0, 3));
  return breakpoints.codes.includes(code) ? `breakpoint before reply ${code}` : undefined;
}

/** What a held side is about to do, if it is a breakpoint: a client's command verb or a server's reply code. */
export function heldBreak(breakpoints: BreakpointSet, side: 'client' | 'server' | undefined, waiting: string | undefined): string | undefined {
  return side === 'server' ? codeBreak(breakpoints, waiting) : verbBreak(breakpoints, waiting);
}

/** A command the client sends, or a reply the server sends, shown on a row: stop before it. */
export function commandEventBreak(breakpoints: BreakpointSet, event: TraceEvent | undefined): string | undefined {
  if (event?.type === 'ftp.command') return verbBreak(breakpoints, event.line);
  if (event?.type === 'ftp.reply') return codeBreak(breakpoints, String(event.code));
  return undefined;
}

/** An event of a watched type (and channel): stop after it. */
export function eventBreak(breakpoints: BreakpointSet, event: TraceEvent | undefined): string | undefined {
  if (!event) return undefined;
  const channel = 'channel' in event ? event.channel : undefined;
  const hit = breakpoints.events.find((name) => name === event.type || (channel !== undefined && name === `${event.type}:${channel}`));
  return hit ? `breakpoint after ${hit}` : undefined;
}
