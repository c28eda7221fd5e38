// The step gate holds a live client between its actions: sockets really wait, nothing is replayed.

import { afterEach, beforeEach, expect, it } from 'vitest';
import { startFtpServer, type FtpServer } from '../../../main/session/ftpServer';
import { runClientSession } from '../../../main/session/clientSession';
import { StepGate } from '../../../main/session/stepGate';
import { createMemoryStore } from '../../../main/store/memoryStore';
import { TraceRecorder } from '../../../core/trace/traceRecorder';
import type { ClientStep } from '../../../core/machines/clientSession.context';
import type { FtpCommandEvent } from '../../../core/trace/traceEvent';
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
