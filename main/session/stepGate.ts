// The step gate: holds the live client before each of its actions while paused, releases one per step,
// and pauses by itself at breakpoints (a command verb, or a trace event type such as a data-connection FIN).
// Real sockets wait: nothing is replayed. Stepping back is the renderer's job, over the recorded trace.

import type { GateRequest } from '../../core/machines/clientSession.machine';
import type { TraceEvent } from '../../core/trace/traceEvent';

export interface Breakpoints {
  /** Pause before sending a command with one of these verbs ('STOR'). */
  readonly verbs?: readonly string[];
  /** Pause after a trace event of one of these types; 'tcp.fin:data' limits it to a channel. */
  readonly events?: readonly string[];
}

export type GateListener = (state: { paused: boolean; waiting: GateRequest | undefined; reason?: string }) => void;

export class StepGate {
  #paused: boolean;
  #credit = 0;
  #waiting: { request: GateRequest; release: () => void } | undefined;
  #verbs: Set<string>;
  #events: Set<string>;
  #listeners = new Set<GateListener>();
  #reason: string | undefined;

  constructor(options: { paused?: boolean; breakpoints?: Breakpoints } = {}) {
    this.#paused = options.paused ?? false;
    this.#verbs = new Set((options.breakpoints?.verbs ?? []).map((v) => v.toUpperCase()));
    this.#events = new Set(options.breakpoints?.events ?? []);
  }

  get paused(): boolean {
    return this.#paused;
  }

  get waiting(): GateRequest | undefined {
    return this.#waiting?.request;
  }

  setBreakpoints(breakpoints: Breakpoints): void {
    this.#verbs = new Set((breakpoints.verbs ?? []).map((v) => v.toUpperCase()));
    this.#events = new Set(breakpoints.events ?? []);
  }

  /** Called by the client machine's gate actor before each action. */
  wait(request: GateRequest): Promise<void> {
    const verb = (request.line ?? '').trim().split(/\s+/)[0]?.toUpperCase() ?? '';
    if (verb && this.#verbs.has(verb)) this.#pause(`breakpoint on ${verb}`);
    if (!this.#paused) return Promise.resolve();
    if (this.#credit > 0) {
      this.#credit -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#waiting = { request, release: resolve };
      this.#notify();
    });
  }

  /** Lets exactly one held action go (or the next one, if the client is busy right now). */
  step(): void {
    if (this.#waiting) this.#release();
    else this.#credit = 1;
  }

  pause(): void {
    this.#pause('paused');
  }

  resume(): void {
    this.#paused = false;
    this.#credit = 0;
    this.#reason = undefined;
    if (this.#waiting) this.#release();
    this.#notify();
  }

  /** Feed every trace event here; an event breakpoint pauses before the client's next action. */
  observe(event: TraceEvent): void {
    const channel = 'channel' in event ? event.channel : undefined;
    if (this.#events.has(event.type) || (channel && this.#events.has(`${event.type}:${channel}`))) this.#pause(`breakpoint on ${event.type}${channel ? ` (${channel})` : ''}`);
  }

  subscribe(listener: GateListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #pause(reason: string): void {
    if (this.#paused && this.#reason === reason) return;
    this.#paused = true;
    this.#credit = 0;
    this.#reason = reason;
    this.#notify();
  }

  #release(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.release();
    this.#notify();
  }

  #notify(): void {
    const state = { paused: this.#paused, waiting: this.#waiting?.request, ...(this.#reason ? { reason: this.#reason } : {}) };
    for (const listener of this.#listeners) listener(state);
  }
}
