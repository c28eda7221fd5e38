// What the UI reads from the playback statechart: the snapshot the toolbar, the diagram and the panels draw
// from, and the status line's sentence for each state, in the words a user should read.

import type { SnapshotFrom } from 'xstate';
import type { RecordedTrace } from './recordedTrace';
import type { QuizQuestion, QuizScore } from '../core/quiz/quizQuestion';
import type { HeldAction, PlaybackMachine, QuizReveal, StatusLine, StatusTone } from './playbackMachine';

export type { StatusTone };

export type PlaybackState = SnapshotFrom<PlaybackMachine>;

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
  readonly status: StatusLine;
  /** The port of the built-in server being watched (an external client drives it), while it runs. */
  readonly watching: number | undefined;
  /** The question on screen (the quiz's), while it waits for an answer. */
  readonly question: QuizQuestion | undefined;
  /** The last answer, while the step it was about is the current one: the reveal. */
  readonly reveal: QuizReveal | undefined;
  /** The quiz is on: it asks before some kinds of step. */
  readonly quizOn: boolean;
  readonly score: QuizScore;
  /** The host's session shown (a run, or the watched server), while it runs. */
  readonly sessionId: string | undefined;
  /** Where the host writes the watched server's complete trace (the page draws only the sessions it follows). */
  readonly traceFile: string | undefined;
}

/** What the held side waits to do, in words (and PASS masked: the gate reports the real line). */
export function describeWaiting(held: HeldAction | undefined): string | undefined {
  if (held === undefined) return undefined;
  const { waiting, side } = held;
  const who = side === 'server' ? 'the server' : 'the client';
  if (waiting === 'dataClose') return `${who} waits before closing the data connection`;
  if (waiting === 'abort') return `${who} waits before sending ABOR`;
  if (waiting === 'command') return `${who} waits before its next command`;
  // The reply's own full stop would be doubled by the sentence around it.
  if (side === 'server') return `the server waits before replying ${waiting.replace(/\.$/, '')}`;
  return `the client waits before ${/^PASS\s/i.test(waiting) ? 'PASS ****' : waiting}`;
}

const isPlaying = (state: PlaybackState) =>
  state.matches({ live: 'freeRunning' }) ||
  state.matches({ live: { stepping: 'playing' } }) ||
  state.matches({ ended: 'playing' }) ||
  state.matches({ loaded: 'playing' });

/** A question waits for its answer, in a live session or a replay. */
export const isAsking = (state: PlaybackState) =>
  state.matches({ live: 'asking' }) || state.matches({ ended: 'asking' }) || state.matches({ loaded: 'asking' });

const atBreak = (state: PlaybackState) => state.matches({ live: 'atBreak' }) || state.matches({ ended: 'atBreak' }) || state.matches({ loaded: 'atBreak' });

export function viewOf(state: PlaybackState): PlaybackSnapshot {
  const context = state.context;
  const total = context.trace?.steps ?? 0;
  const shown = Math.min(context.shown, total);
  const live = state.matches('live');
  return {
    trace: context.trace,
    shown,
    total,
    live,
    playing: isPlaying(state),
    waiting: live ? describeWaiting(context.held) : undefined,
    animateFrom: context.animateFrom,
    speed: context.speed,
    status: statusOf(state, shown, total),
    watching: live ? context.watching : undefined,
    question: isAsking(state) ? context.question : undefined,
    reveal: context.reveal && context.trace?.rowEvent(shown - 1)?.seq === context.reveal.question.seq ? context.reveal : undefined,
    quizOn: context.quizKinds.length > 0,
    score: context.score,
    sessionId: live ? context.sessionId : undefined,
    traceFile: context.traceFile,
  };
}

function statusOf(state: PlaybackState, shown: number, total: number): StatusLine {
  const context = state.context;
  if (context.note) return context.note;
  const watch = context.start?.kind === 'watch' ? context.start : undefined;
  if (state.matches('starting')) {
    if (!watch) return { text: 'Starting the session…', tone: 'live' };
    return { text: `Starting the server on ${watch.port === 0 ? 'a free port of 127.0.0.1' : `127.0.0.1:${watch.port}`}…`, tone: 'live' };
  }
  if (state.matches('stopping')) {
    return { text: watch ? `Stopping the server on 127.0.0.1:${context.watching}…` : 'Stopping the session…', tone: 'live' };
  }
  const trace = context.trace;
  if (!trace) return { text: 'Ready.', tone: 'idle' };
  if (isAsking(state) && context.question) {
    const keys = context.question.choices.length;
    return { text: `A question before step ${shown + 1}: ${context.question.prompt} Answer with a key from 1 to ${keys}.`, tone: 'paused' };
  }
  if (atBreak(state)) return { text: `Paused at a ${context.breakReason}. Step (→) or Resume (space) to go on.`, tone: 'break' };
  const at = `step ${shown} of ${total}`;
  if (state.matches('live')) return liveStatus(state, shown, total);
  if (state.matches('ended')) {
    // The host's answer to Stop can come before its report of the end: until then, it ended as asked.
    const outcome = context.outcome ?? { kind: 'complete' };
    if (outcome.kind === 'failed') return { text: `The session failed: ${outcome.failure} (${at}).`, tone: 'error' };
    const how = outcome.kind === 'stopped' ? 'Session stopped' : 'Session complete';
    return { text: shown < total ? `${how} — replaying, ${at}.` : `${how}: ${trace.events.length} trace events, ${total} steps.`, tone: 'done' };
  }
  return { text: `Saved trace — ${at}.`, tone: 'done' };
}

function liveStatus(state: PlaybackState, shown: number, total: number): StatusLine {
  const context = state.context;
  const at = `step ${shown} of ${total}`;
  // With the quiz on, what the held side is about to send, or even which side it is, would give answers away
  // ("the server waits before replying 226", "the client waits before closing the data connection").
  const held = context.quizKinds.length > 0 && context.held ? 'held at the step gate' : describeWaiting(context.held);
  const following = state.matches({ live: 'freeRunning' });
  const playing = state.matches({ live: { stepping: 'playing' } });
  if (context.watching !== undefined) {
    const where = `127.0.0.1:${context.watching}`;
    if (following) return { text: `Watching the server on ${where} — connect an FTP client to it (${total} steps so far).`, tone: 'live' };
    // Replaying what was watched, at the chosen speed, while the server goes on.
    if (playing) return { text: `Playing ${at} — still watching the server on ${where}.`, tone: 'live' };
    if (held) return { text: `Paused at ${at} — ${held} on ${where}. Press → to let it go on.`, tone: 'paused' };
    return { text: `Paused at ${at} — still watching the server on ${where}.`, tone: 'paused' };
  }
  const working = held ?? 'the client and server are working';
  if (following || playing) return { text: `Running — ${working}.`, tone: 'live' };
  return { text: shown < total ? `Paused at ${at} — ${working}.` : `Paused — ${working}. Press → to let it go on.`, tone: 'paused' };
}
