// The bench's floor for "the machine and the full trace on" (issue 10): the least a server could do per small
// file and still decide its replies in an XState machine and record the trace ftp-lab serve records.
// leanResponder.ts --floor drives it: every reply code comes from this machine, every wire event and state
// change goes through ftp-lab's own TraceRecorder to a trace file (TraceFileWriter, flushed 200 ms after a
// burst, as serve does) and the serve transcript's writer. What it leaves out is everything that makes
// ftp-lab a teaching server (the command table, the store's confinement, the data connection's kinds,
// modes, gates): so a server slower than this row pays for those, and one at this row cannot go faster
// with XState and the trace as they are.

import { assign, createActor, emit, setup } from 'xstate';
import { TraceRecorder } from '../core/trace/traceRecorder';
import { TranscriptWriter } from '../core/trace/transcript';
import type { Endpoint, TraceEventInput } from '../core/trace/traceEvent';
import { stateTracer } from '../main/session/stateTrace';
import { TraceFileWriter } from '../main/session/traceFileWriter';

/** The reply each verb of ftplib's loop gets (the rest: 502). */
const REPLY_CODES: Readonly<Record<string, number>> = { USER: 331, PASS: 230, TYPE: 200, PASV: 227, EPSV: 229, RETR: 150, QUIT: 221 };

type FloorEvent = { type: 'command'; verb: string } | { type: 'listening' } | { type: 'connected' } | { type: 'finSent' } | { type: 'closed' };

/** The session as two regions, as ftp-lab's server machine has: the control dialogue and the data connection. */
const floorMachine = setup({
  types: { events: {} as FloorEvent, context: {} as { transfers: number }, emitted: {} as { type: 'reply'; code: number } },
}).createMachine({
  id: 'floor',
  type: 'parallel',
  context: { transfers: 0 },
  states: {
    session: {
      initial: 'idle',
      states: {
        idle: {
          on: {
            command: [
              { guard: ({ event }) => event.verb === 'RETR', target: 'transfer', actions: emit({ type: 'reply', code: 150 }) },
              { actions: emit(({ event }) => ({ type: 'reply' as const, code: REPLY_CODES[event.verb] ?? 502 })) },
            ],
          },
        },
        transfer: {
          on: {
            finSent: { target: 'idle', actions: [assign({ transfers: ({ context }) => context.transfers + 1 }), emit({ type: 'reply', code: 226 })] },
          },
        },
      },
    },
    data: {
      initial: 'none',
      states: {
        none: { on: { listening: 'listening' } },
        listening: { on: { connected: 'open' } },
        open: { on: { finSent: 'halfClosed' } },
        halfClosed: { on: { closed: 'listening' } },
      },
    },
  },
});

export interface FloorSession {
  /** The machine's reply code for a command line (recorded as received first). */
  command(verb: string, line: string): number;
  /** The reply as it goes out (recorded). */
  replied(code: number, text: string): void;
  listening(local: Endpoint): void;
  accepted(local: Endpoint, remote: Endpoint): void;
  /** The file went out and our FIN with it: the machine's reply (226). */
  sent(bytes: number, durationMs: number): number;
  peerFin(): void;
  closed(): void;
}

export interface FloorTrace {
  session(): FloorSession;
  close(): Promise<void>;
}

/** One recorder, trace file and transcript for the process, as `ftp-lab serve` has. */
export function floorTrace(file: string): FloorTrace {
  const recorder = new TraceRecorder(() => performance.now(), { retain: false });
  const writer = new TraceFileWriter(file, { createdAt: new Date().toISOString(), tool: 'bench floor', title: 'floor', passwordsMasked: true });
  let pendingSave: NodeJS.Timeout | undefined;
  recorder.subscribe((event) => {
    writer.append([event]);
    pendingSave ??= setTimeout(() => {
      pendingSave = undefined;
      void writer.flush();
    }, 200);
  });
  // The transcript's lines are made per event and dropped in batches (serve prints them to stdout).
  const transcript = new TranscriptWriter(new Set(['server' as const]));
  let lines: string[] = [];
  recorder.subscribe((event) => {
    const line = transcript.line(event);
    if (line !== undefined) lines.push(line);
  });
  setInterval(() => (lines = []), 50).unref();
  let sessions = 0;
  return {
    session() {
      const session = ++sessions;
      const actor = createActor(floorMachine, { inspect: stateTracer(recorder, 'server', 'server', session) });
      let code = 0;
      actor.on('reply', (e) => (code = e.code));
      actor.start();
      const decide = (event: FloorEvent) => {
        code = 0;
        actor.send(event);
        return code;
      };
      const record = (input: Omit<TraceEventInput, 'side' | 'session'> & Record<string, unknown>) =>
        recorder.record({ ...input, side: 'server', session } as TraceEventInput);
      let data = 0;
      return {
        command(verb, line) {
          record({ type: 'ftp.command', dir: 'received', channel: 'control', conn: 'C1', verb, line });
          return decide({ type: 'command', verb });
        },
        replied(replyCode, text) {
          record({ type: 'ftp.reply', dir: 'sent', channel: 'control', conn: 'C1', code: replyCode, lines: [text] });
        },
        listening(local) {
          record({ type: 'tcp.listen', channel: 'data', listener: 'L1', local });
          decide({ type: 'listening' });
        },
        accepted(local, remote) {
          data += 1;
          record({ type: 'tcp.accept', channel: 'data', conn: `D${data}`, listener: 'L1', local, remote });
          decide({ type: 'connected' });
        },
        sent(bytes, durationMs) {
          const conn = `D${data}`;
          record({
            type: 'data.transfer',
            channel: 'data',
            conn,
            dir: 'sent',
            bytes,
            mode: 'S',
            representation: 'I',
            complete: true,
            durationMs,
            command: 'RETR',
          });
          record({ type: 'tcp.fin', channel: 'data', conn, dir: 'sent', reason: 'eof' });
          return decide({ type: 'finSent' });
        },
        peerFin() {
          record({ type: 'tcp.fin', channel: 'data', conn: `D${data}`, dir: 'received' });
        },
        closed() {
          record({ type: 'tcp.close', channel: 'data', conn: `D${data}` });
          decide({ type: 'closed' });
        },
      };
    },
    async close() {
      clearTimeout(pendingSave);
      await writer.close();
    },
  };
}
