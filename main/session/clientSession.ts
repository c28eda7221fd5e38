// Runs one client session: connects the control socket, wires the client machine to real sockets and
// the step gate, and resolves with what the machine concluded once every socket is closed.

import { createActor, fromPromise, toPromise } from 'xstate';
import { clientSessionMachine, type ClientOutput, type GateRequest } from '../../core/machines/clientSession.machine';
import type { ClientStep } from '../../core/machines/clientSession.context';
import type { TraceRecorder } from '../../core/trace/traceRecorder';
import type { Endpoint } from '../../core/trace/traceEvent';
import { clientControlActor } from '../net/controlChannel';
import { dataChannelActor } from '../net/dataChannel';
import { generatedContent } from './generatedContent';
import { hashSink } from './hashSink';
import { connectControl } from '../net/controlSockets';
import { stateTracer } from './stateTrace';
import type { StepGate } from './stepGate';

export interface ClientSessionOptions {
  readonly server: Endpoint;
  readonly steps: readonly ClientStep[];
  readonly extended?: boolean;
  readonly recorder: TraceRecorder;
  readonly gate?: StepGate;
  readonly revealPasswords?: boolean;
  readonly connectTimeoutMs?: number;
  /** Give up on a session that stops making progress (a server that never answers). */
  readonly sessionTimeoutMs?: number;
  /** Ends the session at once (the user pressed stop): sockets are closed, the output says so. */
  readonly signal?: AbortSignal;
  readonly now?: () => number;
}

export async function runClientSession(options: ClientSessionOptions): Promise<ClientOutput> {
  const now = options.now ?? (() => performance.now());
  const trace = { recorder: options.recorder, side: 'client' as const };
  let control;
  try {
    control = await connectControl(trace, options.server, options.connectTimeoutMs ?? 10_000);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { ok: false, failure: `Could not connect to ${options.server.host}:${options.server.port}: ${e.code ?? e.message}.`, transfers: [] };
  }
  const gate = options.gate;
  const unobserve = gate ? options.recorder.subscribe((event) => gate.observe(event)) : undefined;
  const machine = clientSessionMachine.provide({
    actors: {
      control: clientControlActor(control, { revealPasswords: options.revealPasswords ?? false }),
      dataChannel: dataChannelActor({
        trace,
        controlLocal: control.local,
        controlPeer: control.remote,
        now,
        connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
        // The client uploads generated content, so any scenario runs against any server.
        openSource: async (source) => {
          if (source.kind !== 'generated') throw new Error('the client uploads generated content only');
          return { kind: 'stream', stream: generatedContent(source) };
        },
        openSink: async () => hashSink(),
      }),
      gate: fromPromise<void, GateRequest>(({ input }) => (gate ? gate.wait({ side: 'client', ...input }) : Promise.resolve())),
    },
  });
  const actor = createActor(machine, {
    input: { steps: options.steps, extended: options.extended ?? false, controlLocal: control.local, controlPeer: control.remote },
    inspect: stateTracer(options.recorder, 'client', 'client'),
  });
  const closed = new Promise<void>((resolve) => (control.closed ? resolve() : control.socket.once('close', () => resolve())));
  actor.start();
  const timeoutMs = options.sessionTimeoutMs ?? 0;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ClientOutput>((resolve) => {
    if (timeoutMs > 0) timer = setTimeout(() => resolve({ ok: false, failure: `The session made no progress for ${timeoutMs} ms.`, transfers: [] }), timeoutMs);
  });
  const stopped = new Promise<ClientOutput>((resolve) => {
    const stop = () => resolve({ ok: false, failure: 'The session was stopped.', transfers: [] });
    if (options.signal?.aborted) stop();
    options.signal?.addEventListener('abort', stop, { once: true });
  });
  const output = await Promise.race([toPromise(actor), timeout, stopped]);
  clearTimeout(timer);
  actor.stop();
  await closed;
  unobserve?.();
  return output;
}
