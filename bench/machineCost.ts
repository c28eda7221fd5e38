// The server session machine alone, per small file: events, microsteps and microseconds for ftplib's loop
// (TYPE I, PASV, connect, RETR) with the world played by synchronous fakes (no sockets, no store, no trace).
// Run in a child process of its own (bench/run.ts, phase `machine`) so the JIT sees nothing else.
//
//   node --import tsx bench/machineCost.ts [FILES]   prints one JSON line

import { createActor, type InspectionEvent } from 'xstate';
import { serverSessionMachine, type ServerEvent } from '../core/machines/serverSession.machine';
import { parseRequest } from '../core/protocol/serverRequest';
import { TraceRecorder } from '../core/trace/traceRecorder';
import { stateTracer } from '../main/session/stateTrace';

export interface MachineCostResult {
  files: number;
  eventsPerFile: number;
  microstepsPerFile: number;
  inspectionEventsPerFile: number;
  /** µs per file with no inspector attached. */
  usPerFile: number;
  /** µs per file with the state tracer recording state events (as `ftp-lab serve` runs it). */
  usPerFileWithStates: number;
}

const local = { host: '127.0.0.1', port: 2121 };
const peer = { host: '127.0.0.1', port: 50000 };
const config = { accounts: [], anonymous: true, loginDelayMs: 0, maxLoginFailures: 3, dataTimeoutMs: 10_000 };

/** Runs `files` small RETRs through one session; the fakes answer each order on the next microtask, as sockets answer later. */
async function run(files: number, inspect?: (event: InspectionEvent) => void): Promise<number> {
  let waiting: { code: number; done: () => void } | undefined;
  const actor = createActor(serverSessionMachine, { input: { local, peer, config }, ...(inspect ? { inspect } : {}) });
  const later = (event: ServerEvent) => queueMicrotask(() => actor.send(event));
  actor.on('reply', (e) => {
    if (waiting && e.code === waiting.code) waiting.done();
  });
  actor.on('file.request', (e) =>
    later({
      type: 'file.done',
      request: e.request,
      result: { ok: true, path: 'path' in e.request ? e.request.path : '/', info: { name: 'f', path: '/f', kind: 'file', size: 1024, modifiedMs: 0 } },
    }),
  );
  actor.on('data.order', ({ order }) => {
    if (order.type === 'listen') later({ type: 'data.listening', local: { host: '127.0.0.1', port: 40000 } });
    else if (order.type === 'send') later({ type: 'data.sent', bytes: 1024 });
    else if (order.type === 'close') {
      later({ type: 'data.finSent', bytes: 1024 });
      later({ type: 'data.closed', bytes: 1024 });
    }
  });
  actor.start();
  const command = (line: string, code: number) =>
    new Promise<void>((done) => {
      waiting = { code, done };
      actor.send({ type: 'control.command', request: parseRequest(line) });
    });
  await command('USER anonymous', 331);
  await command('PASS x', 230);
  const t0 = performance.now();
  for (let i = 0; i < files; i++) {
    await command('TYPE I', 200);
    await command('PASV', 227);
    actor.send({ type: 'data.connected', local: { host: '127.0.0.1', port: 40000 }, remote: { host: '127.0.0.1', port: 50001 } });
    await command(`RETR f${i % 300}.bin`, 226);
  }
  const us = ((performance.now() - t0) * 1000) / files;
  actor.stop();
  return us;
}

export async function measureMachine(files: number): Promise<MachineCostResult> {
  // Counted once, with an inspector that only counts (the root actor's events and microsteps).
  let events = 0;
  let microsteps = 0;
  let inspections = 0;
  await run(files, (e) => {
    inspections += 1;
    if (e.actorRef.sessionId !== e.rootId) return;
    if (e.type === '@xstate.event') events += 1;
    if (e.type === '@xstate.microstep') microsteps += 1;
  });
  // Timed after a warm-up, without and with the state tracer.
  await run(files);
  const usPerFile = await run(files);
  const recorder = new TraceRecorder(() => performance.now(), { retain: false });
  await run(files, stateTracer(recorder, 'server', 'server'));
  const usPerFileWithStates = await run(files, stateTracer(recorder, 'server', 'server'));
  // Login's own events are in the counts; they are spread over many files.
  return {
    files,
    eventsPerFile: events / files,
    microstepsPerFile: microsteps / files,
    inspectionEventsPerFile: inspections / files,
    usPerFile,
    usPerFileWithStates,
  };
}

if (process.argv[1]?.endsWith('machineCost.ts')) {
  const files = Number(process.argv[2] ?? 3000);
  console.log(JSON.stringify(await measureMachine(files)));
}
