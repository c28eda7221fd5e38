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
    async started(port?: number, sessionId = 's1', which = answers.length - 1) {
      answers[which]?.({ sessionId, trace: { ...upload, events: [] }, ...(port ? { port } : {}) });
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

describe('asking (the quiz hook)', () => {
  it('a question stops a free run at the gate; nothing moves on until the answer, which leaves it paused', async () => {
    const { actor, asked, view, started, record } = lab({ speed: 0 });
    actor.send({ type: 'session.run', options: { scenario: 'textbook-upload' }, play: true });
    await started();
    record(STOR);
    actor.send({ type: 'quiz.ask', question: 'What does the server answer to STOR?' });
    expect(gateCommands(asked)).toEqual(['resume', 'pause']);
    expect(view()).toMatchObject({
      playing: false,
      question: 'What does the server answer to STOR?',
      status: { text: 'A question before the next step: What does the server answer to STOR? Answer it to go on.' },
    });
    for (const type of ['step.forward', 'playback.play'] as const) actor.send({ type });
    actor.send({ type: 'step.seek', step: 0 });
    expect(view()).toMatchObject({ shown: 1, question: 'What does the server answer to STOR?' });
    actor.send({ type: 'quiz.answer', answer: '150' });
    expect(view()).toMatchObject({ shown: 1, playing: false, question: undefined, status: { tone: 'paused' } });
  });
});
