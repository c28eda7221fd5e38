// One data connection's byte work: send a stream or receive into one, with TYPE A conversion,
// byte counts and a data.transfer summary in the trace. It never decides to close: the machine does.

import { Transform, type Readable, type Writable } from 'node:stream';
import { createAsciiDecoder, createAsciiEncoder } from '../../core/protocol/asciiConversion';
import type { TransferSettings } from '../../core/machines/channelEvents';
import type { CloseReason } from '../../core/trace/traceEvent';
import type { TracedSocket } from './tracedSocket';

/** How long an aborted connection waits for the peer's FIN before it is reset. */
const ABORT_GRACE_MS = 5000;

export interface TransferResult {
  /** Bytes on the wire (after TYPE A conversion). */
  readonly bytes: number;
  readonly complete: boolean;
}

/** A Transform that applies TYPE A's LF -> CRLF on the way out (959 §3.1.1.1). */
function asciiEncodeStream(): Transform {
  const encode = createAsciiEncoder();
  return new Transform({ transform: (chunk: Buffer, _enc, done) => done(null, encode(chunk)) });
}

/** A Transform that applies TYPE A's CRLF -> LF on the way in. */
function asciiDecodeStream(): Transform {
  const decoder = createAsciiDecoder();
  return new Transform({
    transform: (chunk: Buffer, _enc, done) => done(null, decoder.push(chunk)),
    flush: (done) => done(null, decoder.end()),
  });
}

export class DataConnection {
  #startBytesRead: number;
  #startBytesWritten: number;
  #started = 0;
  #activeSource: Readable | undefined;
  #activeSink: Writable | undefined;
  #settings: TransferSettings | undefined;
  #direction: 'sent' | 'received' | undefined;
  #finished = true;
  #abandoned = false;

  constructor(
    readonly traced: TracedSocket,
    private readonly now: () => number,
  ) {
    this.#startBytesRead = traced.socket.bytesRead;
    this.#startBytesWritten = traced.socket.bytesWritten;
  }

  get conn(): string {
    return this.traced.conn;
  }

  /** Bytes moved by the transfer in progress (or the last one). */
  get bytes(): number {
    const socket = this.traced.socket;
    return this.#direction === 'received' ? socket.bytesRead - this.#startBytesRead : socket.bytesWritten - this.#startBytesWritten;
  }

  /**
   * Writes `source` to the connection (without closing it) and resolves once every byte has been
   * handed to the kernel. Rejects if the connection breaks first.
   */
  send(source: Readable, settings: TransferSettings, convertAscii: boolean): Promise<TransferResult> {
    this.#begin('sent', settings);
    const socket = this.traced.socket;
    const input = convertAscii ? source.pipe(asciiEncodeStream()) : source;
    this.#activeSource = source;
    return new Promise((resolve, reject) => {
      const onClose = () => reject(new Error('the data connection closed during the transfer'));
      socket.once('close', onClose);
      source.once('error', (error) => {
        socket.off('close', onClose);
        reject(error);
      });
      input.pipe(socket, { end: false });
      input.once('end', () => {
        // An empty write's callback runs once everything queued before it has been flushed.
        socket.write(Buffer.alloc(0), () => {
          socket.off('close', onClose);
          this.#activeSource = undefined;
          resolve(this.#finish(true));
        });
      });
    });
  }

  /**
   * Reads the connection into `sink` until the peer's FIN (STREAM mode's end of file) and the sink
   * has flushed. Rejects if the connection breaks first; the sink keeps what arrived.
   */
  receive(sink: Writable, settings: TransferSettings, convertAscii: boolean): Promise<TransferResult> {
    this.#begin('received', settings);
    const socket = this.traced.socket;
    this.#activeSink = sink;
    // In STREAM mode the sender's close is the end of file (959 §3.4.1): say so when it comes.
    this.traced.peerCloseMeaning = settings.mode === 'S' ? 'eof' : undefined;
    const stream = convertAscii ? socket.pipe(asciiDecodeStream()) : socket;
    return new Promise((resolve, reject) => {
      let ended = false;
      socket.once('end', () => {
        ended = true;
      });
      socket.once('close', () => {
        if (!ended) {
          sink.end();
          reject(new Error('the data connection closed before the end of file'));
        }
      });
      sink.once('error', reject);
      sink.once('finish', () => {
        this.#activeSink = undefined;
        resolve(this.#finish(true));
      });
      stream.pipe(sink);
    });
  }

  /** Stops reading without closing: TCP flow control then holds the sender back (used to ABOR mid-transfer). */
  pause(): void {
    this.traced.socket.pause();
  }

  close(reason: CloseReason): void {
    this.traced.end(reason);
  }

  /**
   * Cuts the transfer short: stop sending, keep what arrived, and close with FIN, as real servers
   * do on ABOR (959 §4.1.3 says only that the server closes). A peer that never closes its side is
   * cut off after a grace period, so an abort always ends.
   */
  abort(reason: CloseReason): TransferResult {
    const result = this.#finish(false);
    this.#activeSource?.unpipe();
    this.#activeSource?.destroy();
    this.#activeSink?.end();
    this.traced.end(reason);
    const socket = this.traced.socket;
    const timer = setTimeout(() => this.traced.reset(reason), ABORT_GRACE_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    return result;
  }

  /** The receiver gave up on this transfer (it sent ABOR): whatever still arrives does not complete it. */
  abandon(): void {
    this.#abandoned = true;
    this.traced.peerCloseMeaning = 'abort';
  }

  #begin(direction: 'sent' | 'received', settings: TransferSettings): void {
    this.#direction = direction;
    this.#settings = settings;
    this.#startBytesRead = this.traced.socket.bytesRead;
    this.#startBytesWritten = this.traced.socket.bytesWritten;
    this.#started = this.now();
    this.#finished = false;
    this.#abandoned = false;
  }

  /** Records the data.transfer summary once per transfer: counts and timing, never the payload. */
  #finish(finishedNormally: boolean): TransferResult {
    const complete = finishedNormally && !this.#abandoned;
    const bytes = this.bytes;
    if (this.#finished || !this.#settings || !this.#direction) return { bytes, complete };
    this.#finished = true;
    const ctx = this.traced.traceContext;
    ctx.recorder.record({
      type: 'data.transfer',
      side: ctx.side,
      dir: this.#direction,
      channel: 'data',
      conn: this.traced.conn,
      bytes,
      mode: this.#settings.mode,
      representation: this.#settings.representation,
      complete,
      durationMs: Math.round((this.now() - this.#started) * 1000) / 1000,
      command: this.#settings.command,
      ...(ctx.session !== undefined ? { session: ctx.session } : {}),
    });
    return { bytes, complete };
  }
}
