// One data connection's transfers: picks how each is sent or received, records its summary, aborts it; closing is the machine's call.

import type { TransferSettings } from '../../../core/machines/channelEvents';
import type { CloseReason } from '../../../core/trace/traceEvent';
import type { TransferSink, TransferSource } from '../../store/transferEnds';
import type { TracedSocket } from '../tracedSocket';
import { receiveFramed } from './framedReceive';
import { sendFramed } from './framedSend';
import { framingFor } from '../../../core/protocol/framing';
import { receiveDrained, receivePiped } from './streamReceive';
import { sendFilled, sendInOneWrite, sendPiped } from './streamSend';
import type { TransferContext, TransferResult } from './transferContext';

/** How long an aborted connection waits for the peer's FIN before it is reset. */
const ABORT_GRACE_MS = 5000;

export class DataConnection {
  #startBytesRead: number;
  #startBytesWritten: number;
  #started = 0;
  #settings: TransferSettings | undefined;
  #direction: 'sent' | 'received' | undefined;
  #finished = true;
  /** The data.transfer summary of the transfer under way is in the trace (it can be recorded before the transfer settles). */
  #recorded: TransferResult | undefined;
  #abandoned = false;
  /** This connection as the ways of sending and receiving see it; also holds what abort() must stop. */
  readonly #transfer: TransferContext;

  constructor(
    readonly traced: TracedSocket,
    private readonly now: () => number,
  ) {
    this.#startBytesRead = traced.socket.bytesRead;
    this.#startBytesWritten = traced.socket.bytesWritten;
    const bytes = () => this.bytes;
    this.#transfer = {
      traced,
      get bytes() {
        return bytes();
      },
      activeSource: undefined,
      activeSink: undefined,
      detachReceive: undefined,
      record: (finishedNormally, keptOpen, wireBytes, fileBytes) => this.#record(finishedNormally, keptOpen, wireBytes, fileBytes),
      finish: (finishedNormally, keptOpen, wireBytes, fileBytes) => this.#finish(finishedNormally, keptOpen, wireBytes, fileBytes),
      marker: (dir, marker, hex, offset, value) => this.#marker(dir, marker, hex, offset, value),
      restartMarker: (marker, position) => this.onRestartMarker?.(marker, position),
    };
  }

  get conn(): string {
    return this.traced.conn;
  }

  /** No transfer is under way on this connection. */
  get idle(): boolean {
    return this.#finished;
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
  send(source: TransferSource, settings: TransferSettings, convertAscii: boolean, pauseAfterBytes?: number): Promise<TransferResult> {
    // Closed (a reset) while the file was being opened: nothing will ever say 'close' again.
    if (this.traced.socket.destroyed) {
      source.stream.destroy();
      return Promise.reject(new Error('the data connection closed before the transfer began'));
    }
    this.#begin('sent', settings);
    const framing = framingFor(settings.mode, settings.structure, settings.representation);
    if (framing) return sendFramed(this.#transfer, source, settings, convertAscii, framing, pauseAfterBytes);
    // A store's file sent whole and as it is: read into two reused buffers, not through its stream.
    if (source.kind === 'file' && !convertAscii && pauseAfterBytes === undefined) return sendFilled(this.#transfer, source.stream);
    return sendPiped(this.#transfer, source.stream, convertAscii, pauseAfterBytes);
  }

  /**
   * STREAM send of bytes already in memory (a small file, a listing): one write, TYPE A's line ends
   * converted first. Resolves once the kernel has them; rejects if the connection breaks first.
   */
  sendBytes(bytes: Buffer, settings: TransferSettings, convertAscii: boolean): Promise<TransferResult> {
    this.#begin('sent', settings);
    return sendInOneWrite(this.#transfer, bytes, convertAscii);
  }

  /**
   * Reads the connection into `sink` until the end of file (STREAM: the peer's FIN; framed: the EOF marker)
   * and the sink has flushed. Rejects if the connection breaks first; the sink keeps what arrived.
   */
  receive(sink: TransferSink, settings: TransferSettings, convertAscii: boolean): Promise<TransferResult> {
    // Closed (a reset) while the file was being opened: the file is closed again, nothing received.
    if (this.traced.socket.destroyed && !this.traced.socket.readableLength) {
      sink.stream.end();
      return Promise.reject(new Error('the data connection closed before the transfer began'));
    }
    this.#begin('received', settings);
    const framing = framingFor(settings.mode, settings.structure, settings.representation);
    return this.#recordingFailure(this.#receiveBy(sink, settings, convertAscii, framing));
  }

  #receiveBy(sink: TransferSink, settings: TransferSettings, convertAscii: boolean, framing: ReturnType<typeof framingFor>): Promise<TransferResult> {
    if (framing) return receiveFramed(this.#transfer, sink, settings, convertAscii, framing);
    const reads = this.traced.reads;
    // A store's file takes the socket's reads as they are, unless they need converting or someone else
    // watches the bytes go by (a receive that pauses after N bytes does).
    if (sink.kind === 'file' && reads && !convertAscii && this.traced.socket.listenerCount('data') === 0)
      return receiveDrained(this.#transfer, sink.stream, reads, settings);
    return receivePiped(this.#transfer, sink.stream, settings, convertAscii);
  }

  /** A transfer that fails (the connection broke, the file could not be written) is recorded as cut short, with what moved. */
  #recordingFailure(transfer: Promise<TransferResult>): Promise<TransferResult> {
    return transfer.catch((error: unknown) => {
      this.#finish(false);
      throw error;
    });
  }

  /** Told about each restart marker as it arrives, with how many payload bytes the receiver has (for 110 MARK). */
  onRestartMarker: ((marker: string, position: number) => void) | undefined;

  #marker(dir: 'sent' | 'received', marker: 'eof' | 'restart', hex: string, offset: number, value?: string): void {
    const ctx = this.traced.traceContext;
    ctx.recorder.record({
      type: 'data.marker',
      side: ctx.side,
      dir,
      channel: 'data',
      conn: this.traced.conn,
      marker,
      hex,
      offset,
      mode: this.#settings?.mode ?? 'B',
      ...(value !== undefined ? { value } : {}),
      ...(ctx.session !== undefined ? { session: ctx.session } : {}),
    });
  }

  /** Stops reading without closing: TCP flow control then holds the sender back (used to ABOR mid-transfer). */
  pause(): void {
    this.traced.socket.pause();
  }

  /** Sends this side's FIN after whatever is queued; `onSent` once it is out. */
  close(reason: CloseReason, onSent?: () => void): void {
    this.traced.end(reason, onSent);
  }

  /**
   * Cuts the transfer short: stop sending, keep what arrived, and close with FIN, as real servers
   * do on ABOR (959 §4.1.3 says only that the server closes). A peer that never closes its side is
   * cut off after a grace period, so an abort always ends.
   */
  abort(reason: CloseReason): TransferResult {
    const result = this.#finish(false);
    const transfer = this.#transfer;
    transfer.activeSource?.unpipe();
    transfer.activeSource?.destroy();
    // Stop filling the sink (it keeps what arrived), then read on and discard: the peer's FIN must
    // be seen for the connection to finish closing, and it queues behind any bytes still in flight.
    transfer.detachReceive?.();
    transfer.detachReceive = undefined;
    transfer.activeSink?.end();
    const socket = this.traced.socket;
    if (reason === 'error' && this.#direction === 'received') {
      // An upload the server cannot keep (a full disk): nothing more is read, and the reset tells the sender at
      // once instead of letting it send the rest into nothing (closing with unread bytes is a reset, as for
      // vsftpd and pyftpdlib). The completion reply says why.
      this.traced.reset(reason);
      return result;
    }
    if (socket.writableLength > 0) {
      // Bytes of ours the kernel has not taken yet would have to go out before the FIN, and a peer
      // that stops reading until it has the 426 (Python's ftplib in abort()) would never take them:
      // drop them and close now. What the kernel already holds still arrives, then the FIN.
      this.traced.closeDiscardingQueued(reason);
      return result;
    }
    socket.on('data', () => undefined);
    socket.resume();
    this.traced.end(reason);
    const timer = setTimeout(() => this.traced.reset(reason), ABORT_GRACE_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    return result;
  }

  /** The receiver gave up on this transfer (it sent ABOR): whatever still arrives does not complete it. */
  abandon(): void {
    this.#abandoned = true;
    this.traced.peerCloseMeaning = 'abort';
    this.#transfer.activeSource?.destroy();
    // The server closes after ABOR (959 §3.2, condition 2); this side then closes too (§5.2).
    const socket = this.traced.socket;
    if (this.traced.peerEnded) this.traced.end('peer-closed');
    else socket.once('end', () => this.traced.end('peer-closed'));
  }

  #begin(direction: 'sent' | 'received', settings: TransferSettings): void {
    this.#direction = direction;
    this.#settings = settings;
    // Bytes the peer sent before this transfer began (a client may start sending as soon as it reads
    // 150, while the file is still being opened) wait unread in the socket's buffer: they belong to it.
    this.#startBytesRead = this.traced.socket.bytesRead - this.traced.socket.readableLength - (this.traced.reads?.heldLength ?? 0);
    this.#startBytesWritten = this.traced.socket.bytesWritten;
    this.#started = this.now();
    this.#finished = false;
    this.#recorded = undefined;
    this.#abandoned = false;
    // A reset cuts the transfer short: what moved until then is recorded, incomplete, before the RST is.
    this.traced.beforePeerReset = () => this.#record(false);
  }

  /**
   * Records the data.transfer summary once per transfer: counts and timing, never the payload. Called as
   * soon as the transfer's bytes are all on the wire (before the FIN or EOF marker that ends them), and
   * again, harmlessly, when the transfer settles. `wireBytes`: the transfer's own count where the socket's
   * would include bytes that came after it; `fileBytes`: the file's bytes without framing, where they differ.
   */
  #record(finishedNormally: boolean, keptOpen = false, wireBytes?: number, fileBytes?: number): TransferResult {
    if (this.#recorded) return this.#recorded;
    const complete = finishedNormally && !this.#abandoned;
    const bytes = wireBytes ?? this.bytes;
    const result: TransferResult = { bytes, complete, ...(fileBytes !== undefined && fileBytes !== bytes ? { fileBytes } : {}) };
    if (this.#finished || !this.#settings || !this.#direction) return result;
    this.#recorded = result;
    const ctx = this.traced.traceContext;
    ctx.recorder.record({
      type: 'data.transfer',
      side: ctx.side,
      dir: this.#direction,
      channel: 'data',
      conn: this.traced.conn,
      bytes,
      ...(result.fileBytes !== undefined ? { fileBytes: result.fileBytes } : {}),
      mode: this.#settings.mode,
      representation: this.#settings.representation,
      complete,
      durationMs: Math.round((this.now() - this.#started) * 1000) / 1000,
      command: this.#settings.command,
      ...(keptOpen ? { keptOpen } : {}),
      ...(ctx.session !== undefined ? { session: ctx.session } : {}),
    });
    return result;
  }

  /** The transfer has settled: its summary is recorded (if it was not already) and the connection is idle again. */
  #finish(finishedNormally: boolean, keptOpen = false, wireBytes?: number, fileBytes?: number): TransferResult {
    const result = this.#record(finishedNormally, keptOpen, wireBytes, fileBytes);
    this.#finished = true;
    this.traced.beforePeerFin = undefined;
    this.traced.beforePeerReset = undefined;
    return result;
  }
}
