// A TCP socket whose every lifecycle event (connect, accept, FIN each way, RST, close) lands in the trace.
// All sockets are half-open capable, so a FIN is only ever sent because the protocol decided to send it.

import type { Socket } from 'node:net';
import type { TraceRecorder } from '../../core/trace/traceRecorder';
import type { Channel, CloseReason, Endpoint, Side } from '../../core/trace/traceEvent';
import type { ReadRouter } from './largeReads';
import { otherSide } from '../../core/trace/sides';
import { plainHost } from '../../core/protocol/hostPort';

export interface TraceContext {
  readonly recorder: TraceRecorder;
  readonly side: Side;
  readonly session?: number;
}

export function localOf(socket: Socket): Endpoint {
  return { host: plainHost(socket.localAddress ?? ''), port: socket.localPort ?? 0 };
}

export function remoteOf(socket: Socket): Endpoint {
  return { host: plainHost(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 };
}

export interface TracedSocketEvents {
  /** The peer sent FIN: no more bytes will come. */
  onPeerEnd?(): void;
  /** The socket is fully closed. `reset` if the peer reset it. */
  onClose?(info: { reset: boolean; error?: Error }): void;
}

/**
 * Wraps an established socket. `how` says whether this side connected or accepted, so the trace
 * records the right one; the connection id is shared with the other side when it is in this process.
 */
export class TracedSocket {
  readonly conn: string;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  #finSent = false;
  /**
   * What a FIN from the peer would mean right now, as far as this side knows: set to 'eof' while a
   * STREAM-mode receive is under way, so a one-sided trace still says why the peer closed.
   */
  peerCloseMeaning: CloseReason | undefined;
  #peerEnded = false;
  #reset = false;
  #closed = false;
  /**
   * Runs when the peer's FIN arrives, just before it is recorded: a receiver records the bytes that FIN
   * ends first, so the trace keeps the wire's order (data, then FIN) on the receiving side too.
   */
  beforePeerFin: (() => void) | undefined;
  /** Told when the peer's FIN has arrived and been recorded. */
  onPeerFin: (() => void) | undefined;

  constructor(
    readonly socket: Socket,
    readonly channel: Channel,
    readonly traceContext: TraceContext,
    how: { kind: 'connect' } | { kind: 'accept'; listener?: string },
    events: TracedSocketEvents = {},
    /** Where the socket's reads go when it was made with large reads (largeReads.ts). */
    readonly reads?: ReadRouter,
  ) {
    this.local = localOf(socket);
    this.remote = remoteOf(socket);
    this.conn = traceContext.recorder.claimConnection(channel, this.local, this.remote);
    const base = { side: traceContext.side, channel, conn: this.conn, local: this.local, remote: this.remote, ...this.#session() };
    if (how.kind === 'connect') traceContext.recorder.record({ type: 'tcp.connect', ...base });
    else traceContext.recorder.record({ type: 'tcp.accept', ...base, ...(how.listener ? { listener: how.listener } : {}) });

    socket.on('end', () => {
      this.#peerEnded = true;
      this.beforePeerFin?.();
      this.beforePeerFin = undefined;
      const reason = this.#finSent ? 'peer-closed' : this.peerCloseMeaning;
      this.#record({ type: 'tcp.fin', side: otherSide(traceContext.side), dir: 'received', ...(reason ? { reason } : {}) });
      events.onPeerEnd?.();
      this.onPeerFin?.();
    });
    let error: Error | undefined;
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err;
      if (err.code === 'ECONNRESET' && !this.#reset) {
        this.#reset = true;
        this.#record({ type: 'tcp.rst', side: otherSide(traceContext.side), dir: 'received' });
      }
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#record({ type: 'tcp.close', side: traceContext.side });
      traceContext.recorder.releaseConnection(channel, this.local, this.remote);
      events.onClose?.({ reset: this.#reset, ...(error ? { error } : {}) });
    });
  }

  get peerEnded(): boolean {
    return this.#peerEnded;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get finSent(): boolean {
    return this.#finSent;
  }

  /**
   * Sends FIN after any queued bytes: this side has nothing more to say. `onSent` runs once the FIN is out
   * and recorded (not if the socket was already closed, or breaks first).
   */
  end(reason: CloseReason, onSent?: () => void): void {
    if (this.#finSent || this.#closed || this.socket.destroyed) return;
    this.#finSent = true;
    this.socket.end((error?: Error | null) => {
      // An error instead of 'finish': the connection broke first, and its reset or close is what gets recorded.
      if (error) return;
      this.#record({ type: 'tcp.fin', side: this.traceContext.side, dir: 'sent', reason });
      onSent?.();
    });
  }

  /**
   * Closes at once without the bytes still queued in this process: the kernel sends what it already
   * holds, then FIN. Nothing more is read, so the peer's own FIN is not seen.
   */
  closeDiscardingQueued(reason: CloseReason): void {
    if (this.#finSent || this.#closed || this.socket.destroyed) return;
    this.#finSent = true;
    this.#record({ type: 'tcp.fin', side: this.traceContext.side, dir: 'sent', reason });
    this.socket.destroy();
  }

  /** Drops the connection at once with RST: queued bytes are discarded (used for ABOR and refusals). */
  reset(reason: CloseReason): void {
    if (this.#closed || this.socket.destroyed) return;
    this.#reset = true;
    this.#record({ type: 'tcp.rst', side: this.traceContext.side, dir: 'sent', reason });
    this.socket.resetAndDestroy();
  }

  #session() {
    return this.traceContext.session !== undefined ? { session: this.traceContext.session } : {};
  }

  #record(event: { type: 'tcp.fin' | 'tcp.rst'; side: Side; dir: 'sent' | 'received'; reason?: CloseReason } | { type: 'tcp.close'; side: Side }) {
    this.traceContext.recorder.record({ ...event, channel: this.channel, conn: this.conn, ...this.#session() } as never);
  }
}
