// The data channel for either side: listens (the side that waits) or connects (the side that dials),
// moves bytes between a source or sink and the socket, closes only when its session machine says so, and
// reports each step (listening, connected, sent, this side's FIN, the peer's FIN, closed) back to it.
// What differs between client and server — where bytes come from and go — is passed in.

import { fromCallback } from 'xstate';
import type { DataInputEvent, DataOutputEvent, DataSink, DataSource } from '../../core/machines/channelEvents';
import type { CloseReason, Endpoint } from '../../core/trace/traceEvent';
import { isStoreErrorCode } from '../../core/protocol/fileInfo';
import { connectData, listenOnce, PassiveListener, type DataListener } from './dataSockets';
import { DataConnection } from './data/dataConnection';
import type { TransferResult } from './data/transferContext';
import type { PassivePortPicker } from './passivePorts';
import type { TracedSocket, TraceContext } from './tracedSocket';
import type { TransferSink, TransferSource } from '../store/transferEnds';

/** A result's byte counts as the machine takes them: the file's own count only where the data connection reported one. */
const countsOf = (result: { bytes: number; fileBytes?: number }) => ({
  bytes: result.bytes,
  ...(result.fileBytes !== undefined ? { fileBytes: result.fileBytes } : {}),
});

/** A sink plus what can be said about the bytes once it has them all (the client hashes downloads). */
export type OpenedSink = TransferSink & {
  summary?(): { sha256?: string };
};

export interface DataChannelOptions {
  readonly trace: TraceContext;
  /** The control connection's ends: data listeners bind the same local address; only its peer may connect. */
  readonly controlLocal: Endpoint;
  readonly controlPeer: Endpoint;
  readonly now: () => number;
  readonly connectTimeoutMs: number;
  /** The local port to connect from when it can be bound (the server's L-1, 959 §3.2). */
  readonly preferredLocalPort?: number;
  /** Where to listen for passive data connections (a server's configured range); any free port without it. */
  readonly passivePorts?: PassivePortPicker;
  openSource(source: DataSource): Promise<TransferSource>;
  openSink(sink: DataSink): Promise<OpenedSink>;
  /**
   * The whole of a small source at once, synchronously (a small file, a listing), or undefined to use
   * openSource: a small STREAM download is then one write, with no stream and no thread-pool trip.
   */
  readSmall?(source: DataSource): Buffer | undefined;
  /**
   * Answer a FIN that arrives between transfers with this side's own at once (959 §5.2). The client's
   * machine leaves that to this channel; the server's data region decides it itself.
   */
  readonly closeWhenPeerClosesIdle?: boolean;
  /**
   * Keep one passive listener for the whole session: each `listen` arms it for one more connection and
   * the reply names the same port (a server; a client listens once per PORT, see 959 §3.3 on reusing ports).
   */
  readonly keepListener?: boolean;
}

export class DataChannel {
  // Each connection or listener belongs to a generation; whatever a replaced one reports later is
  // dropped, so a late close of an old connection is never mistaken for the current one.
  #generation = 0;
  /** Bumped by each transfer and by an abort: a file opened for a transfer that is no longer current is closed unused. */
  #transfer = 0;
  #listener: DataListener | undefined;
  #data: DataConnection | undefined;
  /** Connections let go that are still closing (their FIN exchange, an abort's grace period): a stopping server waits for them or cuts them. */
  #closing = new Set<DataConnection>();

  constructor(
    private readonly options: DataChannelOptions,
    private readonly report: (event: DataInputEvent) => void,
  ) {}

  #current(gen: number): boolean {
    return gen === this.#generation;
  }

  #adopt(traced: TracedSocket, gen: number): void {
    if (!this.#current(gen)) return traced.reset('replaced');
    const conn = new DataConnection(traced, this.options.now);
    this.#data = conn;
    traced.onPeerFin = () => {
      if (!this.#current(gen)) return;
      // A peer that closes a connection between transfers (BLOCK/COMPRESSED keep it open) gets our FIN in return (959 §5.2).
      if (this.options.closeWhenPeerClosesIdle && conn.idle) conn.close('peer-closed');
      // After this side's own FIN the peer's only completes the close, and 'data.closed' follows at once:
      // that one event says it (one machine event less per download). Before it, the peer closing first is news.
      if (!traced.finSent) this.report({ type: 'data.peerFin' });
    };
    traced.socket.once('close', () => {
      if (!this.#current(gen)) return;
      const bytes = this.#data?.bytes ?? 0;
      this.#data = undefined;
      this.report({ type: 'data.closed', bytes });
    });
    this.report({ type: 'data.connected', local: traced.local, remote: traced.remote });
  }

  /** Forgets the listener and connection; an open connection is closed (FIN), or cut off after an error. */
  #dropAll(reason: CloseReason): void {
    this.#listener?.close();
    this.#listener = undefined;
    this.#dropConnection(reason);
  }

  /** Forgets the connection (closed with FIN, or cut off after an error); whatever it reports later is dropped. */
  #dropConnection(reason: CloseReason): void {
    this.#generation += 1;
    const old = this.#data;
    this.#data = undefined;
    if (!old) return;
    if (!old.traced.closed) {
      this.#closing.add(old);
      old.traced.socket.once('close', () => this.#closing.delete(old));
    }
    // A transfer cut short (an error, ABOR, the server stopping) stops sending at once; otherwise the FIN follows the data.
    if (reason === 'error' || reason === 'abort' || reason === 'shutdown') old.abort(reason);
    else old.close(reason);
  }

  /**
   * A new transfer on `conn`: what it reports reaches the machine only while it is still the current transfer
   * on the current connection (an ABOR or a new data connection makes its late reports meaningless).
   */
  #startTransfer(gen: number, conn: DataConnection) {
    const transfer = ++this.#transfer;
    const current = () => this.#current(gen) && transfer === this.#transfer;
    return {
      current,
      report: (event: DataInputEvent) => current() && this.report(event),
      // A store's refusal (a full disk) carries its code: the machine answers it (452), not 426.
      lost: (error: Error & { code?: unknown }) =>
        current() &&
        this.report({ type: 'data.lost', bytes: conn.bytes, reason: error.message, ...(isStoreErrorCode(error.code) ? { error: error.code } : {}) }),
    };
  }

  #failed(gen: number, reason: string): void {
    if (this.#current(gen)) this.report({ type: 'data.failed', reason });
  }

  handle(event: DataOutputEvent): void {
    const gen = this.#generation;
    const options = this.options;
    switch (event.type) {
      case 'listen': {
        // A new listener (or the session's one, armed again) replaces any connection there was (959 §3.2, condition 3).
        const kept = this.#listener;
        if (options.keepListener && kept instanceof PassiveListener && !kept.closed) {
          this.#dropConnection('replaced');
          const myGen = this.#generation;
          kept.arm((traced) => this.#adopt(traced, myGen));
          this.report({ type: 'data.listening', local: kept.local });
          return;
        }
        this.#dropAll('replaced');
        const myGen = this.#generation;
        const adopt = (traced: TracedSocket) => this.#adopt(traced, myGen);
        // Only the control connection's peer may connect (RFC 2577 §4); others are refused at once.
        const opened = options.keepListener
          ? PassiveListener.open(options.trace, options.controlLocal.host, options.controlPeer.host, options.passivePorts).then((l) => (l.arm(adopt), l))
          : listenOnce(options.trace, options.controlLocal.host, options.controlPeer.host, adopt, options.passivePorts);
        opened
          .then((l) => {
            if (!this.#current(myGen)) return l.close();
            this.#listener = l;
            this.report({ type: 'data.listening', local: l.local });
          })
          .catch((error: Error) => this.#failed(myGen, error.message));
        return;
      }
      case 'connect': {
        if (this.#data) this.#dropAll('replaced');
        const myGen = this.#generation;
        connectData(options.trace, event.target, options.controlLocal.host, options.preferredLocalPort, options.connectTimeoutMs)
          .then((traced) => this.#adopt(traced, myGen))
          .catch((error: NodeJS.ErrnoException) =>
            this.#failed(myGen, `connection to ${event.target.host}:${event.target.port} failed (${error.code ?? error.message})`),
          );
        return;
      }
      case 'send': {
        const conn = this.#data;
        if (!conn) return this.#failed(gen, 'no data connection');
        // Listings are built in NVT form already (CRLF); files are converted under TYPE A.
        const ascii = event.settings.representation === 'A' && event.source.kind !== 'text';
        const transfer = this.#startTransfer(gen, conn);
        const done = (result: TransferResult) =>
          transfer.report(result.paused ? { type: 'data.paused', bytes: result.bytes } : { type: 'data.sent', ...countsOf(result) });
        // STREAM, file structure, nothing to stop part-way: a small source goes out in one write.
        if (options.readSmall && event.settings.mode === 'S' && event.settings.structure === 'F' && event.pauseAfterBytes === undefined) {
          let small: Buffer | undefined;
          try {
            small = options.readSmall(event.source);
          } catch (error) {
            transfer.lost(error as Error);
            return;
          }
          if (small) {
            conn.sendBytes(small, event.settings, ascii).then(done, transfer.lost);
            return;
          }
        }
        options
          .openSource(event.source)
          .then((source) => {
            // Aborted (or replaced) while the file was being opened: close it, send nothing.
            if (!transfer.current()) {
              source.stream.destroy();
              return undefined;
            }
            return conn.send(source, event.settings, ascii, event.pauseAfterBytes);
          })
          .then((result) => result && done(result))
          .catch(transfer.lost);
        return;
      }
      case 'receive': {
        const conn = this.#data;
        if (!conn) return this.#failed(gen, 'no data connection');
        if (event.pauseAfterBytes !== undefined) {
          const limit = event.pauseAfterBytes;
          const onData = () => {
            if (conn.bytes < limit) return;
            conn.traced.socket.off('data', onData);
            conn.pause();
            this.report({ type: 'data.paused', bytes: conn.bytes });
          };
          conn.traced.socket.on('data', onData);
        }
        conn.onRestartMarker = (marker, position) => this.#current(gen) && this.report({ type: 'data.restartMarker', marker, position });
        const transfer = this.#startTransfer(gen, conn);
        options
          .openSink(event.sink)
          .then((opened) => {
            // Aborted (or replaced) while the file was being opened: close it, receive nothing.
            if (!transfer.current()) {
              opened.stream.end();
              return undefined;
            }
            return conn
              .receive(opened, event.settings, event.settings.representation === 'A')
              .then((result) => transfer.report({ type: 'data.received', ...countsOf(result), ...(opened.summary?.() ?? {}) }));
          })
          .catch(transfer.lost);
        return;
      }
      case 'drain':
        // After sending ABOR the receiver reads on and discards, so it sees the sender's close promptly.
        this.#data?.abandon();
        this.#data?.traced.socket.resume();
        return;
      case 'close': {
        const conn = this.#data;
        if (!conn) return this.report({ type: 'data.closed', bytes: 0 });
        // Already closed on this side (an abort, a reset): say where things stand instead of waiting for nothing.
        if (conn.traced.finSent) return this.report({ type: 'data.finSent', bytes: conn.bytes });
        if (conn.traced.socket.destroyed) return this.report({ type: 'data.closed', bytes: conn.bytes });
        // If the connection breaks before the FIN is out, its close is reported instead.
        conn.close(event.reason, () => this.#current(gen) && this.report({ type: 'data.finSent', bytes: conn.bytes }));
        return;
      }
      case 'abort': {
        this.#transfer += 1;
        this.#listener?.close();
        this.#listener = undefined;
        const conn = this.#data;
        if (!conn) {
          // Nothing is up yet: a connection still being dialled (active mode) is dropped when it comes.
          this.#generation += 1;
          return this.report({ type: 'data.closed', bytes: 0 });
        }
        // 959 §4.1.3: the server closes the data connection, then sends 426 and 226. Closing is its own FIN:
        // the peer may read no further until it has those replies (Python's ftplib waits for them in abort()),
        // so they cannot wait for the peer's FIN too. data.finSent goes as soon as this side's FIN is out (or
        // the socket is gone); the peer's FIN and the full close are reported as they come.
        const socket = conn.traced.socket;
        let reported = false;
        const finSent = () => {
          if (reported) return;
          reported = true;
          socket.off('finish', finSent);
          socket.off('close', finSent);
          if (this.#current(gen)) this.report({ type: 'data.finSent', bytes: conn.bytes });
        };
        socket.once('finish', finSent);
        socket.once('close', finSent);
        conn.abort(event.reason);
        if (socket.writableFinished || socket.destroyed) finSent();
        return;
      }
      case 'reset':
        this.#dropAll(event.reason);
        return;
    }
  }

  /** A data connection is up (a reset would close it). */
  get connected(): boolean {
    return this.#data !== undefined;
  }

  /** Resolves once none of this channel's connections is open, the ones let go and still closing included. */
  whenClosed(): Promise<void> {
    const open = [...this.#closing, ...(this.#data ? [this.#data] : [])].filter((c) => !c.traced.closed);
    return Promise.all(open.map((c) => new Promise((resolve) => c.traced.socket.once('close', resolve)))).then(() => undefined);
  }

  /** Cuts everything off at once with RST, recorded (the server stopping, a peer that would not close in time). */
  cut(reason: CloseReason): void {
    this.#generation += 1;
    this.#listener?.close();
    this.#listener = undefined;
    const open = [...this.#closing, ...(this.#data ? [this.#data] : [])];
    this.#data = undefined;
    this.#closing.clear();
    for (const conn of open) conn.traced.reset(reason);
  }

  /** The session is over: everything is let go. */
  dispose(): void {
    this.#dropAll('quit');
  }
}

/** The data channel as an XState callback actor (the client machine invokes it). */
export function dataChannelActor(options: DataChannelOptions) {
  return fromCallback<DataOutputEvent>(({ sendBack, receive }) => {
    const channel = new DataChannel({ closeWhenPeerClosesIdle: true, ...options }, (event) => sendBack(event));
    receive((event) => channel.handle(event));
    return () => channel.dispose();
  });
}
