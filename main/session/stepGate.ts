// The step gate: while paused, holds the live client before each of its actions and the server before each
// reply and each close of its own data connection, releases one per step, and pauses by itself at breakpoints
// (a command verb, a reply code, or a trace event type such as a data-connection FIN, from either side).
// Real sockets wait: nothing is replayed. Stepping back is the renderer's job, over the recorded trace.

import type { Breakpoints } from '../../core/api/labApi';
import type { Side, TraceEvent } from '../../core/trace/traceEvent';
import { wireSender } from '../../core/trace/sides';

export type { Breakpoints };

/** What waits at the gate: the client before a command, a data close or ABOR; the server before a reply or a data close. */
export interface HeldAction {
  readonly side: Side;
  readonly action: 'command' | 'dataClose' | 'abort' | 'reply';
  /** The command line, or the reply as it will be sent ('226 Transfer complete ...'). */
  readonly line?: string;
  /** A reply's code. */
  readonly code?: number;
}

export interface GateState {
  readonly paused: boolean;
  /** The oldest action held (the one the next step releases). */
  readonly waiting: HeldAction | undefined;
  readonly reason?: string;
}

export type GateListener = (state: GateState) => void;

export class StepGate {
  #paused: boolean;
  #credit = 0;
  /** Held actions, oldest first: each step releases the first. */
  #waiting: { request: HeldAction; release: () => void; owner: unknown }[] = [];
  #verbs = new Set<string>();
  #codes = new Set<number>();
  #events = new Set<string>();
  /** The sides that wait here while paused (a watched server has no client of ours to hold). */
  readonly #holds: ReadonlySet<Side>;
  #listeners = new Set<GateListener>();
  #reason: string | undefined;
  /** Wire events an event breakpoint has already stopped at, and how many records of each kind were seen (see observe). */
  #fired = new Set<string>();
  #seen = new Map<string, number>();

  constructor(options: { paused?: boolean; breakpoints?: Breakpoints; holds?: readonly Side[] } = {}) {
    this.#paused = options.paused ?? false;
    this.#holds = new Set(options.holds ?? ['client', 'server']);
    this.setBreakpoints(options.breakpoints ?? {});
  }

  get paused(): boolean {
    return this.#paused;
  }

  get waiting(): HeldAction | undefined {
    return this.#waiting[0]?.request;
  }

  setBreakpoints(breakpoints: Breakpoints): void {
    this.#verbs = new Set((breakpoints.verbs ?? []).map((v) => v.toUpperCase()));
    this.#codes = new Set(breakpoints.codes ?? []);
    this.#events = new Set(breakpoints.events ?? []);
  }

  /** Called before each action of a held side; resolves when it may go. A side this gate does not hold never waits. */
  wait(request: HeldAction, owner?: unknown): Promise<void> {
    if (!this.#holds.has(request.side)) return Promise.resolve();
    const verb = request.action === 'command' ? ((request.line ?? '').trim().split(/\s+/)[0]?.toUpperCase() ?? '') : '';
    if (verb && this.#verbs.has(verb)) this.#pause(`breakpoint on ${verb}`);
    if (request.action === 'reply' && request.code !== undefined && this.#codes.has(request.code)) this.#pause(`breakpoint on reply ${request.code}`);
    if (!this.#paused) return Promise.resolve();
    if (this.#credit > 0) {
      this.#credit -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.#waiting.push({ request, release: resolve, owner });
      this.#notify();
    });
  }

  /** What `owner` (a session that has ended) still had at the gate leaves it, unreleased. */
  withdraw(owner: unknown): void {
    const before = this.#waiting.length;
    this.#waiting = this.#waiting.filter((held) => held.owner !== owner);
    if (this.#waiting.length !== before) this.#notify();
  }

  /** Lets exactly one held action go (or the next one, if nothing is held right now). */
  step(): void {
    if (this.#waiting.length > 0) this.#release(1);
    else this.#credit = 1;
  }

  pause(): void {
    this.#pause('paused');
  }

  resume(): void {
    this.#paused = false;
    this.#credit = 0;
    this.#reason = undefined;
    this.#release(this.#waiting.length);
    this.#notify();
  }

  /**
   * Feed every trace event here; an event breakpoint pauses before the next held action. It stops once per
   * thing on the wire: when both ends are recorded, the sender's record and the receiver's are one FIN (or
   * one reply), and whichever comes first is where it stops.
   */
  observe(event: TraceEvent): void {
    const channel = 'channel' in event ? event.channel : undefined;
    if (!this.#events.has(event.type) && !(channel && this.#events.has(`${event.type}:${channel}`))) return;
    if ('dir' in event) {
      // The k-th record of this kind sent by one side and the k-th received from it are the same wire event.
      const kind = `${event.type}|${event.conn}|${wireSender(event)}`;
      const k = (this.#seen.get(`${kind}|${event.dir}`) ?? 0) + 1;
      this.#seen.set(`${kind}|${event.dir}`, k);
      if (this.#fired.has(`${kind}|${k}`)) return;
      this.#fired.add(`${kind}|${k}`);
    }
    this.#pause(`breakpoint on ${event.type}${channel ? ` (${channel})` : ''}`);
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

  #release(count: number): void {
    for (const held of this.#waiting.splice(0, count)) held.release();
    this.#notify();
  }

  #notify(): void {
    const state: GateState = { paused: this.#paused, waiting: this.waiting, ...(this.#reason ? { reason: this.#reason } : {}) };
    for (const listener of this.#listeners) listener(state);
  }
}
