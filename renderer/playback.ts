// Step-through: which step of the recorded trace is shown, and pacing the live client through its step gate.
// The shown step is an index into the recorded trace; stepping forward past what is recorded releases the
// client for one action at the gate (it really waits); stepping back is a re-layout of a prefix. Time is
// injected (the scheduler), nothing sleeps.

import type { HostMessage, LabApi, SessionOptions } from '../core/api/labApi';
import type { TraceFile } from '../core/trace/traceEvent';
import { commandEventBreak, eventBreak, heldBreak, noBreakpoints, wireBreakpoints, type BreakpointSet } from './breakpoints';
import { RecordedTrace } from './recordedTrace';

export interface Scheduler {
  setTimeout(callback: () => void, ms: number): number;
  clearTimeout(handle: number): void;
}

export type StatusTone = 'idle' | 'live' | 'paused' | 'break' | 'done' | 'error';

export interface PlaybackSnapshot {
  readonly trace: RecordedTrace | undefined;
  /** Rows shown (0 = none yet); the current step is shown - 1. */
  readonly shown: number;
  readonly total: number;
  /** A session is running on the host. */
  readonly live: boolean;
  readonly playing: boolean;
  /** What the held side (our client, or the server) is about to do, as the user should read it. */
  readonly waiting: string | undefined;
  /** Steps from this one on are new: they animate in. */
  readonly animateFrom: number;
  /** Steps per second; 0 = as fast as the wire. */
  readonly speed: number;
  readonly status: { readonly text: string; readonly tone: StatusTone };
  /** The port of the built-in server being watched (an external client drives it), while it runs. */
  readonly watching: number | undefined;
}

interface GateView {
  paused: boolean;
  waiting: string | undefined;
  /** Who is held: the client before a command, the server before a reply or a close of its own. */
  side: 'client' | 'server' | undefined;
}

/** What the held side waits to do, in words (and PASS masked: the gate reports the real line). */
function describeWaiting(gate: GateView): string | undefined {
  const waiting = gate.waiting;
  if (waiting === undefined) return undefined;
  const who = gate.side === 'server' ? 'the server' : 'the client';
  if (waiting === 'dataClose') return `${who} waits before closing the data connection`;
  if (waiting === 'abort') return `${who} waits before sending ABOR`;
  if (waiting === 'command') return `${who} waits before its next command`;
  // The reply's own full stop would be doubled by the sentence around it.
  if (gate.side === 'server') return `the server waits before replying ${waiting.replace(/\.$/, '')}`;
  return `the client waits before ${/^PASS\s/i.test(waiting) ? 'PASS ****' : waiting}`;
}

export class Playback {
  #trace: RecordedTrace | undefined;
  #sessionId: string | undefined;
  #live = false;
  #gate: GateView = { paused: true, waiting: undefined, side: undefined };
  #shown = 0;
  /** Follow the end as events arrive (playing at wire speed). */
  #pinned = false;
  #playing = false;
  #speed = 2;
  #timer: number | undefined;
  /** A step was asked for while the client was busy: show it when it arrives. */
  #pendingShow = false;
  /** That step was asked for by playing (not by the user's Step): breakpoints apply to the row it shows. */
  #pendingFromPlay = false;
  /** Resuming from a breakpoint that stopped before a step: let that step through. */
  #skipBreak = false;
  #breakpoints: BreakpointSet = noBreakpoints;
  #animateFrom = Number.POSITIVE_INFINITY;
  #note: { text: string; tone: StatusTone } | undefined;
  #ended: { ok: boolean; failure?: string } | undefined;
  #starting = false;
  #early: HostMessage[] = [];
  #generation = 0;
  #watching: number | undefined;

  constructor(
    private readonly api: LabApi,
    private readonly scheduler: Scheduler,
    private readonly onChange: (snapshot: PlaybackSnapshot) => void,
  ) {
    api.subscribe((message) => this.#onMessage(message));
  }

  get snapshot(): PlaybackSnapshot {
    const total = this.#trace?.steps ?? 0;
    const shown = this.#pinned ? total : Math.min(this.#shown, total);
    return {
      trace: this.#trace,
      shown,
      total,
      live: this.#live,
      playing: this.#playing,
      waiting: this.#live ? describeWaiting(this.#gate) : undefined,
      animateFrom: this.#animateFrom,
      speed: this.#speed,
      status: this.#status(shown, total),
      watching: this.#live ? this.#watching : undefined,
    };
  }

  /** Starts a session (held at the gate before its first command) and plays it at the chosen speed, or waits for Step. */
  async run(options: SessionOptions, play = true): Promise<void> {
    await this.stop();
    const generation = ++this.#generation;
    this.#reset();
    this.#starting = true;
    this.#early = [];
    this.#note = { text: 'Starting the session…', tone: 'live' };
    this.#emit();
    let started: { sessionId: string; trace: TraceFile };
    try {
      started = await this.api.request('startSession', { ...options, paused: true, breakpoints: wireBreakpoints(this.#breakpoints) });
    } catch (error) {
      this.#starting = false;
      this.#note = { text: `Could not start: ${(error as Error).message}`, tone: 'error' };
      this.#emit();
      return;
    }
    if (generation !== this.#generation) return;
    this.#sessionId = started.sessionId;
    this.#live = true;
    this.#note = undefined;
    this.#trace = new RecordedTrace(started.trace.meta, new Set(options.server ? ['client'] : ['client', 'server']), started.trace.events);
    this.#starting = false;
    for (const message of this.#early.splice(0)) this.#onMessage(message);
    if (play) this.play();
    else this.#emit();
  }

  /**
   * Starts the built-in server on 127.0.0.1 for an external client (0: any free port) and follows what
   * it sees as it happens; there is no client of ours to hold, but the server waits at the gate before each
   * reply and each close of its own data connection while paused. Stop ends it.
   */
  async watch(port: number): Promise<void> {
    await this.stop();
    const generation = ++this.#generation;
    this.#reset();
    this.#starting = true;
    this.#early = [];
    this.#note = { text: `Starting the server on 127.0.0.1:${port === 0 ? 'any free port' : port}…`, tone: 'live' };
    this.#emit();
    let started: { sessionId: string; port: number; trace: TraceFile };
    try {
      started = await this.api.request('watchServer', { port });
    } catch (error) {
      this.#starting = false;
      this.#note = { text: `Could not watch the server: ${(error as Error).message}`, tone: 'error' };
      this.#emit();
      return;
    }
    if (generation !== this.#generation) {
      void this.api.request('stopSession', started.sessionId).catch(() => undefined);
      return;
    }
    this.#sessionId = started.sessionId;
    this.#watching = started.port;
    this.#live = true;
    this.#note = undefined;
    this.#trace = new RecordedTrace(started.trace.meta, new Set(['server']), started.trace.events);
    this.#starting = false;
    // Follow the end: every step the server sees is shown as it arrives.
    this.#pinned = true;
    this.#playing = true;
    for (const message of this.#early.splice(0)) this.#onMessage(message);
    this.#emit();
  }

  /** Shows a trace opened from a file, complete; step back or press Home to go through it. */
  load(file: TraceFile): void {
    void this.stop();
    this.#generation += 1;
    this.#reset();
    this.#trace = RecordedTrace.fromFile(file);
    this.#shown = this.#trace.steps;
    this.#animateFrom = Number.POSITIVE_INFINITY;
    this.#note = { text: `Trace loaded: ${file.events.length} events. ← and → step through it.`, tone: 'done' };
    this.#emit();
  }

  play(): void {
    if (!this.#trace) return;
    const total = this.#trace.steps;
    if (!this.#live && this.#shown >= total) this.#shown = 0;
    this.#playing = true;
    this.#note = undefined;
    if (this.#speed === 0) this.#playFree();
    else this.#schedule(0);
    this.#emit();
  }

  pause(): void {
    this.#clearTimer();
    if (this.#pinned) {
      this.#shown = this.#trace?.steps ?? 0;
      this.#pinned = false;
    }
    if (this.#live && this.#sessionId && !this.#gate.paused) this.#gate_('pause');
    this.#playing = false;
    this.#emit();
  }

  togglePause(): void {
    if (this.#playing) this.pause();
    else this.play();
  }

  stepForward(): void {
    if (this.#playing || this.#pinned) this.pause();
    this.#note = undefined;
    this.#advance(false);
  }

  stepBack(): void {
    this.seek(this.snapshot.shown - 1);
  }

  seek(step: number): void {
    if (this.#playing || this.#pinned) this.pause();
    const total = this.#trace?.steps ?? 0;
    this.#shown = Math.max(0, Math.min(total, Math.round(step)));
    this.#pendingShow = false;
    this.#animateFrom = Number.POSITIVE_INFINITY;
    this.#emit();
  }

  async stop(): Promise<void> {
    this.#clearTimer();
    this.#playing = false;
    if (this.#pinned) {
      this.#shown = this.#trace?.steps ?? 0;
      this.#pinned = false;
    }
    const id = this.#live ? this.#sessionId : undefined;
    if (id) await this.api.request('stopSession', id).catch(() => undefined);
    this.#emit();
  }

  setSpeed(stepsPerSecond: number): void {
    const wasFree = this.#speed === 0;
    this.#speed = stepsPerSecond;
    if (!this.#playing) return this.#emit();
    if (stepsPerSecond === 0) this.#playFree();
    else {
      if (wasFree) {
        this.#shown = this.#trace?.steps ?? 0;
        this.#pinned = false;
        if (this.#live && this.#sessionId) this.#gate_('pause');
      }
      this.#schedule(1000 / stepsPerSecond);
    }
    this.#emit();
  }

  /** Shows a sentence in the status line (an error from elsewhere in the page). */
  report(text: string, tone: StatusTone = 'error'): void {
    this.#note = { text, tone };
    this.#emit();
  }

  setBreakpoints(breakpoints: BreakpointSet): void {
    this.#breakpoints = breakpoints;
    if (this.#live && this.#sessionId) {
      void this.api.request('setBreakpoints', this.#sessionId, wireBreakpoints(breakpoints)).catch(() => undefined);
    }
  }

  #reset(): void {
    this.#clearTimer();
    this.#trace = undefined;
    this.#sessionId = undefined;
    this.#live = false;
    this.#gate = { paused: true, waiting: undefined, side: undefined };
    this.#shown = 0;
    this.#pinned = false;
    this.#playing = false;
    this.#pendingShow = false;
    this.#skipBreak = false;
    this.#ended = undefined;
    this.#note = undefined;
    this.#animateFrom = Number.POSITIVE_INFINITY;
    this.#watching = undefined;
  }

  /** Wire speed: the gate lets the client run, and the diagram follows the end. */
  #playFree(): void {
    this.#clearTimer();
    if (this.#live && this.#sessionId) {
      this.#pinned = true;
      this.#animateFrom = this.#shown;
      this.#gate_('resume');
    } else {
      this.#shown = this.#trace?.steps ?? 0;
      this.#playing = false;
    }
  }

  /** One step forward: show the next recorded row, or let the live client take its next action. */
  #advance(fromPlay: boolean): void {
    const trace = this.#trace;
    if (!trace) return;
    const total = trace.steps;
    if (this.#shown < total) {
      if (fromPlay && !this.#skipBreak) {
        const hit = commandEventBreak(this.#breakpoints, trace.rowEvent(this.#shown));
        if (hit) return this.#hitBreak(hit, 'before');
      }
      this.#skipBreak = false;
      this.#shown += 1;
      this.#animateFrom = this.#shown - 1;
      if (fromPlay) {
        const hit = eventBreak(this.#breakpoints, trace.rowEvent(this.#shown - 1));
        if (hit) return this.#hitBreak(hit);
      }
      this.#emit();
      return;
    }
    if (this.#live && this.#sessionId) {
      if (this.#gate.waiting !== undefined) {
        if (fromPlay && !this.#skipBreak) {
          const hit = heldBreak(this.#breakpoints, this.#gate.side, this.#gate.waiting);
          if (hit) return this.#hitBreak(hit, 'before');
        }
        this.#skipBreak = false;
        this.#gate.waiting = undefined;
        this.#gate_('step');
      }
      this.#pendingShow = true;
      this.#pendingFromPlay = fromPlay;
      this.#emit();
      return;
    }
    if (fromPlay) {
      this.#playing = false;
      this.#clearTimer();
    }
    this.#emit();
  }

  /**
   * Stops playing at a breakpoint. One that stops before a step (a command, a held reply) lets that step through
   * on Resume; one that stops after a row (an event) has nothing to let through: the next step is checked as usual.
   */
  #hitBreak(reason: string, when: 'before' | 'after' = 'after'): void {
    this.#playing = false;
    this.#clearTimer();
    this.#skipBreak = when === 'before';
    this.#note = { text: `Paused at a ${reason}. Step (→) or Resume (space) to go on.`, tone: 'break' };
    this.#emit();
  }

  #onMessage(message: HostMessage): void {
    if (this.#starting) {
      this.#early.push(message);
      return;
    }
    if (message.type === 'menu.command' || message.sessionId !== this.#sessionId || !this.#trace) return;
    switch (message.type) {
      case 'trace.event': {
        const next = this.#trace.withEvent(message.event);
        if (next === this.#trace) return;
        this.#trace = next;
        if (this.#pendingShow && !this.#pinned && this.#shown < this.#trace.steps) {
          this.#pendingShow = false;
          this.#shown += 1;
          this.#animateFrom = this.#shown - 1;
          // A row that arrives while playing is checked like one shown from the recording: an event
          // breakpoint stops right after it (the client's end-of-file FIN, not the server's answer to it).
          const hit = this.#pendingFromPlay && this.#playing ? eventBreak(this.#breakpoints, this.#trace.rowEvent(this.#shown - 1)) : undefined;
          if (hit) return this.#hitBreak(hit);
        }
        break;
      }
      case 'gate.state':
        this.#gate = { paused: message.paused, waiting: message.waiting, side: message.side };
        if (this.#pinned && message.paused && message.reason?.startsWith('breakpoint')) {
          // The gate stopped the free-running client at a breakpoint.
          this.#shown = this.#trace.steps;
          this.#pinned = false;
          this.#playing = false;
          this.#skipBreak = false;
          this.#note = { text: `Paused at a ${message.reason}. Step (→) or Resume (space) to go on.`, tone: 'break' };
        }
        break;
      case 'session.end':
        if (this.#pinned) {
          // Free-running to the end: everything is shown; nothing is left to play.
          this.#shown = this.#trace.steps;
          this.#pinned = false;
          this.#playing = false;
          this.#clearTimer();
        }
        this.#live = false;
        this.#ended = { ok: message.ok, ...(message.failure ? { failure: message.failure } : {}) };
        this.#gate = { paused: true, waiting: undefined, side: undefined };
        this.#pendingShow = false;
        break;
    }
    this.#emit();
  }

  #gate_(command: 'pause' | 'resume' | 'step'): void {
    const id = this.#sessionId;
    if (!id) return;
    if (command !== 'step') this.#gate.paused = command === 'pause';
    this.api.request('gate', id, command).catch((error: Error) => {
      // The session may have just ended; anything else is worth saying.
      if (this.#live) {
        this.#note = { text: error.message, tone: 'error' };
        this.#emit();
      }
    });
  }

  #schedule(ms: number): void {
    this.#clearTimer();
    this.#timer = this.scheduler.setTimeout(() => {
      this.#timer = undefined;
      if (!this.#playing || this.#speed === 0) return;
      this.#advance(true);
      if (this.#playing) this.#schedule(1000 / this.#speed);
    }, ms);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.scheduler.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #status(shown: number, total: number): { text: string; tone: StatusTone } {
    if (this.#note) return this.#note;
    if (!this.#trace) return { text: 'Ready.', tone: 'idle' };
    const at = `step ${shown} of ${total}`;
    if (this.#live && this.#watching !== undefined) {
      const where = `127.0.0.1:${this.#watching}`;
      if (this.#pinned) return { text: `Watching the server on ${where} — connect an FTP client to it (${total} steps so far).`, tone: 'live' };
      // Replaying what was watched, at the chosen speed, while the server goes on.
      if (this.#playing) return { text: `Playing ${at} — still watching the server on ${where}.`, tone: 'live' };
      const held = describeWaiting(this.#gate);
      if (held) return { text: `Paused at ${at} — ${held} on ${where}. Press → to let it go on.`, tone: 'paused' };
      return { text: `Paused at ${at} — still watching the server on ${where}.`, tone: 'paused' };
    }
    if (this.#live) {
      const held = describeWaiting(this.#gate) ?? 'the client and server are working';
      if (this.#playing) return { text: `Running — ${held}.`, tone: 'live' };
      return { text: shown < total ? `Paused at ${at} — ${held}.` : `Paused — ${held}. Press → to let it go on.`, tone: 'paused' };
    }
    if (this.#ended && !this.#ended.ok) return { text: `The session failed: ${this.#ended.failure ?? 'unknown reason'} (${at}).`, tone: 'error' };
    if (this.#ended) return { text: shown < total ? `Session complete — replaying, ${at}.` : `Session complete: ${this.#trace.events.length} trace events, ${total} steps.`, tone: 'done' };
    return { text: `Saved trace — ${at}.`, tone: 'done' };
  }

  #emit(): void {
    this.onChange(this.snapshot);
  }
}
