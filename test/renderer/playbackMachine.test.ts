// The playback statechart in the stories a teacher and a student live through, on a real actor with a simulated
// clock (the pace of playing is the clock's, nothing sleeps) and a host played by the test: it records a real
// session's events (the textbook upload's fixture), holds actions at its gate, and ends. What the machine asks
// of the host (host.gate, host.stopSession) is checked as it is emitted.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, SimulatedClock } from 'xstate';
import type { TraceEvent, TraceFile } from '../../core/trace/traceEvent';
import { playbackMachine, type PlaybackEmitted, type PlaybackInput, type SessionMessage, type StartedSession } from '../../renderer/playbackMachine';
import { viewOf } from '../../renderer/playbackView';

const upload = JSON.parse(readFileSync(join(import.meta.dirname, '../core/diagram/fixtures/textbook-upload.trace.json'), 'utf8')) as TraceFile;
const bySeq = (seq: number) => upload.events.find((e) => e.seq === seq)!;
/** The rows of the upload around its data connection's close: STOR, 150, the data, the client's FIN, the server's, 226, QUIT. */
const STOR = bySeq(48);
const AROUND_THE_CLOSE = [48, 52, 57, 62, 66, 68, 74].map(bySeq);

/** An actor whose start the test answers, and the host's side of it. */
function lab(input: PlaybackInput = {}) {
  const clock = new SimulatedClock();
  /** Each start's answer, in the order the starts were asked for. */
  const answers: ((started: StartedSession) => void)[] = [];
  const machine = playbackMachine.provide({
    actors: {
      startSession: fromPromise(() => new Promise<StartedSession>((resolve) => answers.push(resolve))),
      stopSession: fromPromise<void, { sessionId: string }>(async () => undefined),
    },
  });
  const actor = createActor(machine, { clock, input });
  const asked: PlaybackEmitted[] = [];
  actor.on('*', (request) => asked.push(request));
  actor.start();
  const send = (message: SessionMessage) => actor.send({ type: 'host.message', message });
  return {
    actor,
    clock,
    asked,
    view: () => viewOf(actor.getSnapshot()),
    /** The host's answer to the last start: session s1 (or `sessionId`), nothing recorded yet. */
    async started(port?: number, sessionId = 's1', which = answers.length - 1, traceFile?: string) {
      answers[which]?.({ sessionId, trace: { ...upload, events: [] }, ...(port ? { port } : {}), ...(traceFile ? { traceFile } : {}) });
      await Promise.resolve();
      await Promise.resolve();
    },
    record: (...events: TraceEvent[]) => events.forEach((event) => send({ type: 'trace.event', sessionId: 's1', event })),
    hold: (waiting: string, side: 'client' | 'server') => send({ type: 'gate.state', sessionId: 's1', paused: true, waiting, side }),
    gateStops: (reason: string, held?: { waiting: string; side: 'client' | 'server' }) =>
      send({ type: 'gate.state', sessionId: 's1', paused: true, reason, ...held }),
    end: (ok = true) => send({ type: 'session.end', sessionId: 's1', ok }),
    send,
  };
}

const gateCommands = (asked: PlaybackEmitted[]) => asked.filter((r) => r.type === 'host.gate').map((r) => (r.type === 'host.gate' ? r.command : ''));

describe('a recorded trace, replayed', () => {
  it('at 2 steps/s shows one row every 500 ms, then stops at the end', () => {
    const { actor, clock, view } = lab({ speed: 2 });
    actor.send({ type: 'trace.load', file: { ...upload, events: AROUND_THE_CLOSE } });
    expect(view()).toMatchObject({ shown: 7, total: 7, playing: false, status: { text: 'Trace loaded: 7 events. ← and → step through it.', tone: 'done' } });
    actor.send({ type: 'step.seek', step: 5 });
    actor.send({ type: 'playback.play' });
    // The first step comes at once, the next one an interval later.
    expect(view()).toMatchObject({ shown: 6, playing: true, status: { text: 'Saved trace — step 6 of 7.' } });
    clock.increment(499);
    expect(view().shown).toBe(6);
    clock.increment(1);
    expect(view()).toMatchObject({ shown: 7, playing: true });
    clock.increment(500);
    expect(view()).toMatchObject({ shown: 7, playing: false, status: { text: 'Saved trace — step 7 of 7.' } });
    // Playing at the end starts again from the top.
    actor.send({ type: 'playback.play' });
    expect(view()).toMatchObject({ shown: 1, playing: true });
  });

  it('at wire speed, Resume jumps to the end', () => {
    const { actor, view } = lab({ speed: 0 });
    actor.send({ type: 'trace.load', file: { ...upload, events: AROUND_THE_CLOSE } });
    actor.send({ type: 'step.seek', step: 1 });
    actor.send({ type: 'playback.play' });
    expect(view()).toMatchObject({ shown: 7, playing: false });
  });
});

describe('a live run, paced by the gate', () => {
  it('each interval lets one held action go; its row is shown when it arrives, the next step an interval later', async () => {
    const { actor, clock, asked, view, started, record, hold } = lab({ speed: 2 });
    actor.send({ type: 'session.run', options: { scenario: 'textbook-upload' }, play: true });
    expect(view().status.text).toBe('Starting the session…');
    await started();
    hold('STOR report.bin', 'client');
    expect(view()).toMatchObject({
      live: true,
      playing: true,
      shown: 0,
      waiting: 'the client waits before STOR report.bin',
      status: { text: 'Running — the client waits before STOR report.bin.', tone: 'live' },
    });
    clock.increment(500);
    expect(gateCommands(asked)).toEqual(['step']);
    // Nothing more is let go while the row is on its way.
    record(STOR);
    expect(view()).toMatchObject({ shown: 1, total: 1 });
    clock.increment(499);
    expect(gateCommands(asked)).toEqual(['step']);
  });

  it('Pause freezes the picture: a row already on its way is recorded, not shown', async () => {
    const { actor, clock, view, started, record, hold } = lab({ speed: 2 });
    actor.send({ type: 'session.run', options: { scenario: 'textbook-upload' }, play: true });
    await started();
    hold('STOR report.bin', 'client');
    clock.increment(500);
    actor.send({ type: 'playback.pause' });
    record(STOR);
    expect(view()).toMatchObject({
      shown: 0,
      total: 1,
      playing: false,
      status: { text: 'Paused at step 0 of 1 — the client and server are working.', tone: 'paused' },
    });
  });

  it('a breakpoint before STOR stops with STOR unsent; Resume lets it through unchecked and plays on', async () => {
    const { actor, clock, asked, view, started, record, hold } = lab({ speed: 2, breakpoints: { verbs: ['STOR'], codes: [], events: [] } });
    actor.send({ type: 'session.run', options: { scenario: 'textbook-upload' }, play: true });
    await started();
    hold('STOR report.bin', 'client');
    clock.increment(500);
    expect(view()).toMatchObject({
      playing: false,
      status: { text: 'Paused at a breakpoint before STOR. Step (→) or Resume (space) to go on.', tone: 'break' },
    });
    expect(gateCommands(asked)).toEqual([]);
    actor.send({ type: 'playback.play' });
    expect(gateCommands(asked)).toEqual(['step']);
    record(STOR);
    expect(view()).toMatchObject({ shown: 1, playing: true, status: { text: 'Running — the client and server are working.' } });
  });

  it("after the client's FIN (an event breakpoint), Resume stops again before 226 (a reply-code breakpoint is not skipped)", async () => {
    const { actor, clock, view, started, record, hold } = lab({ speed: 2, breakpoints: { verbs: [], codes: [226], events: ['tcp.fin:data'] } });
    actor.send({ type: 'session.run', options: { scenario: 'textbook-upload' }, play: true });
    await started();
    // Recorded already: STOR, 150, the data; the client's FIN comes next from the recording, then the server's.
    record(...AROUND_THE_CLOSE.slice(0, 5));
    actor.send({ type: 'step.seek', step: 0 });
    actor.send({ type: 'playback.play' });
    // Rows 1 at once, then 2, 3 and the FIN (4) one interval apart.
    for (let i = 0; i < 3; i++) clock.increment(500);
    expect(view()).toMatchObject({ shown: 4, status: { text: 'Paused at a breakpoint after tcp.fin:data. Step (→) or Resume (space) to go on.' } });
    actor.send({ type: 'playback.play' });
    expect(view()).toMatchObject({ shown: 5, status: { text: 'Paused at a breakpoint after tcp.fin:data. Step (→) or Resume (space) to go on.' } });
    hold('226 Transfer complete (4096 bytes); data connection closed.', 'server');
    actor.send({ type: 'playback.play' });
    expect(view()).toMatchObject({
      shown: 5,
      playing: false,
      status: { text: 'Paused at a breakpoint before reply 226. Step (→) or Resume (space) to go on.' },
    });
  });

  it('at wire speed the gate opens and every row is shown as it arrives; the gate stopping at a breakpoint says where', async () => {
    const { actor, asked, view, started, record, gateStops } = lab({ speed: 0 });
    actor.send({ type: 'session.run', options: { scenario: 'textbook-upload' }, play: true });
    await started();
    expect(gateCommands(asked)).toEqual(['resume']);
    record(...AROUND_THE_CLOSE.slice(0, 4));
    expect(view()).toMatchObject({ shown: 4, total: 4, playing: true, status: { text: 'Running — the client and server are working.' } });
    gateStops('breakpoint on tcp.fin (data)');
    expect(view()).toMatchObject({
      shown: 4,
      playing: false,
      status: { text: 'Paused at a breakpoint on tcp.fin (data). Step (→) or Resume (space) to go on.', tone: 'break' },
    });
    actor.send({ type: 'playback.play' });
    expect(gateCommands(asked)).toEqual(['resume', 'resume']);
    record(AROUND_THE_CLOSE[4]!);
    actor.send({ type: 'session.stop' });
    expect(view()).toMatchObject({ live: false, playing: false, shown: 5, status: { text: 'Stopping the session…' } });
  });

  it('what the host says before it answers the start is kept, and taken in order once it does', async () => {
    const { actor, view, started, record, hold } = lab({ speed: 2 });
    actor.send({ type: 'session.run', options: { scenario: 'textbook-upload' }, play: false });
    // Before the answer there is no session id yet: the messages are s1's all the same.
    record(STOR);
    hold('150 Opening data connection.', 'server');
    expect(view()).toMatchObject({ trace: undefined, status: { text: 'Starting the session…' } });
    await started();
    expect(view()).toMatchObject({
      live: true,
      shown: 0,
      total: 1,
      waiting: 'the server waits before replying 150 Opening data connection',
      status: { text: 'Paused at step 0 of 1 — the server waits before replying 150 Opening data connection.' },
    });
  });

  it("Run again while starting: the first answer is nobody's, the second one runs", async () => {
    const { actor, view, started } = lab();
    actor.send({ type: 'session.run', options: { scenario: 'download' }, play: false });
    actor.send({ type: 'session.run', options: { scenario: 'textbook-upload' }, play: false });
    await started(undefined, 's1', 0);
    expect(view()).toMatchObject({ live: false, status: { text: 'Starting the session…' } });
    await started(undefined, 's2', 1);
    expect(actor.getSnapshot().context.sessionId).toBe('s2');
    expect(view()).toMatchObject({ live: true });
  });

  it("another session's news changes nothing", async () => {
    const { actor, view, started, send } = lab();
    actor.send({ type: 'session.run', options: { scenario: 'textbook-upload' }, play: false });
    await started();
    const before = view();
    send({ type: 'trace.event', sessionId: 's0', event: STOR });
    send({ type: 'session.end', sessionId: 's0', ok: false, failure: 'gone' });
    expect(view()).toEqual(before);
  });
});

describe('watching the built-in server', () => {
  it('follows what it sees; stepped back and playing, it says so; Stop says stopping, then complete — never watching', async () => {
    const { actor, clock, asked, view, started, record } = lab({ speed: 0, breakpoints: { verbs: [], codes: [226], events: [] } });
    actor.send({ type: 'session.watch', port: 0 });
    expect(view().status.text).toBe('Starting the server on a free port of 127.0.0.1…');
    await started(2121);
    // The watched server's gate learns the breakpoints set before (a run gets them with its start).
    expect(asked).toEqual([
      { type: 'host.setBreakpoints', sessionId: 's1', breakpoints: { verbs: [], codes: [226], events: [] } },
      { type: 'host.gate', sessionId: 's1', command: 'resume' },
    ]);
    expect(view()).toMatchObject({
      live: true,
      playing: true,
      watching: 2121,
      status: { text: 'Watching the server on 127.0.0.1:2121 — connect an FTP client to it (0 steps so far).' },
    });
    record(...AROUND_THE_CLOSE.slice(0, 3));
    expect(view()).toMatchObject({
      shown: 3,
      total: 3,
      status: { text: 'Watching the server on 127.0.0.1:2121 — connect an FTP client to it (3 steps so far).' },
    });
    actor.send({ type: 'speed.set', stepsPerSecond: 1 });
    actor.send({ type: 'step.seek', step: 1 });
    expect(view()).toMatchObject({ playing: false, status: { text: 'Paused at step 1 of 3 — still watching the server on 127.0.0.1:2121.', tone: 'paused' } });
    actor.send({ type: 'playback.play' });
    expect(view()).toMatchObject({
      shown: 2,
      playing: true,
      status: { text: 'Playing step 2 of 3 — still watching the server on 127.0.0.1:2121.', tone: 'live' },
    });
    clock.increment(1000);
    expect(view().status.text).toBe('Playing step 3 of 3 — still watching the server on 127.0.0.1:2121.');
    actor.send({ type: 'session.stop' });
    expect(view()).toMatchObject({ live: false, playing: false, watching: undefined, status: { text: 'Stopping the server on 127.0.0.1:2121…' } });
    await Promise.resolve();
    await Promise.resolve();
    expect(view()).toMatchObject({ live: false, status: { text: 'Session complete: 3 trace events, 3 steps.', tone: 'done' } });
  });
});

describe('the quiz: predict, then reveal', () => {
  const closesAndCompletions = { quizKinds: ['data.close', 'reply.2yz'] } as const;

  it('a replay stops before the first FIN of a data connection and before 226; the answer shows the step, scored; going back and forward again asks nothing twice', () => {
    const { actor, view } = lab({ speed: 2, ...closesAndCompletions });
    actor.send({ type: 'trace.load', file: { ...upload, events: AROUND_THE_CLOSE } });
    actor.send({ type: 'step.seek', step: 0 });
    for (let i = 0; i < 3; i++) actor.send({ type: 'step.forward' });
    expect(view()).toMatchObject({ shown: 3, question: undefined, quizOn: true });
    actor.send({ type: 'step.forward' });
    expect(view()).toMatchObject({
      shown: 3,
      question: { kind: 'data.close', seq: 62, choices: ['The client', 'The server'], answer: 0 },
      status: { text: 'A question before step 4: Who closes data connection D1 first: who sends its first FIN? Answer with a key from 1 to 2.' },
    });
    // Nothing moves on, or back, before the answer; an answer with no such choice is no answer.
    actor.send({ type: 'step.forward' });
    actor.send({ type: 'step.seek', step: 0 });
    actor.send({ type: 'quiz.answer', choice: 2 });
    expect(view()).toMatchObject({ shown: 3, question: { seq: 62 } });
    actor.send({ type: 'quiz.answer', choice: 1 });
    expect(view()).toMatchObject({ shown: 4, question: undefined, reveal: { chosen: 1, question: { seq: 62 } }, score: { asked: 1, right: 0 } });
    // The server's FIN answers the client's: no question. 226 asks.
    actor.send({ type: 'step.forward' });
    expect(view()).toMatchObject({ shown: 5, question: undefined, reveal: undefined });
    actor.send({ type: 'step.forward' });
    expect(view().question).toMatchObject({ kind: 'reply.2yz', seq: 68, choices: ['226', '250', '425', '426'] });
    actor.send({ type: 'quiz.answer', choice: 0 });
    expect(view()).toMatchObject({ shown: 6, score: { asked: 2, right: 1 }, reveal: { chosen: 0 } });
    actor.send({ type: 'step.seek', step: 2 });
    for (let i = 0; i < 5; i++) actor.send({ type: 'step.forward' });
    expect(view()).toMatchObject({ shown: 7, question: undefined, score: { asked: 2, right: 1 } });
  });

  it('playing stops at a question (and wire speed stops there too); after the answer it stays paused until Resume', () => {
    const { actor, clock, view } = lab({ speed: 2, ...closesAndCompletions });
    actor.send({ type: 'trace.load', file: { ...upload, events: AROUND_THE_CLOSE } });
    actor.send({ type: 'step.seek', step: 0 });
    actor.send({ type: 'playback.play' });
    for (let i = 0; i < 10; i++) clock.increment(500);
    expect(view()).toMatchObject({ shown: 3, playing: false, question: { seq: 62 } });
    actor.send({ type: 'quiz.answer', choice: 0 });
    for (let i = 0; i < 10; i++) clock.increment(500);
    expect(view()).toMatchObject({ shown: 4, playing: false, score: { asked: 1, right: 1 } });
    actor.send({ type: 'speed.set', stepsPerSecond: 0 });
    actor.send({ type: 'playback.play' });
    expect(view()).toMatchObject({ shown: 5, playing: false, question: { seq: 68 } });
    actor.send({ type: 'quiz.answer', choice: 0 });
    actor.send({ type: 'playback.play' });
    expect(view()).toMatchObject({ shown: 7, score: { asked: 2, right: 2 } });
  });

  it('a free run stops at the gate when a row it would show asks; rows that come meanwhile wait too; the answer shows that row only', async () => {
    const { actor, asked, view, started, record } = lab({ speed: 0, ...closesAndCompletions });
    actor.send({ type: 'session.run', options: { scenario: 'textbook-upload' }, play: true });
    await started();
    record(...AROUND_THE_CLOSE.slice(0, 3));
    expect(view()).toMatchObject({ shown: 3, playing: true });
    record(AROUND_THE_CLOSE[3]!);
    expect(gateCommands(asked)).toEqual(['resume', 'pause']);
    expect(view()).toMatchObject({ shown: 3, live: true, playing: false, question: { seq: 62 } });
    record(...AROUND_THE_CLOSE.slice(4));
    expect(view()).toMatchObject({ shown: 3, total: 7, question: { seq: 62 } });
    actor.send({ type: 'quiz.answer', choice: 0 });
    expect(view()).toMatchObject({ shown: 4, playing: false, live: true, status: { tone: 'paused' } });
    // Resume at wire speed: the next question (226) stops it again, the gate staying shut.
    actor.send({ type: 'playback.play' });
    expect(view()).toMatchObject({ shown: 5, question: { seq: 68 } });
    expect(gateCommands(asked)).toEqual(['resume', 'pause']);
  });

  it('a step past what is recorded lets the held action go; the row it makes asks before it is shown; the status line never tells what is held', async () => {
    const { actor, view, started, record, hold } = lab({ speed: 2, ...closesAndCompletions });
    actor.send({ type: 'session.run', options: { scenario: 'textbook-upload' }, play: false });
    await started();
    record(...AROUND_THE_CLOSE.slice(0, 3));
    for (let i = 0; i < 3; i++) actor.send({ type: 'step.forward' });
    // What the held side is about to send would give answers away: the status line does not say it.
    hold('226 Transfer complete.', 'server');
    expect(view().status.text).toBe('Paused — held at the step gate. Press → to let it go on.');
    hold('dataClose', 'client');
    actor.send({ type: 'step.forward' });
    expect(view()).toMatchObject({ shown: 3, question: undefined });
    record(AROUND_THE_CLOSE[3]!);
    expect(view()).toMatchObject({ shown: 3, question: { seq: 62 } });
  });

  it('a session that ends while a question is on screen keeps the question: its answer is still asked for, in the replay', async () => {
    const { actor, view, started, record, end } = lab({ speed: 0, ...closesAndCompletions });
    actor.send({ type: 'session.run', options: { scenario: 'textbook-upload' }, play: true });
    await started();
    record(...AROUND_THE_CLOSE);
    expect(view()).toMatchObject({ shown: 3, question: { seq: 62 } });
    end();
    expect(view()).toMatchObject({ live: false, shown: 3, question: { seq: 62 } });
    expect(actor.getSnapshot().matches({ ended: 'asking' })).toBe(true);
    actor.send({ type: 'quiz.answer', choice: 1 });
    expect(view()).toMatchObject({ live: false, shown: 4, score: { asked: 1, right: 0 }, status: { tone: 'done' } });
  });

  it('with no kinds chosen the quiz is off; a new session starts a new score', async () => {
    const { actor, view } = lab({ speed: 0 });
    actor.send({ type: 'trace.load', file: { ...upload, events: AROUND_THE_CLOSE } });
    actor.send({ type: 'step.seek', step: 0 });
    actor.send({ type: 'playback.play' });
    expect(view()).toMatchObject({ shown: 7, quizOn: false, question: undefined });
    actor.send({ type: 'quiz.kinds', kinds: ['data.close'] });
    actor.send({ type: 'step.seek', step: 0 });
    actor.send({ type: 'playback.play' });
    actor.send({ type: 'quiz.answer', choice: 0 });
    expect(view().score).toEqual({ asked: 1, right: 1 });
    actor.send({ type: 'trace.load', file: { ...upload, events: AROUND_THE_CLOSE } });
    expect(view()).toMatchObject({ quizOn: true, score: { asked: 0, right: 0 }, reveal: undefined });
  });
});

describe('events the host could not send', () => {
  it('a resync says the diagram was brought up to date; without one, a run says what the diagram lacks and a watch names its trace file', async () => {
    const { actor, view, started, record, send } = lab({ speed: 0 });
    actor.send({ type: 'session.run', options: { scenario: 'textbook-upload' }, play: true });
    await started();
    record(STOR);
    send({ type: 'trace.events', sessionId: 's1', events: AROUND_THE_CLOSE, replace: true });
    send({ type: 'trace.skipped', sessionId: 's1', events: 6, resynced: true });
    expect(view()).toMatchObject({
      total: 7,
      status: { text: '6 events could not be sent to this page while it was behind; the diagram has been brought up to date.' },
    });
    send({ type: 'trace.skipped', sessionId: 's1', events: 2 });
    expect(view().status.text).toBe('2 events were not sent to this page while it was behind: the diagram lacks them.');

    const watching = lab({ speed: 0 });
    watching.actor.send({ type: 'session.watch', port: 0 });
    await watching.started(2121, 's1', 0, '/tmp/ftp-lab-watch-x/watch.trace.json');
    watching.send({ type: 'trace.skipped', sessionId: 's1', events: 40 });
    expect(watching.view().status.text).toBe(
      "40 events were not sent to this page while it was behind; the host's trace file /tmp/ftp-lab-watch-x/watch.trace.json has them all.",
    );
  });
});
