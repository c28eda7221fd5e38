// Breakpoints: before a command verb ('STOR'), or after an event type, optionally on one channel
// ('tcp.fin:data'), as the step gate of main/session understands them. Matched here too, so a loaded
// trace replays with the same breakpoints and the live client is held before the verb is sent.

import type { TraceEvent } from '../core/trace/traceEvent';

export interface BreakpointSet {
  readonly verbs: readonly string[];
  readonly events: readonly string[];
}

export const noBreakpoints: BreakpointSet = { verbs: [], events: [] };

/** The verb of a command line the client is about to send, if it is a breakpoint. */
export function verbBreak(breakpoints: BreakpointSet, line: string | undefined): string | undefined {
  const verb = (line ?? '').trim().split(/\s+/)[0]?.toUpperCase();
  return verb && breakpoints.verbs.includes(verb) ? `breakpoint before ${verb}` : undefined;
}

/** A command the client sends, shown on a row: stop before it. */
export function commandEventBreak(breakpoints: BreakpointSet, event: TraceEvent | undefined): string | undefined {
  if (!event || event.type !== 'ftp.command') return undefined;
  return verbBreak(breakpoints, event.line);
}

/** An event of a watched type (and channel): stop after it. */
export function eventBreak(breakpoints: BreakpointSet, event: TraceEvent | undefined): string | undefined {
  if (!event) return undefined;
  const channel = 'channel' in event ? event.channel : undefined;
  const hit = breakpoints.events.find((name) => name === event.type || (channel !== undefined && name === `${event.type}:${channel}`));
  return hit ? `breakpoint after ${hit}` : undefined;
}
