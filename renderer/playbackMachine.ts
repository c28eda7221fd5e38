// The playback as a statechart: which step of the recorded trace is shown, and how the live session's step gate
// is paced. idle → starting → live {stepping, freeRunning, atBreak, asking} → stopping → ended; loaded is a trace
// opened from a file. With the quiz on, a step of a chosen kind is not shown until the class has answered the
// question core/quiz asks before it (asking, live or replayed); the answer shows it. Running a scenario and watching the built-in server are one machine started two ways.
// The shown step is an index into the recorded trace; stepping past what is recorded releases one action held
// at the gate (it really waits); stepping back is a re-layout of a prefix. Time comes from the actor's clock
// (delayed transitions), nothing sleeps. The host is reached through two placeholder actors (start, stop) and
// emitted requests (host.*), which renderer/playback.ts wires to the LabApi.

import { and, assign, emit, enqueueActions, fromPromise, setup } from 'xstate';
import type { Breakpoints, GateCommand, HostMessage, SessionOptions } from '../core/api/labApi';
import { questionBefore } from '../core/quiz/questionKinds.table';
import { noScore, type QuestionKindId, type QuizQuestion, type QuizScore } from '../core/quiz/quizQuestion';
import type { Side, TraceFile } from '../core/trace/traceEvent';
import { commandEventBreak, eventBreak, heldBreak, noBreakpoints, wireBreakpoints, type BreakpointSet } from './breakpoints';
import { withHostEvents } from './hostTraceEvents';
import { RecordedTrace } from './recordedTrace';

export type StatusTone = 'idle' | 'live' | 'paused' | 'break' | 'done' | 'error';

export interface StatusLine {
  readonly text: string;
  readonly tone: StatusTone;
}

/** What `starting` starts: a scenario run by our client (played, or held for Step), or the built-in server watched. */
export type StartRequest =
  { readonly kind: 'run'; readonly options: SessionOptions; readonly play: boolean } | { readonly kind: 'watch'; readonly port: number };

export interface StartInput {
  readonly request: StartRequest;
  /** A run starts with the gate holding the client, and with these breakpoints. */
  readonly breakpoints: Breakpoints;
  /** The session this one replaces: stopped (and its server closed, its port free) before the new one starts. */
  readonly stopFirst: string | undefined;
}

/** The host's answer: the session, its trace so far, and (watching) the port the server listens on. */
export interface StartedSession {
  readonly sessionId: string;
  readonly trace: TraceFile;
  readonly port?: number;
  /** A watched server's complete trace file, written by the host. */
  readonly traceFile?: string;
}

/** What waits at the gate: the client before a command, the server before a reply or a close of its own. */
/** What the host pushes about a session's playback (the menu's commands are the page's; the classroom list has its own panel). */
export type SessionMessage = Exclude<HostMessage, { type: 'menu.command' | 'host.batch' | 'classroom.sessions' }>;

/** Whether a host message is about a session's playback (a SessionMessage). */
export function isSessionMessage(message: HostMessage): message is SessionMessage {
  return message.type !== 'menu.command' && message.type !== 'host.batch' && message.type !== 'classroom.sessions';
}

export interface HeldAction {
  /** The line as the gate reports it (PASS masked), or 'command', 'dataClose', 'abort'. */
  readonly waiting: string;
  readonly side: Side | undefined;
}

/** How the session ended: by itself, or cut short by Stop (what the host calls a failure is the user's doing), or failed. */
export type SessionOutcome = { readonly kind: 'complete' } | { readonly kind: 'stopped' } | { readonly kind: 'failed'; readonly failure: string };

export interface PlaybackContext {
  readonly trace: RecordedTrace | undefined;
  readonly sessionId: string | undefined;
  /** The last start asked for: run or watch (a run's options, a watch's port). */
  readonly start: StartRequest | undefined;
  readonly stopFirst: string | undefined;
  /** The port of the watched server, once it listens. */
  readonly watching: number | undefined;
  /** Where the host writes the watched server's complete trace. */
  readonly traceFile: string | undefined;
  readonly held: HeldAction | undefined;
  /** Rows shown (0 = none yet); the current step is shown - 1. */
  readonly shown: number;
  /** Steps from this one on are new: they animate in. */
  readonly animateFrom: number;
  /** Steps per second; 0 = as fast as the wire. */
  readonly speed: number;
  readonly breakpoints: BreakpointSet;
  /** A sentence the status line shows instead of the state's own (an error, a file just opened); the next Step or Resume clears it. */
  readonly note: StatusLine | undefined;
  /** Why atBreak stopped ('breakpoint before STOR'). */
  readonly breakReason: string | undefined;
  /** How the session ended (ended). */
  readonly outcome: SessionOutcome | undefined;
  /** The kinds of step the quiz asks before (none: the quiz is off). */
  readonly quizKinds: readonly QuestionKindId[];
  /** The question on screen (asking). */
  readonly question: QuizQuestion | undefined;
  /** The last answer: its question and the choice made, for the reveal. */
  readonly reveal: QuizReveal | undefined;
  /** This session's questions: answered, and answered right. */
  readonly score: QuizScore;
  /** The events whose questions were answered: stepping back and forward again does not ask them twice. */
  readonly askedSeqs: readonly number[];
  /** Host messages that came while starting, before the session's id was known. */
  readonly early: readonly SessionMessage[];
}

export interface QuizReveal {
  readonly question: QuizQuestion;
  readonly chosen: number;
}

export type PlaybackEvent =
  | { type: 'session.run'; options: SessionOptions; play: boolean }
  | { type: 'session.watch'; port: number }
  | { type: 'session.stop' }
  | { type: 'trace.load'; file: TraceFile }
  | { type: 'playback.play' }
  | { type: 'playback.pause' }
  | { type: 'step.forward' }
  | { type: 'step.seek'; step: number }
  | { type: 'speed.set'; stepsPerSecond: number }
  | { type: 'breakpoints.set'; breakpoints: BreakpointSet }
  | { type: 'status.report'; text: string; tone: StatusTone }
  /** Which kinds of step the quiz asks before (none: off). */
  | { type: 'quiz.kinds'; kinds: readonly QuestionKindId[] }
  /** The class's answer to the question on screen: the index of its choice. */
  | { type: 'quiz.answer'; choice: number }
  /** Whatever the host pushes (menu commands excepted); only the current session's messages count. */
  | { type: 'host.message'; message: SessionMessage }
  | { type: 'gate.failed'; message: string }
  // Raised by the machine itself from the current session's host messages.
  | { type: 'row.recorded' }
  | { type: 'gate.breakpoint'; reason: string }
  | { type: 'session.ended'; ok: boolean; failure?: string };

/** What the machine asks of the host; renderer/playback.ts sends them through the LabApi. */
export type PlaybackEmitted =
  | { type: 'host.gate'; sessionId: string; command: GateCommand }
  | { type: 'host.setBreakpoints'; sessionId: string; breakpoints: Breakpoints }
  | { type: 'host.stopSession'; sessionId: string };

export interface PlaybackInput {
  readonly speed?: number;
  readonly breakpoints?: BreakpointSet;
  readonly quizKinds?: readonly QuestionKindId[];
}

const total = (context: PlaybackContext) => context.trace?.steps ?? 0;
/** The row the next step shows, if it is recorded already. */
const nextRow = (context: PlaybackContext) => (context.shown < total(context) ? context.trace?.rowEvent(context.shown) : undefined);
const sentence = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The question the quiz asks before showing row `step`, unless it is off, the row not recorded, or the question answered already. */
function questionAt(context: PlaybackContext, step: number): QuizQuestion | undefined {
  const trace = context.trace;
  if (context.quizKinds.length === 0 || !trace || step >= trace.steps) return undefined;
  const event = trace.rowEvent(step);
  if (!event || context.askedSeqs.includes(event.seq)) return undefined;
  const scenario = typeof trace.meta.scenario === 'string' ? trace.meta.scenario : undefined;
  return questionBefore(trace.events, event.seq, context.quizKinds, scenario);
}
const nextQuestion = (context: PlaybackContext) => questionAt(context, context.shown);
/** The first recorded row not shown yet that asks a question (free running stops there). */
function firstAskingStep(context: PlaybackContext): number | undefined {
  for (let step = context.shown; step < total(context); step++) if (questionAt(context, step)) return step;
  return undefined;
}

/** Nothing shown of a session that is not there yet. */
const blank = {
  trace: undefined,
  sessionId: undefined,
  watching: undefined,
  traceFile: undefined,
  held: undefined,
  shown: 0,
  animateFrom: Number.POSITIVE_INFINITY,
  note: undefined,
  breakReason: undefined,
  outcome: undefined,
  question: undefined,
  reveal: undefined,
  score: noScore,
  askedSeqs: [],
  early: [],
} as const;

const machineSetup = setup({
  types: {
    context: {} as PlaybackContext,
    events: {} as PlaybackEvent,
    input: {} as PlaybackInput,
    emitted: {} as PlaybackEmitted,
  },
  actors: {
    /** Starts the session on the host (renderer/playback.ts provides it); this placeholder never answers. */
    startSession: fromPromise<StartedSession, StartInput>(() => new Promise<StartedSession>(() => undefined)),
    /** Stops it; resolves once the host has ended it. */
    stopSession: fromPromise<void, { sessionId: string }>(() => new Promise<void>(() => undefined)),
  },
  delays: {
    /** The pace of playing: one step per interval. */
    stepInterval: ({ context }) => (context.speed > 0 ? 1000 / context.speed : 0),
  },
  guards: {
    ofThisSession: ({ context, event }) => event.type === 'host.message' && context.sessionId !== undefined && event.message.sessionId === context.sessionId,
    rowRecorded: ({ context }) => context.shown < total(context),
    /** A command or reply on the next row is a breakpoint: stop before it. */
    nextRowBreaksBefore: ({ context }) => commandEventBreak(context.breakpoints, nextRow(context)) !== undefined,
    /** An event on the next row is a breakpoint: show it, then stop. */
    nextRowBreaksAfter: ({ context }) => eventBreak(context.breakpoints, nextRow(context)) !== undefined,
    /** What the gate holds is a breakpoint: stop before letting it go. */
    heldActionBreaks: ({ context }) => heldBreak(context.breakpoints, context.held?.side, context.held?.waiting) !== undefined,
    free: ({ context }) => context.speed === 0,
    toFree: ({ event }) => event.type === 'speed.set' && event.stepsPerSecond === 0,
    startsFollowing: ({ context }) => context.start?.kind === 'watch' || (context.start?.play === true && context.speed === 0),
    startsPlaying: ({ context }) => context.start?.kind === 'run' && context.start.play,
    /** The quiz asks before the next row: it is not shown until the answer. */
    nextRowAsks: ({ context }) => nextQuestion(context) !== undefined,
    /** A recorded row not shown yet asks: a jump to the end stops before it. */
    laterRowAsks: ({ context }) => firstAskingStep(context) !== undefined,
    validChoice: ({ context, event }) =>
      event.type === 'quiz.answer' && Number.isInteger(event.choice) && event.choice >= 0 && event.choice < (context.question?.choices.length ?? 0),
  },
  actions: {
    askToRun: assign(({ context, event }, params: { replacing: boolean }) =>
      event.type === 'session.run'
        ? { start: { kind: 'run', options: event.options, play: event.play }, stopFirst: params.replacing ? context.sessionId : undefined }
        : {},
    ),
    askToWatch: assign(({ context, event }, params: { replacing: boolean }) =>
      event.type === 'session.watch' ? { start: { kind: 'watch', port: event.port }, stopFirst: params.replacing ? context.sessionId : undefined } : {},
    ),
    forgetSession: assign(blank),
    keepEarly: assign({ early: ({ context, event }) => (event.type === 'host.message' ? [...context.early, event.message] : context.early) }),
    /** The session runs: its trace so far, then what the host said while it was starting, as if it came now. */
    takeStarted: enqueueActions(({ context, event, enqueue }) => {
      if (!('output' in event)) return;
      const started = event.output as StartedSession;
      const run = context.start?.kind === 'run' ? context.start : undefined;
      const sides = new Set<Side>(run ? (run.options.server ? ['client'] : ['client', 'server']) : ['server']);
      enqueue.assign({
        sessionId: started.sessionId,
        watching: context.start?.kind === 'watch' ? started.port : undefined,
        traceFile: started.traceFile,
        trace: new RecordedTrace(started.trace.meta, sides, started.trace.events),
        early: [],
      });
      for (const message of context.early) enqueue.raise({ type: 'host.message', message });
      // A run got its breakpoints with the start; the watched server's gate is told now.
      if (context.start?.kind === 'watch')
        enqueue.emit({ type: 'host.setBreakpoints', sessionId: started.sessionId, breakpoints: wireBreakpoints(context.breakpoints) });
    }),
    noteStartFailed: assign({
      note: ({ context, event }) => {
        const why = 'error' in event ? sentence(event.error) : 'unknown reason';
        return { text: context.start?.kind === 'watch' ? `Could not watch the server: ${why}` : `Could not start: ${why}`, tone: 'error' as const };
      },
    }),
    /** The current session's messages: events join the trace, the gate says what it holds, the end is the end. */
    takeHostMessage: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'host.message') return;
      const message = event.message;
      if (message.type === 'trace.event' || message.type === 'trace.events') {
        const before = context.trace;
        if (!before) return;
        const { trace: after, reshaped } = withHostEvents(before, message);
        if (after === before) return;
        if (reshaped) enqueue.assign({ shown: Math.min(context.shown, after.steps), animateFrom: Number.POSITIVE_INFINITY });
        enqueue.assign({ trace: after });
        if (after.steps > before.steps || reshaped) enqueue.raise({ type: 'row.recorded' });
      } else if (message.type === 'trace.skipped') {
        const text = message.resynced
          ? `${message.events} events could not be sent to this page while it was behind; the diagram has been brought up to date.`
          : context.traceFile
            ? `${message.events} events were not sent to this page while it was behind; the host's trace file ${context.traceFile} has them all.`
            : `${message.events} events were not sent to this page while it was behind: the diagram lacks them.`;
        enqueue.assign({ note: { text, tone: 'live' as const } });
      } else if (message.type === 'host.notice') {
        enqueue.assign({ note: { text: message.text, tone: 'live' as const } });
      } else if (message.type === 'gate.state') {
        enqueue.assign({ held: message.waiting === undefined ? undefined : { waiting: message.waiting, side: message.side } });
        if (message.paused && message.reason?.startsWith('breakpoint')) enqueue.raise({ type: 'gate.breakpoint', reason: message.reason });
      } else {
        enqueue.raise({ type: 'session.ended', ok: message.ok, ...(message.failure ? { failure: message.failure } : {}) });
      }
    }),
    showNextRow: assign(({ context }) => ({ shown: Math.min(context.shown, total(context)) + 1, animateFrom: Math.min(context.shown, total(context)) })),
    showAll: assign({ shown: ({ context }) => total(context) }),
    /** Every recorded row up to the first one the quiz asks before (all of them, if none asks). */
    showUpToQuestion: assign({ shown: ({ context }) => firstAskingStep(context) ?? total(context) }),
    /** Free run: every row recorded from now on is shown as it arrives (up to a question), and animates in. */
    followTheEnd: assign(({ context }) => ({ animateFrom: context.shown, shown: firstAskingStep(context) ?? total(context) })),
    ask: assign({ question: ({ context }) => nextQuestion(context) }),
    /** The answer counts, and is kept for the reveal; the row it was about is shown next (showNextRow). */
    answer: assign(({ context, event }) => {
      const question = context.question;
      if (event.type !== 'quiz.answer' || !question) return {};
      const right = event.choice === question.answer;
      return {
        question: undefined,
        reveal: { question, chosen: event.choice },
        score: { asked: context.score.asked + 1, right: context.score.right + (right ? 1 : 0) },
        askedSeqs: [...context.askedSeqs, question.seq],
      };
    }),
    setQuizKinds: assign({ quizKinds: ({ context, event }) => (event.type === 'quiz.kinds' ? [...event.kinds] : context.quizKinds) }),
    seek: assign(({ context, event }) =>
      event.type === 'step.seek' ? { shown: Math.max(0, Math.min(total(context), Math.round(event.step))), animateFrom: Number.POSITIVE_INFINITY } : {},
    ),
    /** Playing a replay that is at its end starts it again from the top. */
    rewindAtEnd: assign({ shown: ({ context }) => (context.shown >= total(context) ? 0 : context.shown) }),
    /** Lets the held action go (one step); the gate's next report says what waits next. */
    releaseHeld: enqueueActions(({ context, enqueue }) => {
      if (context.held === undefined || context.sessionId === undefined) return;
      enqueue.emit({ type: 'host.gate', sessionId: context.sessionId, command: 'step' });
      enqueue.assign({ held: undefined });
    }),
    gatePause: emit(({ context }) => ({ type: 'host.gate' as const, sessionId: context.sessionId ?? '', command: 'pause' as const })),
    gateResume: emit(({ context }) => ({ type: 'host.gate' as const, sessionId: context.sessionId ?? '', command: 'resume' as const })),
    abandonSession: emit(({ context }) => ({ type: 'host.stopSession' as const, sessionId: context.sessionId ?? '' })),
    noteRowBreakBefore: assign({ breakReason: ({ context }) => commandEventBreak(context.breakpoints, nextRow(context)) }),
    noteRowBreakAfter: assign({ breakReason: ({ context }) => eventBreak(context.breakpoints, nextRow(context)) }),
    noteHeldBreak: assign({ breakReason: ({ context }) => heldBreak(context.breakpoints, context.held?.side, context.held?.waiting) }),
    noteGateBreak: assign({ breakReason: ({ event }) => (event.type === 'gate.breakpoint' ? event.reason : undefined) }),
    clearNote: assign({ note: undefined }),
    keepOutcome: assign(({ event }, params: { stopped: boolean }) => {
      if (event.type !== 'session.ended') return {};
      const outcome: SessionOutcome = event.ok
        ? { kind: 'complete' }
        : params.stopped
          ? { kind: 'stopped' }
          : { kind: 'failed', failure: event.failure ?? 'unknown reason' };
      return { outcome };
    }),
    setSpeed: assign({ speed: ({ context, event }) => (event.type === 'speed.set' ? event.stepsPerSecond : context.speed) }),
    setBreakpoints: assign({ breakpoints: ({ context, event }) => (event.type === 'breakpoints.set' ? event.breakpoints : context.breakpoints) }),
    sendBreakpoints: emit(({ context }) => ({
      type: 'host.setBreakpoints' as const,
      sessionId: context.sessionId ?? '',
      breakpoints: wireBreakpoints(context.breakpoints),
    })),
    report: assign({ note: ({ context, event }) => (event.type === 'status.report' ? { text: event.text, tone: event.tone } : context.note) }),
    noteGateFailure: assign({ note: ({ context, event }) => (event.type === 'gate.failed' ? { text: event.message, tone: 'error' as const } : context.note) }),
    openFile: assign(({ event }) => {
      if (event.type !== 'trace.load') return {};
      const trace = RecordedTrace.fromFile(event.file);
      return {
        ...blank,
        start: undefined,
        stopFirst: undefined,
        trace,
        shown: trace.steps,
        note: { text: `Trace loaded: ${event.file.events.length} events. ← and → step through it.`, tone: 'done' as const },
      };
    }),
  },
});

const user = ['clearNote'] as const;

/** Before a step that shows the next row: the quiz's question, if it asks one there. */
const askBefore = (asking: string, ...first: readonly 'clearNote'[]) => ({
  guard: 'nextRowAsks' as const,
  target: asking,
  actions: [...first, 'ask' as const],
});
/** Before jumping to the end (wire speed): stop at the first row that asks, and ask. */
const askBeforeJump = (asking: string, when: 'free' | 'toFree', ...first: readonly ('clearNote' | 'setSpeed')[]) => ({
  guard: and([when, 'laterRowAsks']),
  target: asking,
  actions: [...first, 'showUpToQuestion' as const, 'ask' as const],
});
/** The class answers: the score counts it, and the step it was about is shown with its narration (the reveal). */
const answered = (then: string) => ({ guard: 'validChoice' as const, target: then, actions: ['answer' as const, 'showNextRow' as const] });

/**
 * A replay of a complete trace (ended, loaded): Step shows the next recorded row, playing shows one per interval
 * and stops at breakpoints as a live run does, at wire speed it jumps to the end.
 */
function replay(name: 'ended' | 'loaded') {
  const at = (path: string) => `#playback.${name}.${path}`;
  return {
    initial: 'paused' as const,
    on: { 'step.seek': { target: at('paused'), actions: 'seek' as const } },
    states: {
      paused: {
        on: {
          'step.forward': [askBefore(at('asking'), ...user), { guard: 'rowRecorded' as const, actions: [...user, 'showNextRow' as const] }],
          'playback.play': [
            askBeforeJump(at('asking'), 'free', ...user),
            { guard: 'free' as const, actions: [...user, 'showAll' as const] },
            { target: at('playing'), actions: [...user, 'rewindAtEnd' as const] },
          ],
        },
      },
      // The quiz's question before the next row; the answer shows it. No seeking away first.
      asking: { on: { 'quiz.answer': answered(at('paused')), 'step.seek': { actions: [] } } },
      playing: {
        initial: 'advancing' as const,
        on: {
          'playback.pause': at('paused'),
          'step.forward': [
            askBefore(at('asking'), ...user),
            { guard: 'rowRecorded' as const, target: at('paused'), actions: [...user, 'showNextRow' as const] },
            { target: at('paused'), actions: user },
          ],
          'speed.set': [
            askBeforeJump(at('asking'), 'toFree', 'setSpeed'),
            { guard: 'toFree' as const, target: at('paused'), actions: ['setSpeed' as const, 'showAll' as const] },
            { target: at('playing.resting'), reenter: true, actions: 'setSpeed' as const },
          ],
        },
        states: {
          advancing: {
            always: [
              askBefore(at('asking')),
              { guard: 'nextRowBreaksBefore' as const, target: at('atBreak.before'), actions: 'noteRowBreakBefore' as const },
              { guard: 'nextRowBreaksAfter' as const, target: at('atBreak.after'), actions: ['noteRowBreakAfter' as const, 'showNextRow' as const] },
              { guard: 'rowRecorded' as const, target: at('playing.resting'), actions: 'showNextRow' as const },
              { target: at('paused') },
            ],
          },
          resting: { after: { stepInterval: at('playing.advancing') } },
        },
      },
      atBreak: {
        // Always entered at before or after; 'after' is only XState's required default.
        initial: 'after' as const,
        on: {
          'step.forward': [
            askBefore(at('asking'), ...user),
            { guard: 'rowRecorded' as const, target: at('paused'), actions: [...user, 'showNextRow' as const] },
            { target: at('paused'), actions: user },
          ],
        },
        states: {
          // Stopped before a row: Resume shows it unchecked by breakpoints (the quiz still asks), then plays on.
          before: {
            on: {
              'playback.play': [
                askBeforeJump(at('asking'), 'free', ...user),
                { guard: 'free' as const, target: at('paused'), actions: [...user, 'showAll' as const] },
                askBefore(at('asking'), ...user),
                { guard: 'rowRecorded' as const, target: at('playing.resting'), actions: [...user, 'showNextRow' as const] },
                { target: at('paused'), actions: user },
              ],
            },
          },
          // Stopped after a row: there is nothing to let through; the next row is checked as usual.
          after: {
            on: {
              'playback.play': [
                askBeforeJump(at('asking'), 'free', ...user),
                { guard: 'free' as const, target: at('paused'), actions: [...user, 'showAll' as const] },
                { target: at('playing'), actions: [...user, 'rewindAtEnd' as const] },
              ],
            },
          },
        },
      },
    },
  };
}

const LIVE = '#playback.live';

/** One step by the user (or Resume past a breakpoint): the next recorded row, else the held action let go; never checked by breakpoints (the quiz asks first). */
const stepLive = (ready: string, awaiting: string) => [
  askBefore(`${LIVE}.asking`, ...user),
  { guard: 'rowRecorded' as const, target: ready, actions: [...user, 'showNextRow' as const] },
  { target: awaiting, actions: [...user, 'releaseHeld' as const] },
];

/** A new pace while playing: at wire speed the gate opens; otherwise the next step comes after the new interval. */
const repace = (self: string) => [
  { guard: 'toFree' as const, target: `${LIVE}.freeRunning`, actions: 'setSpeed' as const },
  { target: self, reenter: true, actions: 'setSpeed' as const },
];

export const playbackMachine = machineSetup.createMachine({
  id: 'playback',
  context: ({ input }) => ({
    ...blank,
    start: undefined,
    stopFirst: undefined,
    speed: input.speed ?? 2,
    breakpoints: input.breakpoints ?? noBreakpoints,
    quizKinds: input.quizKinds ?? [],
  }),
  initial: 'idle',
  on: {
    'session.run': { target: '.starting', actions: { type: 'askToRun', params: { replacing: false } } },
    'session.watch': { target: '.starting', actions: { type: 'askToWatch', params: { replacing: false } } },
    'trace.load': { target: '.loaded', actions: 'openFile' },
    'speed.set': { actions: 'setSpeed' },
    'breakpoints.set': { actions: 'setBreakpoints' },
    'quiz.kinds': { actions: 'setQuizKinds' },
    'status.report': { actions: 'report' },
    'host.message': { guard: 'ofThisSession', actions: 'takeHostMessage' },
  },
  states: {
    idle: {},
    starting: {
      entry: 'forgetSession',
      invoke: {
        id: 'start',
        src: 'startSession',
        input: ({ context }) => ({
          // Set by the run or watch that led here.
          request: context.start!,
          breakpoints: wireBreakpoints(context.breakpoints),
          stopFirst: context.stopFirst,
        }),
        onDone: [
          { guard: 'startsFollowing', target: 'live.freeRunning', actions: 'takeStarted' },
          { guard: 'startsPlaying', target: 'live.stepping.playing', actions: 'takeStarted' },
          { target: 'live.stepping.paused', actions: 'takeStarted' },
        ],
        onError: { target: 'idle', actions: 'noteStartFailed' },
      },
      on: {
        'host.message': { actions: 'keepEarly' },
        // Given up before the host answered: the start actor stops the session it gets, if any.
        'session.stop': 'idle',
      },
    },
    live: {
      initial: 'stepping',
      on: {
        'session.run': { target: 'starting', actions: { type: 'askToRun', params: { replacing: true } } },
        'session.watch': { target: 'starting', actions: { type: 'askToWatch', params: { replacing: true } } },
        'trace.load': { target: 'loaded', actions: ['abandonSession', 'openFile'] },
        'session.stop': 'stopping',
        'breakpoints.set': { actions: ['setBreakpoints', 'sendBreakpoints'] },
        'session.ended': { target: 'ended', actions: { type: 'keepOutcome', params: { stopped: false } } },
        'gate.failed': { actions: 'noteGateFailure' },
        'step.seek': { target: '.stepping.paused', actions: 'seek' },
      },
      states: {
        // The gate holds both sides; each step lets one action go, by the user's Step or at the chosen pace.
        stepping: {
          initial: 'paused',
          states: {
            paused: {
              initial: 'ready',
              on: {
                'step.forward': stepLive(`${LIVE}.stepping.paused.ready`, `${LIVE}.stepping.paused.awaitingRow`),
                'playback.play': [
                  { guard: 'free', target: `${LIVE}.freeRunning`, actions: user },
                  { target: `${LIVE}.stepping.playing`, actions: user },
                ],
              },
              states: {
                ready: {},
                // A step was asked for while the sides were busy: the row it makes is shown when it arrives.
                awaitingRow: { on: { 'row.recorded': [askBefore(`${LIVE}.asking`), { target: 'ready', actions: 'showNextRow' }] } },
              },
            },
            playing: {
              initial: 'advancing',
              on: {
                // Pause freezes the picture: a row still on its way is recorded, not shown.
                'playback.pause': `${LIVE}.stepping.paused`,
                'step.forward': stepLive(`${LIVE}.stepping.paused.ready`, `${LIVE}.stepping.paused.awaitingRow`),
                'session.ended': { target: '#playback.ended.playing.resting', actions: { type: 'keepOutcome', params: { stopped: false } } },
              },
              states: {
                advancing: {
                  always: [
                    askBefore(`${LIVE}.asking`),
                    { guard: 'nextRowBreaksBefore', target: `${LIVE}.atBreak.before`, actions: 'noteRowBreakBefore' },
                    { guard: 'nextRowBreaksAfter', target: `${LIVE}.atBreak.after`, actions: ['noteRowBreakAfter', 'showNextRow'] },
                    { guard: 'rowRecorded', target: 'resting', actions: 'showNextRow' },
                    { guard: 'heldActionBreaks', target: `${LIVE}.atBreak.before`, actions: 'noteHeldBreak' },
                    { target: 'awaitingRow', actions: 'releaseHeld' },
                  ],
                },
                resting: {
                  after: { stepInterval: 'advancing' },
                  on: { 'speed.set': repace(`${LIVE}.stepping.playing.resting`) },
                },
                // The last step let an action go; the row it makes is shown when it arrives (and checked:
                // an event breakpoint stops right after it).
                awaitingRow: {
                  after: { stepInterval: 'advancing' },
                  on: {
                    'row.recorded': [
                      askBefore(`${LIVE}.asking`),
                      { guard: 'nextRowBreaksAfter', target: `${LIVE}.atBreak.after`, actions: ['noteRowBreakAfter', 'showNextRow'] },
                      { target: 'resting', actions: 'showNextRow' },
                    ],
                    'speed.set': repace(`${LIVE}.stepping.playing.awaitingRow`),
                  },
                },
              },
            },
          },
        },
        // Wire speed: the gate lets both sides run and every row is shown as it arrives. Watching starts here.
        // A row the quiz asks before stops it: the gate is shut again and the question asked.
        freeRunning: {
          entry: 'followTheEnd',
          initial: 'opening',
          states: {
            // A row already recorded asks: the gate stays shut.
            opening: { always: [{ guard: 'nextRowAsks', target: `${LIVE}.asking`, actions: 'ask' }, { target: 'following' }] },
            following: {
              entry: 'gateResume',
              always: { guard: 'nextRowAsks', target: `${LIVE}.asking`, actions: ['gatePause', 'ask'] },
            },
          },
          on: {
            'row.recorded': { actions: 'showUpToQuestion' },
            'playback.pause': { target: 'stepping.paused', actions: 'gatePause' },
            'step.forward': { target: 'stepping.paused.awaitingRow', actions: ['gatePause', ...user, 'releaseHeld'] },
            'speed.set': [
              { guard: 'toFree', actions: 'setSpeed' },
              { target: 'stepping.playing.resting', actions: ['setSpeed', 'gatePause'] },
            ],
            'step.seek': { target: 'stepping.paused', actions: ['gatePause', 'seek'] },
            // The gate stopped by itself: before an action that is a breakpoint, or after an event that is one.
            'gate.breakpoint': [
              { guard: 'heldActionBreaks', target: 'atBreak.before', actions: 'noteGateBreak' },
              { target: 'atBreak.after', actions: 'noteGateBreak' },
            ],
          },
        },
        // Stopped at a breakpoint, the step it stopped at shown.
        atBreak: {
          // Always entered at before or after; 'after' is only XState's required default.
          initial: 'after',
          on: {
            'step.forward': stepLive(`${LIVE}.stepping.paused.ready`, `${LIVE}.stepping.paused.awaitingRow`),
          },
          states: {
            // Before a row or a held action: Resume lets that one through unchecked, then plays on.
            before: {
              on: {
                'playback.play': [
                  { guard: 'free', target: `${LIVE}.freeRunning`, actions: user },
                  ...stepLive(`${LIVE}.stepping.playing.resting`, `${LIVE}.stepping.playing.awaitingRow`),
                ],
                'session.ended': { target: '#playback.ended.atBreak.before', actions: { type: 'keepOutcome', params: { stopped: false } } },
              },
            },
            // After a row: nothing to let through; the next step is checked as usual.
            after: {
              on: {
                'playback.play': [
                  { guard: 'free', target: `${LIVE}.freeRunning`, actions: user },
                  { target: `${LIVE}.stepping.playing`, actions: user },
                ],
                'session.ended': { target: '#playback.ended.atBreak.after', actions: { type: 'keepOutcome', params: { stopped: false } } },
              },
            },
          },
        },
        // A question is on screen (the quiz asks it before the next row, which is recorded, not shown); the gate
        // holds both sides. The answer shows the row and leaves the session paused there.
        asking: {
          on: {
            'quiz.answer': answered(`${LIVE}.stepping.paused`),
            // The question comes first: no moving on, or back, before the answer.
            'step.seek': { actions: [] },
            // The session ending on its own does not take the question away: it is still asked, in the replay.
            'session.ended': { target: '#playback.ended.asking', actions: { type: 'keepOutcome', params: { stopped: false } } },
          },
        },
      },
    },
    // Stop was pressed: the host ends the session (closing the watched server), then says so.
    stopping: {
      invoke: {
        src: 'stopSession',
        input: ({ context }) => ({ sessionId: context.sessionId ?? '' }),
        onDone: 'ended',
        onError: 'ended',
      },
      on: {
        'session.run': { target: 'starting', actions: { type: 'askToRun', params: { replacing: true } } },
        'session.watch': { target: 'starting', actions: { type: 'askToWatch', params: { replacing: true } } },
        'session.ended': { target: 'ended', actions: { type: 'keepOutcome', params: { stopped: true } } },
      },
    },
    // The session is over; its complete trace replays.
    ended: {
      ...replay('ended'),
      on: {
        ...replay('ended').on,
        // The host's answer to Stop can overtake its own report of the end.
        'session.ended': { actions: { type: 'keepOutcome', params: { stopped: true } } },
      },
    },
    loaded: replay('loaded'),
  },
});

export type PlaybackMachine = typeof playbackMachine;
