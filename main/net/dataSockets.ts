// Opening data connections: listeners that admit only the expected peer (the server's one per session,
// armed for one connection per PASV/EPSV; the client's one-shot one for PORT/EPRT), and a connect that tries
// a preferred local port first (the server's L-1, 959 §3.2) and falls back to any port.

import net from 'node:net';
import type { Endpoint } from '../../core/trace/traceEvent';
import { adoptWithLargeReads, ReadRouter } from './largeReads';
import type { PassivePortPicker } from './passivePorts';
import { localOf, remoteOf, TracedSocket, type TraceContext } from './tracedSocket';
import { plainHost } from '../../core/protocol/hostPort';

/** A data listener as its owner holds it: where it listens, its trace id, and how to stop it. */
export interface DataListener {
  readonly local: Endpoint;
  readonly listener: string;
  close(): void;
}

/**
 * A listener for passive data connections. Each `arm` admits exactly one connection, from the control
 * connection's peer; a connection from any other address, or one that nobody armed the listener for, is
 * refused at once and recorded (RFC 2577 §4, §8). A server keeps one for a whole control session, so that
 * each PASV/EPSV costs no socket, bind and listen of its own (the reply names the same port each time).
 */
export class PassiveListener implements DataListener {
  #armed: ((socket: TracedSocket) => void) | undefined;
  #closed = false;

  private constructor(
    private readonly server: net.Server,
    readonly local: Endpoint,
    readonly listener: string,
    /** Records that it stopped listening while a connection was still awaited (the trace has no other sign of it). */
    private readonly recordUnused: () => void,
  ) {}

  /** Listens on `host`: on a free port of `ports` (tried in a random order), or on any port (0) without a range. */
  static open(trace: TraceContext, host: string, expectedPeerHost: string, ports?: PassivePortPicker): Promise<PassiveListener> {
    return new Promise((resolve, reject) => {
      // Paused until it is known whose connection it is, and moved to a socket with large reads unread.
      const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
      const listener = trace.recorder.listenerId();
      const session = trace.session !== undefined ? { session: trace.session } : {};
      let self: PassiveListener | undefined;
      server.on('connection', (socket) => {
        socket.setNoDelay(true);
        const refuse = (reason: string) => {
          trace.recorder.record({
            type: 'tcp.refused',
            side: trace.side,
            channel: 'data',
            local: localOf(socket),
            remote: remoteOf(socket),
            reason,
            ...session,
          });
          socket.resetAndDestroy();
        };
        const from = plainHost(socket.remoteAddress ?? '?');
        if (from !== plainHost(expectedPeerHost))
          return refuse(
            `a data connection from ${from} is not from the control connection's peer ${plainHost(expectedPeerHost)}: closed at once (RFC 2577 §4)`,
          );
        const armed = self ? self.#armed : undefined;
        if (!self || !armed) return refuse(`a data connection from ${from} that no PASV or EPSV asked for: closed at once (RFC 2577 §8)`);
        self.#armed = undefined;
        const reads = new ReadRouter();
        const adopted = adoptWithLargeReads(socket, reads, { allowHalfOpen: true });
        if (adopted === socket) {
          // No large reads on this Node: undo pauseOnConnect, reading into the buffer until someone listens.
          // (Readable has a setter for it; Node's typings say read-only.)
          (socket as { readableFlowing: boolean | null }).readableFlowing = null;
          socket.read(0);
        }
        armed(new TracedSocket(adopted, 'data', trace, { kind: 'accept', listener }, {}, adopted === socket ? undefined : reads));
      });
      // A server whose listen() failed may listen again (Node's net docs): ports of the range are tried in
      // a random order until one is free; the taken ones are named in one trace note.
      const walk = ports?.walk();
      let port = walk ? walk.next() : 0;
      const taken: number[] = [];
      const onListenError = (error: NodeJS.ErrnoException) => {
        // EACCES: a port the system keeps for itself (Windows' excluded ranges); skipped like a taken one.
        if (!ports || !walk || (error.code !== 'EADDRINUSE' && error.code !== 'EACCES')) return reject(error);
        taken.push(port);
        // A server keeps one passive port per control session while it lasts: a range needs one per session.
        if (taken.length >= ports.size) return reject(new Error(`no port of the passive range ${ports.range.min}-${ports.range.max} is available`));
        port = walk.next();
        // The errors come back without a pause in between: on a large, nearly full range, let other sessions run now and then.
        if (taken.length % 256 === 0) setImmediate(() => server.listen({ host, port }));
        else server.listen({ host, port });
      };
      server.on('error', onListenError);
      server.listen({ host, port });
      server.once('listening', () => {
        server.off('error', onListenError);
        // Once listening, an error is a failed accept (EMFILE, ...): Node keeps listening, and so do we;
        // without a handler it would crash the process.
        server.on('error', () => undefined);
        if (taken.length > 0) {
          const named = taken.length <= 5 ? taken.join(', ') : `${taken.slice(0, 5).join(', ')} and ${taken.length - 5} more`;
          trace.recorder.record({
            type: 'note',
            side: trace.side,
            text: `Passive port${taken.length > 1 ? 's' : ''} ${named} ${taken.length > 1 ? 'are' : 'is'} not available; listening on ${port}.`,
            ...session,
          });
        }
        const address = server.address() as net.AddressInfo;
        const local = { host: plainHost(address.address), port: address.port };
        trace.recorder.record({ type: 'tcp.listen', side: trace.side, channel: 'data', listener, local, ...session });
        self = new PassiveListener(server, local, listener, () =>
          trace.recorder.record({ type: 'tcp.unlisten', side: trace.side, channel: 'data', listener, local, ...session }),
        );
        resolve(self);
      });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Admits the next connection from the peer (one only), handing it to `onConnection`. */
  arm(onConnection: (socket: TracedSocket) => void): void {
    this.#armed = onConnection;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // Closed while armed: the connection it was waiting for will now be refused (a client giving up after PORT,
    // a server's PASV that no transfer used). A listener that got its connections just goes, unrecorded.
    if (this.#armed) this.recordUnused();
    this.#armed = undefined;
    this.server.close();
  }
}

/** Listens for one data connection from `expectedPeerHost`, then stops listening (a client's PORT/EPRT listener). */
export async function listenOnce(
  trace: TraceContext,
  host: string,
  expectedPeerHost: string,
  onConnection: (socket: TracedSocket) => void,
  ports?: PassivePortPicker,
): Promise<DataListener> {
  const listener = await PassiveListener.open(trace, host, expectedPeerHost, ports);
  listener.arm((socket) => {
    listener.close();
    onConnection(socket);
  });
  return listener;
}

const BIND_FAILURES = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'EPERM']);

/**
 * Connects to `target`, from `localHost`:`preferredPort` when that port can be bound, else from any port.
 * The connection is recorded the moment it is up (in the 'connect' event, not a promise turn later), so
 * the trace has it before anything the peer does on it.
 */
export function connectData(
  trace: TraceContext,
  target: Endpoint,
  localHost: string,
  preferredPort: number | undefined,
  timeoutMs: number,
): Promise<TracedSocket> {
  const attempt = (localPort: number | undefined) =>
    new Promise<TracedSocket>((resolve, reject) => {
      const reads = new ReadRouter();
      const socket = net.connect({
        host: target.host,
        port: target.port,
        localAddress: localHost,
        ...(localPort ? { localPort } : {}),
        allowHalfOpen: true,
        ...reads.options(),
      });
      reads.attach(socket);
      const timer = setTimeout(
        () => socket.destroy(Object.assign(new Error(`no answer from ${target.host}:${target.port} within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
        timeoutMs,
      );
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new TracedSocket(socket, 'data', trace, { kind: 'connect' }, {}, reads));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  const record = (error: NodeJS.ErrnoException) =>
    trace.recorder.record({
      type: 'tcp.refused',
      side: trace.side,
      channel: 'data',
      remote: target,
      reason: `connect to ${target.host}:${target.port} failed: ${error.code ?? error.message}`,
      ...(trace.session !== undefined ? { session: trace.session } : {}),
    });
  return attempt(preferredPort)
    .catch((error: NodeJS.ErrnoException) => {
      if (preferredPort && BIND_FAILURES.has(error.code ?? '')) return attempt(undefined);
      throw error;
    })
    .catch((error: NodeJS.ErrnoException) => {
      record(error);
      throw error;
    });
}
