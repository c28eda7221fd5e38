// The step gate holds a live client between its actions: sockets really wait, nothing is replayed.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFtpServer, type FtpServer } from '../../../main/session/ftpServer';
import { runClientSession } from '../../../main/session/clientSession';
import { StepGate } from '../../../main/session/stepGate';
import { createMemoryStore } from '../../../main/store/memoryStore';
import { TraceRecorder } from '../../../core/trace/traceRecorder';
import type { ClientStep } from '../../../core/machines/clientSession.context';
import type { FtpCommandEvent, TraceEvent } from '../../../core/trace/traceEvent';
import { trackHandles } from '../../support/leaks';

let server: FtpServer;
let recorder: TraceRecorder;
let leaks: ReturnType<typeof trackHandles>;

const steps: ClientStep[] = [
  { kind: 'command', line: 'USER anonymous', expect: [331] },
  { kind: 'command', line: 'PASS x', expect: [230] },
  { kind: 'dataSetup', passive: true },
  { kind: 'transfer', line: 'STOR gated.bin', direction: 'upload', upload: { size: 10_000, text: false, seed: 3 } },
  { kind: 'command', line: 'QUIT', expect: [221] },
];

beforeEach(async () => {
  leaks = trackHandles();
  recorder = new TraceRecorder(() => performance.now());
  server = await startFtpServer({ store: createMemoryStore(), recorder, anonymous: true });
});

afterEach(async () => {
  await server.close();
  await leaks.assertNoLeaks();
});

const sentCommands = () => recorder.events.filter((e): e is FtpCommandEvent => e.type === 'ftp.command' && e.dir === 'sent').map((e) => e.verb);

/** Resolves once the gate holds an action (the client is really waiting). */
const held = (gate: StepGate) =>
  new Promise<string>((resolve) => {
    if (gate.waiting) return resolve(gate.waiting.line ?? gate.waiting.action);
    const off = gate.subscribe((s) => {
      if (s.waiting) {
        off();
        resolve(s.waiting.line ?? s.waiting.action);
      }
    });
  });

it('a paused gate holds the client before each command; each step releases exactly one', async () => {
  const gate = new StepGate({ paused: true });
  const session = runClientSession({ server: server.address, steps, recorder, gate });
  expect(await held(gate)).toBe('USER anonymous');
  expect(sentCommands()).toEqual([]);
  gate.step();
  expect(await held(gate)).toBe('PASS x');
  expect(sentCommands()).toEqual(['USER']);
  gate.step();
  expect(await held(gate)).toBe('PASV');
  expect(sentCommands()).toEqual(['USER', 'PASS']);
  gate.resume();
  const output = await session;
  expect(output.ok).toBe(true);
  expect(sentCommands()).toEqual(['USER', 'PASS', 'PASV', 'STOR', 'QUIT']);
});

it('a breakpoint on a verb pauses before that command; the upload then waits before closing the data connection', async () => {
  const gate = new StepGate({ breakpoints: { verbs: ['STOR'] } });
  const session = runClientSession({ server: server.address, steps, recorder, gate });
  expect(await held(gate)).toBe('STOR gated.bin');
  expect(sentCommands()).toEqual(['USER', 'PASS', 'PASV']);
  gate.step();
  // Still paused: the next held action is the client's close of the data connection (the STREAM EOF).
  expect(await held(gate)).toBe('dataClose');
  const finsBefore = recorder.events.filter((e) => e.type === 'tcp.fin' && e.channel === 'data').length;
  expect(finsBefore).toBe(0);
  gate.resume();
  expect((await session).ok).toBe(true);
});

it('a breakpoint on an event type (data FIN) pauses the client at its next action', async () => {
  const gate = new StepGate({ breakpoints: { events: ['tcp.fin:data'] } });
  const session = runClientSession({ server: server.address, steps, recorder, gate });
  expect(await held(gate)).toBe('QUIT');
  expect(gate.paused).toBe(true);
  expect(recorder.events.some((e) => e.type === 'tcp.fin' && e.channel === 'data')).toBe(true);
  gate.resume();
  expect((await session).ok).toBe(true);
});

describe('the gate alone', () => {
  /** A FIN as one end records it: `side` is the sender (as in every tcp.fin), `dir` whose record it is. */
  const fin = (seq: number, side: 'client' | 'server', dir: 'sent' | 'received'): TraceEvent => ({ seq, t: seq, type: 'tcp.fin', side, dir, channel: 'data', conn: 'D1' });

  it('holds the sides it holds, oldest first; a side it does not hold never waits', async () => {
    const gate = new StepGate({ paused: true, holds: ['server'] });
    let clientWent = false;
    await gate.wait({ side: 'client', action: 'command', line: 'NOOP' }).then(() => (clientWent = true));
    expect(clientWent).toBe(true);
    const order: string[] = [];
    const a = gate.wait({ side: 'server', action: 'reply', code: 150, line: '150 Opening' }).then(() => order.push('150'));
    const b = gate.wait({ side: 'server', action: 'dataClose' }).then(() => order.push('close'));
    expect(gate.waiting).toMatchObject({ code: 150 });
    gate.step();
    await a;
    expect(order).toEqual(['150']);
    expect(gate.waiting).toMatchObject({ action: 'dataClose' });
    gate.step();
    await b;
    expect(order).toEqual(['150', 'close']);
  });

  it('a reply-code breakpoint pauses before that reply, not before others', async () => {
    const gate = new StepGate({ breakpoints: { codes: [226] } });
    await gate.wait({ side: 'server', action: 'reply', code: 150, line: '150 x' });
    expect(gate.paused).toBe(false);
    let sent = false;
    const held = gate.wait({ side: 'server', action: 'reply', code: 226, line: '226 x' }).then(() => (sent = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toBe(false);
    expect(gate.paused).toBe(true);
    gate.resume();
    await held;
    expect(sent).toBe(true);
  });

  it('an event breakpoint stops once per wire event: the FIN recorded by its sender and by its receiver is one stop', () => {
    const gate = new StepGate({ breakpoints: { events: ['tcp.fin:data'] } });
    gate.observe(fin(1, 'client', 'sent'));
    expect(gate.paused).toBe(true);
    gate.resume();
    // The server's record of receiving that same FIN: no second stop.
    gate.observe(fin(2, 'client', 'received'));
    expect(gate.paused).toBe(false);
    // The server's own FIN, which answers it, is a new wire event.
    gate.observe(fin(3, 'server', 'sent'));
    expect(gate.paused).toBe(true);
  });
});
