// Path tests of the playback statechart with xstate/graph. The world: a user with every button and key, a host
// that records a real session's events in order (a run of the textbook upload, or curl against the watched
// server), holds the next action at its gate, stops at a breakpoint, or ends the session; the start and stop
// answers; the timers; a class answering the quiz (right, wrong, or with a key that is no choice). Every state
// is reached; in every reachable state the snapshot the page reads (status text and tone, playing, live,
// waiting, shown/total, the question) says what a user should see; every way out of asking is an answer that
// scores it and shows its step, or the user giving the session up; and the shortest path to each state,
// replayed on a real actor with a simulated clock, lands where the graph says.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, getNextSnapshot, SimulatedClock, type ActorLogic, type SnapshotFrom, type StateNode } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import type { TraceEvent, TraceFile } from '../../core/trace/traceEvent';
import { noBreakpoints, type BreakpointSet } from '../../renderer/breakpoints';
import { playbackMachine, type PlaybackEvent, type PlaybackInput, type SessionMessage, type StartedSession } from '../../renderer/playbackMachine';
import { isAsking, viewOf, type PlaybackSnapshot } from '../../renderer/playbackView';
import { QUESTION_KINDS } from '../../core/quiz/quizQuestion';

type Snapshot = SnapshotFrom<typeof playbackMachine>;

const fixture = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '../core/diagram/fixtures', `${name}.trace.json`), 'utf8')) as TraceFile;
const pick = (file: TraceFile, seqs: readonly number[]) => file.events.filter((e) => seqs.includes(e.seq));
const upload = fixture('textbook-upload');
const curl = fixture('serve-curl');

/** A run of the textbook upload, both ends recorded: 220, a machine's state change (no row of its own), USER, STOR, the client's end-of-file FIN on D1, 226. */
const RUN_SCRIPT = pick(upload, [2, 3, 8, 48, 62, 68]);
/** The watched server's own records of curl's download: 220, USER, RETR, its end-of-file FIN on D1, 226. */
const WATCH_SCRIPT = pick(curl, [16, 18, 38, 44, 47]);
const SESSION = 's1';
const PORT = 2121;
/** A file opened from disk: the run's events, complete. */
const FILE: TraceFile = { ...upload, events: RUN_SCRIPT };
/** One breakpoint of each kind, on the scripts' rows: before STOR, before reply 226, after a data FIN. */
const BREAKS: BreakpointSet = { verbs: ['STOR'], codes: [226], events: ['tcp.fin:data'] };

/** What a world lets happen: which sessions the user starts, how much of the script the host plays, what else the user does. */
interface World {
  readonly starts: readonly ('run' | 'watch' | 'file')[];
  /** How many of the script's events the host records (the rest never come). */
  readonly scriptLength: number;
  /** The user switches breakpoints on and off, reports come from the page, sessions are restarted. */
  readonly extras: boolean;
}

const scriptOf = (s: Snapshot, world: World) => (s.context.start?.kind === 'watch' ? WATCH_SCRIPT : RUN_SCRIPT).slice(0, world.scriptLength);
/** How far the host has got through its script: the events the trace holds (or, while starting, those kept for later). */
const recorded = (s: Snapshot) => s.context.trace?.events.length ?? s.context.early.filter((m) => m.type === 'trace.event').length;

/** What the gate holds before `event` is recorded, as the host reports it (a watched server holds only itself). */
function heldBefore(event: TraceEvent | undefined, watch: boolean): { waiting: string; side: 'client' | 'server' } | undefined {
  if (event?.type === 'ftp.command' && event.dir === 'sent' && !watch) return { waiting: event.line, side: 'client' };
  if (event?.type === 'ftp.reply' && event.dir === 'sent') return { waiting: `${event.code} ${event.lines[0]}`, side: 'server' };
  if (event?.type === 'tcp.fin' && event.dir === 'sent' && (event.side === 'server' || !watch)) return { waiting: 'dataClose', side: event.side };
  return undefined;
}

const message = (m: SessionMessage): PlaybackEvent => ({ type: 'host.message', message: m });
/** XState's own events (an actor's answer, a timer), typed as the machine's. */
const internal = (event: { type: string; [key: string]: unknown }) => event as unknown as PlaybackEvent;

function startedFor(s: Snapshot): StartedSession {
  const watch = s.context.start?.kind === 'watch';
  const meta = watch ? { ...curl.meta, title: `Watching the server on 127.0.0.1:${PORT}` } : upload.meta;
  return { sessionId: SESSION, trace: { format: 'ftp-lab-trace', version: 1, meta, events: [] }, ...(watch ? { port: PORT } : {}) };
}

/** The delayed transitions of the states `s` is in, as the events XState raises for them. */
const timers = (s: Snapshot): PlaybackEvent[] => (s._nodes as StateNode[]).flatMap((node) => node.after.map((t) => internal({ type: t.eventType })));

/** Everything that can happen next in `world`: the host, the user, the start and stop answers, the timers. */
function worldEvents(world: World) {
  return (s: Snapshot): PlaybackEvent[] => {
    const context = s.context;
    const script = scriptOf(s, world);
    const next = script[recorded(s)];
    const held = heldBefore(next, context.start?.kind === 'watch');
    const starting = s.matches('starting');
    const session = starting || s.matches('live') || s.matches('stopping');
    const host: PlaybackEvent[] =
      !session || (starting && context.early.length >= 2)
        ? // Only a session has news; while starting, two messages are enough to see them kept in order.
          []
        : [
            ...(next ? [message({ type: 'trace.event', sessionId: SESSION, event: next })] : []),
            ...(held ? [message({ type: 'gate.state', sessionId: SESSION, paused: true, ...held })] : []),
            message({ type: 'gate.state', sessionId: SESSION, paused: false }),
            message({ type: 'gate.state', sessionId: SESSION, paused: true, reason: 'breakpoint on tcp.fin (data)' }),
            // A session ends when its script is done, or fails at any moment; an earlier session's news changes nothing.
            ...(next ? [] : [message({ type: 'session.end', sessionId: SESSION, ok: true })]),
            message({ type: 'session.end', sessionId: SESSION, ok: false, failure: 'the server closed the connection' }),
            message({ type: 'session.end', sessionId: 's0', ok: true }),
          ];
    const restart = world.extras || !(s.matches('live') || s.matches('starting') || s.matches('stopping'));
    const starts: PlaybackEvent[] = !restart
      ? []
      : world.starts.flatMap((kind): PlaybackEvent[] =>
          kind === 'run'
            ? [
                { type: 'session.run', options: { scenario: 'textbook-upload' }, play: true },
                { type: 'session.run', options: { scenario: 'textbook-upload' }, play: false },
              ]
            : kind === 'watch'
              ? [{ type: 'session.watch', port: 0 }]
              : [{ type: 'trace.load', file: FILE }],
        );
    const user: PlaybackEvent[] = [
      ...starts,
      { type: 'session.stop' },
      { type: 'playback.play' },
      { type: 'playback.pause' },
      { type: 'step.forward' },
      { type: 'step.seek', step: 0 },
      ...(context.shown > 0 ? [{ type: 'step.seek', step: context.shown - 1 } as const] : []),
      { type: 'speed.set', stepsPerSecond: context.speed === 0 ? 2 : 0 },
      // The class answers: right, wrong, or with a key that is no choice (5 with four choices); with no question, nothing.
      ...(context.question && isAsking(s)
        ? [context.question.answer, (context.question.answer + 1) % context.question.choices.length, context.question.choices.length].map(
            (choice): PlaybackEvent => ({ type: 'quiz.answer', choice }),
          )
        : [{ type: 'quiz.answer', choice: 0 } as const]),
      ...(world.extras
        ? [
            { type: 'breakpoints.set', breakpoints: context.breakpoints === BREAKS ? noBreakpoints : BREAKS } as const,
            { type: 'status.report', text: 'Could not list the scenarios: no host.', tone: 'error' } as const,
            { type: 'gate.failed', message: 'No running session s1.' } as const,
          ]
        : []),
    ];
    const answers: PlaybackEvent[] = starting
      ? [
          internal({ type: 'xstate.done.actor.start', output: startedFor(s) }),
          internal({ type: 'xstate.error.actor.start', error: new Error('Port 2121 on 127.0.0.1 is already in use.') }),
        ]
      : s.matches('stopping')
        ? [internal({ type: 'xstate.done.actor.stop', output: undefined })]
        : [];
    return [...host, ...user, ...answers, ...timers(s)];
  };
}

const atBreak = (s: Snapshot) => s.matches({ live: 'atBreak' }) || s.matches({ ended: 'atBreak' }) || s.matches({ loaded: 'atBreak' });

/** A vertex: the state and everything in the context that decides what the page shows or what happens next. */
function serializeState(s: Snapshot): string {
  const c = s.context;
  const live = s.matches('live');
  return JSON.stringify([
    s.value,
    c.start?.kind === 'run' ? `run${c.start.play ? '+play' : ''}` : (c.start?.kind ?? ''),
    c.trace ? [c.trace.meta.title, c.trace.events.length] : c.early.length,
    c.sessionId ?? '',
    live || s.matches('stopping') ? (c.watching ?? '') : '',
    c.shown,
    live && c.held ? `${c.held.side}:${c.held.waiting}` : '',
    c.speed,
    c.breakpoints === BREAKS,
    c.note?.text ?? '',
    atBreak(s) ? c.breakReason : '',
    s.matches('ended') ? c.outcome : '',
    isAsking(s) ? c.question?.seq : '',
    c.quizKinds.length,
    c.score,
    c.askedSeqs,
    c.reveal ? [c.reveal.question.seq, c.reveal.chosen] : '',
  ]);
}

const logic = playbackMachine as unknown as ActorLogic<Snapshot, PlaybackEvent, PlaybackInput>;

/** Every atomic state of the machine that can be rested in (not the transient ones an eventless transition leaves at once), as a path. */
function restingLeaves(node: StateNode): string[] {
  const children = Object.values(node.states) as StateNode[];
  if (children.length > 0) return children.flatMap(restingLeaves);
  return node.always?.some((t) => t.guard === undefined) ? [] : [node.path.join('.')];
}
const LEAVES = restingLeaves(playbackMachine.root as unknown as StateNode);
const leavesOf = (s: Snapshot) => (s._nodes as StateNode[]).filter((n) => n.type === 'atomic').map((n) => n.path.join('.'));

/** What a user should see, whatever led here: the sentences that are wrong (none, for a good state). */
function userSees(s: Snapshot, view: PlaybackSnapshot): string[] {
  const wrong: string[] = [];
  const { text, tone } = view.status;
  const noted = s.context.note !== undefined;
  const watch = s.context.start?.kind === 'watch';
  const say = (ok: boolean, what: string) => ok || wrong.push(what);
  say(view.shown >= 0 && view.shown <= view.total, `shown ${view.shown} within 0..${view.total}`);
  say(view.live === s.matches('live'), 'live exactly while a session runs');
  say(view.waiting === undefined || view.live, 'nobody waits at the gate of a session that is not running');
  say(view.watching === (view.live && watch ? PORT : undefined), 'the watched port shown while (and only while) watching');
  say(!view.playing || !/^Paused/.test(text), `"${text}" while playing`);
  // (Replaying a session that failed keeps saying so.)
  say(!view.playing || noted || tone === 'live' || tone === 'done' || (tone === 'error' && s.context.outcome?.kind === 'failed'), `tone ${tone} while playing`);
  say(!view.live || view.playing || noted || atBreak(s) || view.question !== undefined || /^Paused/.test(text), `"${text}" while paused`);
  say(view.live || !/atching/.test(text), `"${text}" with no server watched`);
  say(!s.matches({ live: 'freeRunning' }) || view.shown === view.total, 'free running shows every row');
  say(
    !atBreak(s) || noted || (tone === 'break' && /^Paused at a breakpoint (before|after|on) .+\. Step \(→\) or Resume \(space\) to go on\.$/.test(text)),
    `"${text}" at a breakpoint`,
  );
  say((view.question !== undefined) === isAsking(s), 'a question is on screen exactly while asking');
  say(!isAsking(s) || view.question!.choices.length <= 4, 'at most four choices: keys 1–4 answer');
  say(!isAsking(s) || noted || /^A question before step \d+: .+ Answer with a key from 1 to [234]\.$/.test(text), `asking: "${text}"`);
  say(view.score.right <= view.score.asked, 'no more right answers than questions');
  const counted = /step (\d+) of (\d+)/.exec(text);
  say(!counted || (Number(counted[1]) === view.shown && Number(counted[2]) === view.total), `"${text}" with ${view.shown}/${view.total} shown`);
  if (!noted && view.live && watch && s.matches({ live: 'freeRunning' })) {
    say(text === `Watching the server on 127.0.0.1:${PORT} — connect an FTP client to it (${view.total} steps so far).`, `following: "${text}"`);
  }
  if (!noted && view.live && watch && s.matches({ live: { stepping: 'playing' } })) {
    say(text === `Playing step ${view.shown} of ${view.total} — still watching the server on 127.0.0.1:${PORT}.`, `replaying while watching: "${text}"`);
  }
  if (!noted && s.matches('stopping')) say(text === (watch ? `Stopping the server on 127.0.0.1:${PORT}…` : 'Stopping the session…'), `stopping: "${text}"`);
  if (!noted && s.matches('ended') && !atBreak(s) && !isAsking(s)) {
    const said = { complete: /^Session complete/, stopped: /^Session stopped/, failed: /^The session failed: / }[s.context.outcome?.kind ?? 'complete'];
    say(said.test(text), `ended (${s.context.outcome?.kind}): "${text}"`);
  }
  if (!noted && s.matches('idle')) say(text === 'Ready.' && tone === 'idle', `idle: "${text}"`);
  return wrong;
}

const WORLDS: { title: string; world: World; input: PlaybackInput }[] = [
  {
    title: 'a run of the textbook upload, with a breakpoint of each kind',
    world: { starts: ['run'], scriptLength: RUN_SCRIPT.length, extras: false },
    input: { speed: 2, breakpoints: BREAKS },
  },
  { title: 'curl against the watched server', world: { starts: ['watch'], scriptLength: WATCH_SCRIPT.length, extras: false }, input: { speed: 2 } },
  { title: 'everything at once, two events long', world: { starts: ['run', 'watch', 'file'], scriptLength: 2, extras: true }, input: { speed: 2 } },
  {
    title: 'the quiz on a run of the textbook upload and on its file, every kind asked (the greeting, the first data FIN, 226)',
    world: { starts: ['run', 'file'], scriptLength: RUN_SCRIPT.length, extras: false },
    input: { speed: 2, quizKinds: QUESTION_KINDS },
  },
  {
    title: 'the quiz on curl against the watched server',
    world: { starts: ['watch'], scriptLength: WATCH_SCRIPT.length, extras: false },
    input: { speed: 2, quizKinds: QUESTION_KINDS },
  },
];

/** What leaves a question unanswered: only the user giving up the session (Stop, another Run or Watch, a file opened). */
const GIVING_UP = new Set(['session.stop', 'session.run', 'session.watch', 'trace.load']);

/** Each world walked once: the shortest path to every state it can reach (each path ends in one of them). */
const walked = WORLDS.map((w) => ({
  ...w,
  paths: getShortestPaths(logic, { input: w.input, events: worldEvents(w.world), serializeState, limit: 1_000_000 }),
}));

describe.each(walked)('the playback statechart as a graph: $title', ({ paths, world }) => {
  const states = paths.map((path) => path.state);

  it('in every reachable state, the page shows what a user should see', () => {
    expect(states.length).toBeGreaterThan(100);
    const wrong = new Map<string, string>();
    for (const s of states) for (const sentence of userSees(s, viewOf(s))) if (!wrong.has(sentence)) wrong.set(sentence, serializeState(s));
    expect([...wrong.entries()]).toEqual([]);
  });

  it('every path through asking ends answered (or the session given up): the answer scores it and shows the step it was about', () => {
    const asking = states.filter(isAsking);
    for (const s of asking) {
      const question = s.context.question!;
      for (const event of worldEvents(world)(s)) {
        const next = getNextSnapshot(playbackMachine, s, event);
        if (isAsking(next)) {
          expect(next.context.question, `${event.type} keeps the question`).toBe(question);
          continue;
        }
        expect(event.type === 'quiz.answer' || GIVING_UP.has(event.type), `${event.type} left ${serializeState(s)}`).toBe(true);
        if (event.type !== 'quiz.answer') continue;
        const right = event.choice === question.answer;
        expect([next.context.score, next.context.shown, next.context.reveal?.chosen, viewOf(next).reveal?.question]).toEqual([
          { asked: s.context.score.asked + 1, right: s.context.score.right + (right ? 1 : 0) },
          s.context.shown + 1,
          event.choice,
          question,
        ]);
        // The step shown is the one the question was asked before.
        expect(next.context.trace!.rowEvent(next.context.shown - 1)!.seq).toBe(question.seq);
      }
    }
  });

  it("from every live state, Stop and then the host's end of the session leave it over (complete, or stopped: never failed), every row there, nothing said of watching", () => {
    const live = states.filter((s) => s.matches('live'));
    expect(live.length).toBeGreaterThan(10);
    for (const s of live) {
      const stopping = getNextSnapshot(playbackMachine, s, { type: 'session.stop' });
      // A watched server ends as asked (ok); a run cut short is, to the host, a failure: 'The session was stopped.'
      for (const [ok, how] of [
        [true, 'Session complete'],
        [false, 'Session stopped'],
      ] as const) {
        const ended = getNextSnapshot(
          playbackMachine,
          stopping,
          message({ type: 'session.end', sessionId: SESSION, ok, ...(ok ? {} : { failure: 'The session was stopped.' }) }),
        );
        const view = viewOf(ended);
        const shown = s.matches({ live: 'freeRunning' }) ? view.total : Math.min(s.context.shown, view.total);
        expect([ended.value, view.live, view.playing, view.shown, view.status.text], serializeState(s)).toEqual([
          { ended: 'paused' },
          false,
          false,
          shown,
          s.context.note?.text ??
            (shown < view.total
              ? `${how} — replaying, step ${shown} of ${view.total}.`
              : `${how}: ${view.trace!.events.length} trace events, ${view.total} steps.`),
        ]);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Every state, reached; and the shortest path to each, replayed on a real actor: the start and stop answers
// come from promises, the timers from a simulated clock.

/** The shortest path (over all worlds) to each state it reaches. */
const shortestTo = new Map<string, { steps: (typeof walked)[number]['paths'][number]['steps']; input: PlaybackInput }>();
for (const { paths, input } of walked) {
  for (const path of paths) {
    for (const leaf of leavesOf(path.state)) {
      const known = shortestTo.get(leaf);
      if (!known || known.steps.length > path.steps.length) shortestTo.set(leaf, { steps: path.steps, input });
    }
  }
}

/** Sends each step's event (`steps[i].state` is where it leads) to a real actor and checks it lands there too. */
async function replay(steps: readonly { event: PlaybackEvent; state: Snapshot }[], input: PlaybackInput) {
  const clock = new SimulatedClock();
  let settle: { resolve(value: unknown): void; reject(error: unknown): void } | undefined;
  const pending = <T>() => new Promise<T>((resolve, reject) => (settle = { resolve: resolve as (value: unknown) => void, reject }));
  const machine = playbackMachine.provide({
    actors: { startSession: fromPromise(() => pending<StartedSession>()), stopSession: fromPromise(() => pending<void>()) },
  });
  const actor = createActor(machine, { clock, input });
  actor.start();
  for (const { event, state } of steps) {
    if (event.type.startsWith('xstate.init')) continue;
    if (event.type.startsWith('xstate.done.actor.')) settle?.resolve((event as unknown as { output: unknown }).output);
    else if (event.type.startsWith('xstate.error.actor.')) settle?.reject((event as unknown as { error: unknown }).error);
    else if (event.type.startsWith('xstate.after.')) clock.increment(1000 / actor.getSnapshot().context.speed);
    else actor.send(event);
    // The promises' answers arrive as the actor's next events.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(serializeState(actor.getSnapshot()), `after ${event.type}`).toBe(serializeState(state));
  }
  actor.stop();
}

describe('every state of the machine', () => {
  it('is reached (asking too, live and replayed)', () => {
    expect(LEAVES.filter((leaf) => !shortestTo.has(leaf))).toEqual([]);
    expect(LEAVES).toEqual(expect.arrayContaining(['live.asking', 'ended.asking', 'loaded.asking']));
  });

  it.each(LEAVES)('%s: its shortest path, replayed on a real actor, lands there', async (leaf) => {
    const path = shortestTo.get(leaf);
    expect(path, `a path to ${leaf}`).toBeDefined();
    await replay(path!.steps, path!.input);
  });
});
