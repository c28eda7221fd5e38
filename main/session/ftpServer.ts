// The FTP server: accepts control connections and runs one server-session machine per connection,
// wired to real sockets and a file store, every step recorded in the trace.

import { createActor, type Actor } from 'xstate';
import { serverSessionMachine, type ServerEvent } from '../../core/machines/serverSession.machine';
import type { Account, ServerConfig } from '../../core/machines/serverSession.context';
import { TraceRecorder } from '../../core/trace/traceRecorder';
import type { Endpoint } from '../../core/trace/traceEvent';
import { listenControl, type ControlListener } from '../net/controlSockets';
import { ServerControlChannel } from '../net/controlChannel';
import { DataChannel } from '../net/dataChannel';
import { PassivePortPicker, type PassivePortRange } from '../net/passivePorts';
import type { TracedSocket } from '../net/tracedSocket';
import type { FileStore } from '../store/fileStore';
import { openStoreSink, openStoreSource, performFileAction, readSmallSource } from './storeFileActions';
import { stateTracer } from './stateTrace';
import { heldClock, ServerOutbox } from './serverOutbox';
import type { StepGate } from './stepGate';

export interface FtpServerOptions {
  /** 127.0.0.1 unless told otherwise (security: design.md). */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly store: FileStore;
  readonly accounts?: readonly Account[];
  readonly anonymous?: boolean;
  readonly banner?: string;
  readonly loginDelayMs?: number;
  readonly maxLoginFailures?: number;
  readonly dataTimeoutMs?: number;
  /** Close a session that sends no command for this long (RFC 1123 §4.1.3.2: configurable, at least 5 minutes by default); 0 never. */
  readonly idleTimeoutMs?: number;
  /** Serve at most this many sessions at once; one more is greeted with 421 and closed (0 or absent: no limit). */
  readonly maxSessions?: number;
  /** At most this many sessions at once from one client address (as vsftpd's max_per_ip); 0 or absent: no limit. */
  readonly maxPerIp?: number;
  /** Listen for PASV/EPSV data connections on these ports only (inclusive), a random one each time; any free port without. */
  readonly passivePorts?: PassivePortRange;
  readonly revealPasswords?: boolean;
  /** One recorder for everything the server sees; sessions are numbered when `numberSessions` is set. */
  readonly recorder?: TraceRecorder;
  readonly numberSessions?: boolean;
  readonly now?: () => number;
  /** Hold each session before each reply and each close of its own data connections (the app's step-through). */
  readonly gate?: StepGate;
  /** Called when a session starts; the CLI prints it live. */
  readonly onSession?: (session: ServerSessionHandle) => void;
}

export interface ServerSessionHandle {
  readonly number: number;
  readonly peer: Endpoint;
  readonly actor: Actor<typeof serverSessionMachine>;
  readonly done: Promise<void>;
  /** Ends the session now: the machine stops, its sockets and listener are let go. */
  stop(): void;
  /** The server is stopping: the machine says so (426 for a transfer under way, 421) and closes. */
  shutdown(): void;
  /** Resolves once the session's data connections are all closed (ones still closing after it ended included). */
  dataClosed(): Promise<void>;
  /** Cuts the session's connections off with RST (recorded) and stops it: for a peer that would not close. */
  cutOff(): void;
}

export interface FtpServer {
  readonly address: Endpoint;
  readonly recorder: TraceRecorder;
  /** The sessions still running: one that ends is let go, with everything it held. */
  readonly sessions: readonly ServerSessionHandle[];
  /** Stops listening, ends every session (closing its sockets) and waits until they are gone. */
  close(): Promise<void>;
  /**
   * Stops as a server should on SIGTERM: no new connections; every session is told (426 for a transfer under
   * way, 421, the server's FIN) and recorded; whoever has not closed within `graceMs` is cut off with RST.
   */
  shutdown(graceMs?: number): Promise<void>;
}

/** How long a stopping server waits for its clients to close before it cuts them off: a second, so `serve` exits within 2 s. */
export const SHUTDOWN_GRACE_MS = 1000;

/** How long a data connection may go on closing after its session ended before the server cuts it off. */
export const SESSION_END_GRACE_MS = 5000;

/** RFC 1123 §4.1.3.2: an idle timeout, configurable, 5 minutes by default. */
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000;

/** Resolves when `promise` settles or after `ms`, whichever comes first; the timer goes as soon as either does. */
function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    elapsed,
  ]).finally(() => clearTimeout(timer));
}

/** The server has finished with this session (QUIT answered, 421 sent, or the machine stopped), whatever its sockets still do. */
function ended(session: ServerSessionHandle): boolean {
  const snapshot = session.actor.getSnapshot();
  return snapshot.status !== 'active' || snapshot.matches({ session: 'closing' }) || snapshot.matches({ session: 'closed' });
}

export async function startFtpServer(options: FtpServerOptions): Promise<FtpServer> {
  const now = options.now ?? (() => performance.now());
  const recorder = options.recorder ?? new TraceRecorder(now);
  const sessions = new Set<ServerSessionHandle>();
  let counter = 0;
  const passivePorts = options.passivePorts ? new PassivePortPicker(options.passivePorts) : undefined;

  const traceFor = () => {
    counter += 1;
    return { recorder, side: 'server' as const, ...(options.numberSessions ? { session: counter } : {}) };
  };

  // One configuration for every session, shared by reference (it never changes).
  const config: ServerConfig = {
    accounts: options.accounts ?? [],
    anonymous: options.anonymous ?? (options.accounts ?? []).length === 0,
    ...(options.banner ? { banner: options.banner } : {}),
    loginDelayMs: options.loginDelayMs ?? 2000,
    maxLoginFailures: options.maxLoginFailures ?? 3,
    dataTimeoutMs: options.dataTimeoutMs ?? 10_000,
    nowMs: () => Date.now(),
  };

  /**
   * Why a new connection from `host` is not served, if a limit says so. The sessions being served count: not one the
   * server has already ended (its 221 or 421 sent, a refused one included) while the client has yet to close its side.
   */
  const refusal = (host: string): string | undefined => {
    if (!options.maxSessions && !options.maxPerIp) return undefined;
    const live = [...sessions].filter((s) => !ended(s));
    if (options.maxSessions && live.length >= options.maxSessions) return `Too many sessions: this server takes ${options.maxSessions} at a time`;
    if (options.maxPerIp && live.filter((s) => s.peer.host === host).length >= options.maxPerIp)
      return `Too many sessions from ${host}: this server takes ${options.maxPerIp} at a time from one address`;
    return undefined;
  };

  const startSession = (traced: TracedSocket) => {
    const trace = traced.traceContext;
    const number = trace.session ?? counter;
    // A fault in carrying out one session's decision ends that session, never the server: it is recorded,
    // and the control connection is cut (XState would rethrow it outside any handler and stop the process).
    const contain = (what: () => void) => {
      try {
        what();
      } catch (error) {
        recorder.record({
          type: 'note',
          side: 'server',
          text: `Internal error, the session is cut off: ${(error as Error).message}`,
          ...(trace.session !== undefined ? { session: trace.session } : {}),
        });
        traced.reset('error');
      }
    };
    // The machine's decisions, carried out in the order it made them; a step gate may hold each reply and each
    // close of the server's own before it goes (and the machine's timers while it does).
    const outbox = new ServerOutbox(options.gate, contain);
    const refuse = refusal(traced.remote.host);
    const actor = createActor(serverSessionMachine, {
      input: { local: traced.local, peer: traced.remote, config, ...(refuse ? { refuse } : {}) },
      inspect: stateTracer(recorder, 'server', 'server', trace.session),
      ...(options.gate ? { clock: heldClock(outbox) } : {}),
    });
    // What the sockets and the store report goes to the machine while it runs; after that, nowhere.
    let running = true;
    const report = (event: ServerEvent) => {
      // While the step gate holds anything (this session's reply, our own client before its next command, another
      // session), the class is paused: that is not a client abandoning its session.
      if (event.type === 'control.idle' && (outbox.holding || options.gate?.waiting !== undefined)) return;
      if (running) actor.send(event);
    };
    const control = new ServerControlChannel(
      traced,
      { revealPasswords: options.revealPasswords ?? false, idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS },
      report,
    );
    const data = new DataChannel(
      {
        trace,
        controlLocal: traced.local,
        controlPeer: traced.remote,
        now,
        connectTimeoutMs: options.dataTimeoutMs ?? 10_000,
        // The server's data port is L-1 (959 §3.2, §5.2): 2120 for a server on 2121, 20 for 21.
        ...(traced.local.port > 1 ? { preferredLocalPort: traced.local.port - 1 } : {}),
        ...(passivePorts ? { passivePorts } : {}),
        keepListener: true,
        openSource: (source) => openStoreSource(options.store, source),
        readSmall: (source) => readSmallSource(options.store, source),
        openSink: (sink) => openStoreSink(options.store, sink),
      },
      report,
    );
    actor.on('reply', (e) =>
      outbox.push(() => control.reply(e.code, e.lines), { side: 'server', action: 'reply', code: e.code, line: `${e.code} ${e.lines.join(' ')}` }),
    );
    actor.on('control.close', (e) => outbox.push(() => control.close(e.reason)));
    actor.on('data.order', (e) => {
      // The server closing its own data connection waits at the gate: a close, an abort, or a reset with a connection up
      // (ABOR, QUIT, a failed transfer, a new PASV); a reset with nothing to close is no step of its own.
      const closes = e.order.type === 'close' || e.order.type === 'abort' || (e.order.type === 'reset' && data.connected);
      outbox.push(() => data.handle(e.order), closes ? { side: 'server', action: 'dataClose' } : undefined);
    });
    // Questions the store answers at once come back at once (in the same turn: no promise round trip).
    actor.on('file.request', (e) =>
      contain(() => {
        const result = performFileAction(options.store, e.request);
        if (result instanceof Promise) void result.then((r) => report({ type: 'file.done', request: e.request, result: r }));
        else report({ type: 'file.done', request: e.request, result });
      }),
    );
    const done = new Promise<void>((resolve) => {
      // The session is over when its machine is done and its control socket is closed.
      let machineDone = false;
      let socketClosed = traced.closed;
      const check = () => machineDone && socketClosed && resolve();
      actor.subscribe({
        complete: () => {
          machineDone = true;
          check();
        },
        error: () => {
          machineDone = true;
          check();
        },
      });
      traced.socket.once('close', () => {
        socketClosed = true;
        check();
      });
    });
    const stop = () => {
      if (!running) return;
      running = false;
      outbox.close();
      actor.stop();
      data.dispose();
      control.release();
    };
    const handle: ServerSessionHandle = {
      number,
      peer: traced.remote,
      actor,
      done,
      stop,
      shutdown: () => report({ type: 'server.shutdown' }),
      dataClosed: () => data.whenClosed(),
      cutOff: () => {
        data.cut('shutdown');
        traced.reset('shutdown');
        stop();
      },
    };
    sessions.add(handle);
    // The session stays the server's until its data connections have closed too: a client that never closes its side
    // of one (after QUIT, say) is cut off after a grace, so nothing lingers and a stopping server sees it.
    void done
      .then(() => {
        stop();
        return settledWithin(data.whenClosed(), SESSION_END_GRACE_MS).then(() => data.cut('quit'));
      })
      .then(() => sessions.delete(handle));
    actor.start();
    options.onSession?.(handle);
  };

  const listener: ControlListener = await listenControl(options.host ?? '127.0.0.1', options.port ?? 0, traceFor, startSession);

  return {
    address: listener.local,
    recorder,
    get sessions() {
      return [...sessions];
    },
    async close() {
      await Promise.all([
        listener.close(),
        ...[...sessions].map(async (s) => {
          s.stop();
          await s.done;
        }),
      ]);
    },
    async shutdown(graceMs = SHUTDOWN_GRACE_MS) {
      const closing = listener.close();
      const live = [...sessions];
      for (const s of live) s.shutdown();
      // Over when every session has ended and its data connections have closed, or when the grace is up.
      const ended = Promise.all(live.map((s) => s.done.then(() => s.dataClosed())));
      await settledWithin(ended, graceMs);
      for (const s of live) s.cutOff();
      await Promise.all([closing, ended]);
    },
  };
}
