// Step-through for the page: the playback statechart (playbackMachine.ts) wired to the host's LabApi and to the
// page's clock. Its methods are the buttons and keys; every change reaches the page as a PlaybackSnapshot.

import { createActor, fromPromise, type Actor } from 'xstate';
import type { LabApi, SessionOptions } from '../core/api/labApi';
import type { QuestionKindId } from '../core/quiz/quizQuestion';
import type { TraceFile } from '../core/trace/traceEvent';
import type { BreakpointSet } from './breakpoints';
import { isSessionMessage, playbackMachine, type PlaybackMachine, type StartedSession, type StartInput, type StatusTone } from './playbackMachine';
import { viewOf, type PlaybackSnapshot } from './playbackView';

/** The page's timers (window.setTimeout), or a simulated clock in tests: the pace of playing comes from here. */
export interface Scheduler {
  setTimeout(callback: () => void, ms: number): number;
  clearTimeout(handle: number): void;
}

/** The host requests the machine's start and stop actors make. */
function hostActors(api: LabApi) {
  return {
    startSession: fromPromise<StartedSession, StartInput>(async ({ input, signal }) => {
      if (input.stopFirst) await api.request('stopSession', input.stopFirst).catch(() => undefined);
      if (signal.aborted) throw new Error('replaced before it started');
      const request = input.request;
      const started: StartedSession =
        request.kind === 'watch'
          ? await api.request('watchServer', { port: request.port })
          : await api.request('startSession', { ...request.options, paused: true, breakpoints: input.breakpoints });
      // Given up (Stop, another Run) while the host was starting it: the session is nobody's, so it ends here.
      if (signal.aborted) void api.request('stopSession', started.sessionId).catch(() => undefined);
      return started;
    }),
    stopSession: fromPromise<void, { sessionId: string }>(({ input }) => api.request('stopSession', input.sessionId)),
  };
}

export class Playback {
  readonly #actor: Actor<PlaybackMachine>;

  constructor(api: LabApi, scheduler: Scheduler, onChange: (snapshot: PlaybackSnapshot) => void) {
    this.#actor = createActor(playbackMachine.provide({ actors: hostActors(api) }), { clock: scheduler, input: {} });
    this.#actor.on('host.gate', ({ sessionId, command }) => {
      api.request('gate', sessionId, command).catch((error: Error) => this.#actor.send({ type: 'gate.failed', message: error.message }));
    });
    // A session that has just ended has no breakpoints to set, nor anything to stop.
    this.#actor.on('host.setBreakpoints', ({ sessionId, breakpoints }) => void api.request('setBreakpoints', sessionId, breakpoints).catch(() => undefined));
    this.#actor.on('host.stopSession', ({ sessionId }) => void api.request('stopSession', sessionId).catch(() => undefined));
    this.#actor.subscribe((state) => onChange(viewOf(state)));
    api.subscribe((message) => {
      if (isSessionMessage(message)) this.#actor.send({ type: 'host.message', message });
    });
    this.#actor.start();
  }

  get snapshot(): PlaybackSnapshot {
    return viewOf(this.#actor.getSnapshot());
  }

  /** Starts a session (held at the gate before its first command) and plays it at the chosen speed, or waits for Step. */
  run(options: SessionOptions, play = true): void {
    this.#actor.send({ type: 'session.run', options, play });
  }

  /**
   * Starts the built-in server on 127.0.0.1 for an external client (0: any free port) and follows what it sees
   * as it happens; paused, the server waits at the gate before each reply and each close of its own. Stop ends it.
   */
  watch(port: number): void {
    this.#actor.send({ type: 'session.watch', port });
  }

  /** Shows a trace opened from a file, complete; step back or press Home to go through it. */
  load(file: TraceFile): void {
    this.#actor.send({ type: 'trace.load', file });
  }

  play(): void {
    this.#actor.send({ type: 'playback.play' });
  }

  pause(): void {
    this.#actor.send({ type: 'playback.pause' });
  }

  togglePause(): void {
    if (this.snapshot.playing) this.pause();
    else this.play();
  }

  stepForward(): void {
    this.#actor.send({ type: 'step.forward' });
  }

  stepBack(): void {
    this.seek(this.snapshot.shown - 1);
  }

  seek(step: number): void {
    this.#actor.send({ type: 'step.seek', step });
  }

  stop(): void {
    this.#actor.send({ type: 'session.stop' });
  }

  setSpeed(stepsPerSecond: number): void {
    this.#actor.send({ type: 'speed.set', stepsPerSecond });
  }

  /** Shows a sentence in the status line (an error from elsewhere in the page). */
  report(text: string, tone: StatusTone = 'error'): void {
    this.#actor.send({ type: 'status.report', text, tone });
  }

  setBreakpoints(breakpoints: BreakpointSet): void {
    this.#actor.send({ type: 'breakpoints.set', breakpoints });
  }

  /** The kinds of step the quiz asks before (none: off). */
  setQuizKinds(kinds: readonly QuestionKindId[]): void {
    this.#actor.send({ type: 'quiz.kinds', kinds });
  }

  /** The class's answer to the question on screen (0: the first choice). */
  answer(choice: number): void {
    this.#actor.send({ type: 'quiz.answer', choice });
  }
}
