// The step gate holds a live client between its actions: sockets really wait, nothing is replayed.

import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFtpServer, type FtpServer } from '../../../main/session/ftpServer';
import { runClientSession } from '../../../main/session/clientSession';
import { StepGate } from '../../../main/session/stepGate';
import { createMemoryStore } from '../../../main/store/memoryStore';
import { TraceRecorder } from '../../../core/trace/traceRecorder';
import type { ClientStep } from '../../../core/machines/clientSession.context';
import type { FtpCommandEvent, TraceEvent } from '../../../core/trace/traceEvent';
import { trackHandles } from '../../support/leaks';
import { openRawControl } from '../../helpers/rawControl';
import { formatPortArgument, parsePasvReply } from '../../../core/protocol/hostPort';

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
  const fin = (seq: number, side: 'client' | 'server', dir: 'sent' | 'received'): TraceEvent => ({
    seq,
    t: seq,
    type: 'tcp.fin',
    side,
    dir,
    channel: 'data',
    conn: 'D1',
  });

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

describe('the gate holding the built-in server', () => {
  it("the machine's timers stand still while a reply is held: a long pause at 150 does not time the transfer out", async () => {
    const gate = new StepGate({ holds: ['server'] });
    const held = await startFtpServer({ store: createMemoryStore(), anonymous: true, loginDelayMs: 10, dataTimeoutMs: 300, gate });
    const listener = net.createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const received = new Promise<number>((resolve) =>
      listener.once('connection', (s) => {
        let n = 0;
        s.on('data', (c: Buffer) => (n += c.length));
        s.on('end', () => (s.end(), resolve(n)));
      }),
    );
    const ctl = await openRawControl(held.address.port);
    try {
      expect((await ctl.reply()).code).toBe(220);
      expect((await ctl.command('USER anonymous')).code).toBe(331);
      expect((await ctl.command('PASS x')).code).toBe(230);
      expect((await ctl.command(`PORT ${formatPortArgument({ host: '127.0.0.1', port: (listener.address() as net.AddressInfo).port })}`)).code).toBe(200);
      gate.pause();
      ctl.send('RETR /pub/hello.txt');
      // Held at the 150 for three data timeouts: the server must not give up on the transfer meanwhile.
      await new Promise((r) => setTimeout(r, 900));
      expect(gate.waiting).toMatchObject({ side: 'server', code: 150 });
      gate.resume();
      expect((await ctl.reply(3000)).code).toBe(150);
      expect((await ctl.reply(3000)).code).toBe(226);
      expect(await received).toBeGreaterThan(0);
    } finally {
      await ctl.close();
      listener.close();
      await held.close();
    }
  });

  it('while the gate holds our own client before its next command, the server does not time the session out as idle', async () => {
    const gate = new StepGate();
    const held = await startFtpServer({ store: createMemoryStore(), anonymous: true, loginDelayMs: 10, idleTimeoutMs: 300, gate });
    const ctl = await openRawControl(held.address.port);
    try {
      expect((await ctl.reply()).code).toBe(220);
      // The client of a live run, held before its next command for three idle timeouts (a teacher explaining).
      gate.pause();
      const client = gate.wait({ side: 'client', action: 'command', line: 'NOOP' });
      await new Promise((r) => setTimeout(r, 1000));
      gate.resume();
      await client;
      expect((await ctl.command('NOOP')).code).toBe(200);
    } finally {
      await ctl.close();
      await held.close();
    }
  });

  it('ABOR with a kept-open data connection (MODE B): the server is held before closing it, as before any close of its own', async () => {
    const gate = new StepGate({ holds: ['server'] });
    const trace = new TraceRecorder(() => performance.now());
    const held = await startFtpServer({ store: createMemoryStore(), anonymous: true, loginDelayMs: 10, recorder: trace, gate });
    const ctl = await openRawControl(held.address.port);
    const data = new net.Socket();
    try {
      expect((await ctl.reply()).code).toBe(220);
      expect((await ctl.command('USER anonymous')).code).toBe(331);
      expect((await ctl.command('PASS x')).code).toBe(230);
      expect((await ctl.command('MODE B')).code).toBe(200);
      const port = parsePasvReply((await ctl.command('PASV')).text)!.port;
      data.on('data', () => undefined).on('error', () => undefined);
      await new Promise((resolve) => data.connect(port, '127.0.0.1', () => resolve(undefined)));
      expect((await ctl.command('RETR /pub/hello.txt')).code).toBe(150);
      expect((await ctl.reply()).code).toBe(250);
      gate.pause();
      ctl.send('ABOR');
      await expect.poll(() => gate.waiting).toMatchObject({ side: 'server', action: 'dataClose' });
      const serverDataFin = () => trace.events.some((e) => e.type === 'tcp.fin' && e.channel === 'data' && e.side === 'server');
      expect(serverDataFin()).toBe(false);
      gate.resume();
      expect((await ctl.reply(3000)).code).toBe(226);
      await expect.poll(serverDataFin).toBe(true);
    } finally {
      data.destroy();
      await ctl.close();
      await held.close();
    }
  });

  it('what a session that has ended had at the gate leaves it: the next session is not held behind a dead reply', async () => {
    const gate = new StepGate({ holds: ['server'] });
    const held = await startFtpServer({ store: createMemoryStore(), anonymous: true, loginDelayMs: 10, gate });
    try {
      const a = await openRawControl(held.address.port);
      expect((await a.reply()).code).toBe(220);
      gate.pause();
      a.send('NOOP');
      await expect.poll(() => gate.waiting?.line).toBe('200 NOOP ok.');
      await a.close();
      await expect.poll(() => gate.waiting).toBeUndefined();
      const b = await openRawControl(held.address.port);
      await expect.poll(() => gate.waiting?.line).toBe('220 FTP Lab server ready.');
      gate.step();
      expect((await b.reply()).code).toBe(220);
      await b.close();
    } finally {
      gate.resume();
      await held.close();
    }
  });
});
