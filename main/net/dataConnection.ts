// One data connection's byte work: send a stream or receive into one, with TYPE A conversion,
// byte counts and a data.transfer summary in the trace. It never decides to close: the machine does.

import { Transform, type Readable, type Writable } from 'node:stream';
import { createAsciiDecoder, createAsciiEncoder } from '../../core/protocol/asciiConversion';
import { createLineRecordSplitter, createRecordLineJoiner } from '../../core/protocol/recordStructure';
import { transferModes } from '../../core/protocol/transferModes';
import type { TransferUnit } from '../../core/protocol/transferUnits';
import { framingFor, toHex, type Framing } from './dataFraming';
import type { TransferSettings } from '../../core/machines/channelEvents';
import type { CloseReason } from '../../core/trace/traceEvent';
import type { ReadRouter } from './largeReads';
import type { TracedSocket } from './tracedSocket';

/** How long an aborted connection waits for the peer's FIN before it is reset. */
const ABORT_GRACE_MS = 5000;
/** STREAM send from a source that fills buffers: two buffers of this size, reused for the whole file. */
const SEND_BUFFER_BYTES = 1024 * 1024;

/**
 * A source that can also fill a caller's buffer (a store's file stream, main/store/fileStore.ts
 * BufferFillingSource): `readInto` resolves to the bytes put at the start of `buffer`, 0 at the end;
 * `remaining` is how many bytes are left (an upper bound for buffer sizes).
 */
interface BufferFilling {
  readInto(buffer: Buffer): Promise<number>;
  readonly remaining: number;
}

function bufferFilling(source: Readable): BufferFilling | undefined {
  const candidate = source as Readable & Partial<BufferFilling>;
  return typeof candidate.readInto === 'function' && typeof candidate.remaining === 'number' ? (candidate as BufferFilling) : undefined;
}

/**
 * A sink that takes whole buffers (a store's file stream, main/store/fileStore.ts BufferDrainingSink):
 * `writeFrom` resolves once the bytes are in the file; several may be in flight.
 */
interface BufferDraining {
  writeFrom(buffer: Buffer, length: number): Promise<void>;
}

function bufferDraining(sink: Writable): BufferDraining | undefined {
  const candidate = sink as Writable & Partial<BufferDraining>;
  return typeof candidate.writeFrom === 'function' ? (candidate as BufferDraining) : undefined;
}

/** Framed send: bytes queued on the socket before the sender waits for it to drain. */
const FRAMED_QUEUE_BYTES = 2 * 1024 * 1024;

/** STREAM receive into a draining sink: this many file writes in flight before the socket pauses. */
const RECEIVE_WRITES_IN_FLIGHT = 3;

/**
 * A store's file as chunks in two buffers used in turn: the next read runs while the last chunk goes
 * out, and no fresh buffer per chunk. A buffer is read into again only once the write the consumer
 * made of it (`lastWrite()`, asked after each chunk) has settled.
 */
async function* twoBufferChunks(fill: BufferFilling, lastWrite: () => Promise<unknown> | undefined): AsyncGenerator<Buffer> {
  const size = Math.max(1, Math.min(SEND_BUFFER_BYTES, fill.remaining));
  const buffers: (Buffer | undefined)[] = [undefined, undefined];
  const writes: (Promise<unknown> | undefined)[] = [undefined, undefined];
  for (let i = 0; ; i ^= 1) {
    await writes[i]?.catch(() => undefined);
    const buffer = (buffers[i] ??= Buffer.allocUnsafe(size));
    const n = fill.remaining > 0 ? await fill.readInto(buffer) : 0;
    if (n === 0) return;
    yield n === buffer.length ? buffer : buffer.subarray(0, n);
    // Resumed once the consumer has written the chunk.
    writes[i] = lastWrite();
  }
}

/** socket.write with its callback as a promise: true once the bytes are handed to the kernel, false if the write failed. */
function written(socket: Writable, bytes: Buffer): Promise<boolean> {
  return new Promise((resolve) => socket.write(bytes, (error) => resolve(!error)));
}

export interface TransferResult {
  /** Bytes on the wire (after TYPE A conversion; framing included in BLOCK, COMPRESSED and records). */
  readonly bytes: number;
  /** The file's bytes as they travelled, without the framing, where that differs from `bytes`. */
  readonly fileBytes?: number;
  readonly complete: boolean;
  /** The sender stopped at `pauseAfterBytes` (to send ABOR); the rest was not sent. */
  readonly paused?: boolean;
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
  /** The data.transfer summary of the transfer under way is in the trace (it can be recorded before the transfer settles). */
  #recorded: TransferResult | undefined;
  #abandoned = false;
  /** Detaches the receive in progress from its sink (set by receive, used by abort). */
  #detachReceive: (() => void) | undefined;

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
  send(source: Readable, settings: TransferSettings, convertAscii: boolean, pauseAfterBytes?: number): Promise<TransferResult> {
    // Closed (a reset) while the file was being opened: nothing will ever say 'close' again.
    if (this.traced.socket.destroyed) {
      source.destroy();
      return Promise.reject(new Error('the data connection closed before the transfer began'));
    }
    this.#begin('sent', settings);
    const framing = framingFor(settings.mode, settings.structure, settings.representation);
    if (framing) return this.#sendFramed(source, settings, convertAscii, framing, pauseAfterBytes);
    const filling = !convertAscii && pauseAfterBytes === undefined ? bufferFilling(source) : undefined;
    if (filling) return this.#sendFilled(source, filling);
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
      if (pauseAfterBytes !== undefined) {
        // Stop feeding the socket once enough has gone out: the client is about to send ABOR.
        const check = () => {
          if (this.bytes < pauseAfterBytes) return;
          input.off('data', check);
          input.unpipe(socket);
          input.pause();
          socket.off('close', onClose);
          resolve({ bytes: this.bytes, complete: false, paused: true });
        };
        input.on('data', check);
      }
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
   * STREAM send of bytes already in memory (a small file, a listing): one write, TYPE A's line ends
   * converted first. Resolves once the kernel has them; rejects if the connection breaks first.
   */
  sendBytes(bytes: Buffer, settings: TransferSettings, convertAscii: boolean): Promise<TransferResult> {
    this.#begin('sent', settings);
    const wire = convertAscii ? Buffer.from(createAsciiEncoder()(bytes)) : bytes;
    const socket = this.traced.socket;
    return new Promise((resolve, reject) => {
      if (socket.destroyed || this.traced.finSent) return reject(new Error('the data connection closed during the transfer'));
      socket.write(wire, (error) => (error ? reject(error) : resolve(this.#finish(true))));
    });
  }

  /**
   * STREAM send from a source that fills buffers: two buffers reused for the whole file, the next
   * read running while the previous write goes out, and no more than one write queued on the socket.
   * No allocation per chunk (a fresh 1 MiB buffer per read is what makes a piped file stream slow).
   */
  #sendFilled(source: Readable, filling: BufferFilling): Promise<TransferResult> {
    const socket = this.traced.socket;
    this.#activeSource = source;
    return new Promise((resolve, reject) => {
      const onClose = () => reject(new Error('the data connection closed during the transfer'));
      socket.once('close', onClose);
      // abort() destroys the source: stop at once; the socket's close then settles the transfer.
      const stopped = () => source.destroyed || socket.destroyed;
      const run = async () => {
        let writing: Promise<boolean> | undefined;
        for await (const chunk of twoBufferChunks(filling, () => writing)) {
          // No more than one write queued on the socket: the last one reached the kernel first.
          if (writing && !(await writing)) return;
          if (stopped()) return;
          writing = written(socket, chunk);
        }
        if (writing && !(await writing)) return;
        if (stopped()) return;
        socket.off('close', onClose);
        this.#activeSource = undefined;
        source.destroy();
        resolve(this.#finish(true));
      };
      run()
        .catch((error: Error) => {
          if (stopped()) return;
          socket.off('close', onClose);
          reject(error);
        })
        // However the send ends (done, failed, or cut off by a reset), the file is closed.
        .finally(() => source.destroy());
    });
  }

  /**
   * Reads the connection into `sink` until the peer's FIN (STREAM mode's end of file) and the sink
   * has flushed. Rejects if the connection breaks first; the sink keeps what arrived.
   */
  receive(sink: Writable, settings: TransferSettings, convertAscii: boolean): Promise<TransferResult> {
    // Closed (a reset) while the file was being opened: the file is closed again, nothing received.
    if (this.traced.socket.destroyed && !this.traced.socket.readableLength) {
      sink.end();
      return Promise.reject(new Error('the data connection closed before the transfer began'));
    }
    this.#begin('received', settings);
    const framing = framingFor(settings.mode, settings.structure, settings.representation);
    if (framing) return this.#receiveFramed(sink, settings, convertAscii, framing);
    const draining = bufferDraining(sink);
    const reads = this.traced.reads;
    // Only when nobody else watches the bytes go by (a receive that pauses after N bytes does).
    if (draining && reads && !convertAscii && this.traced.socket.listenerCount('data') === 0) return this.#receiveDrained(sink, draining, reads, settings);
    const socket = this.traced.socket;
    this.#activeSink = sink;
    // In STREAM mode the sender's close is the end of file (959 §3.4.1): say so when it comes.
    this.traced.peerCloseMeaning = settings.mode === 'S' ? 'eof' : undefined;
    // Bytes held since a last transfer on this connection come first, as 'data'.
    this.traced.reads?.giveBack();
    const stream = convertAscii ? socket.pipe(asciiDecodeStream()) : socket;
    // The peer's FIN ends the file: its bytes are in the trace before the FIN is (the wire's order).
    if (settings.mode === 'S') this.traced.beforePeerFin = () => this.#record(true);
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
      this.#detachReceive = () => {
        socket.unpipe();
        if (stream !== socket) stream.unpipe(sink);
      };
    });
  }

  /**
   * STREAM receive into a sink that takes whole buffers: each socket read (up to 1 MiB, largeReads.ts)
   * goes to the file in the buffer it was read into, a few writes in flight at their own offsets, and
   * the buffer is read into again once written. No copy and no fresh buffer per read.
   */
  #receiveDrained(sink: Writable, draining: BufferDraining, reads: ReadRouter, settings: TransferSettings): Promise<TransferResult> {
    const socket = this.traced.socket;
    this.traced.peerCloseMeaning = settings.mode === 'S' ? 'eof' : undefined;
    if (settings.mode === 'S') this.traced.beforePeerFin = () => this.#record(true);
    return new Promise((resolve, reject) => {
      let inFlight = 0;
      let ended = false;
      let detached = false;
      let failed = false;
      let paused = false;
      // After the end of file (or an abort) and the last write: close the file, then the transfer is done.
      const settle = () => {
        if (failed || inFlight > 0 || !(ended || detached)) return;
        reads.giveBack();
        sink.once('finish', () => resolve(this.#finish(true)));
        sink.end();
      };
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        reads.giveBack();
        sink.destroy();
        reject(error);
      };
      const put = (buffer: Buffer, length: number, release: () => void): boolean => {
        if (detached || failed) {
          release();
          return true;
        }
        inFlight += 1;
        draining.writeFrom(buffer, length).then(() => {
          release();
          inFlight -= 1;
          if (paused && inFlight < RECEIVE_WRITES_IN_FLIGHT) {
            paused = false;
            socket.resume();
          }
          settle();
        }, fail);
        paused = inFlight >= RECEIVE_WRITES_IN_FLIGHT;
        return !paused;
      };
      // Bytes read before this transfer began wait in the socket's buffer (copies): they come first.
      for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) put(chunk, chunk.length, () => undefined);
      reads.takeReads(put);
      ended = socket.readableEnded;
      socket.once('end', () => {
        ended = true;
        settle();
      });
      socket.once('close', () => {
        if (!ended && !detached) fail(new Error('the data connection closed before the end of file'));
      });
      sink.once('error', fail);
      // abort(): stop taking reads (they become 'data' to discard); the file keeps what was written.
      this.#detachReceive = () => {
        detached = true;
        reads.giveBack();
        settle();
      };
      socket.resume();
      settle();
    });
  }

  /**
   * Framed send (BLOCK, COMPRESSED, or STREAM with records): the payload in the mode's units, each
   * line an EOR-terminated record under STRU R, restart markers every `restartEvery` bytes if asked,
   * then the EOF marker. In BLOCK/COMPRESSED the connection then stays open (959 §3.3).
   */
  async #sendFramed(source: Readable, settings: TransferSettings, convertAscii: boolean, framing: Framing, pauseAfterBytes = Infinity): Promise<TransferResult> {
    const socket = this.traced.socket;
    const encoder = framing.encoder();
    // Under STRU R a line end becomes an EOR, so there is no line end left for TYPE A to convert.
    const records = settings.structure === 'R' ? createLineRecordSplitter() : undefined;
    const input = convertAscii && !records ? source.pipe(asciiEncodeStream()) : source;
    this.#activeSource = source;
    const every = encoder.restart ? settings.restartEvery ?? 0 : 0;
    // Markers name the sender's position in the whole file, also when this transfer resumes part-way.
    const base = settings.markerBase ?? 0;
    let payload = 0;
    let nextMark = every > 0 ? every - (base % every) : Infinity;
    /** Settles when the last piece written so far has been handed to the kernel (or failed). */
    let lastWrite: Promise<void> = Promise.resolve();
    const write = async (pieces: Uint8Array[]) => {
      if (pieces.length === 0) return;
      if (socket.destroyed || this.traced.finSent) throw new Error('the data connection closed during the transfer');
      socket.cork();
      pieces.forEach((piece, k) => {
        if (k < pieces.length - 1) socket.write(piece);
        else lastWrite = new Promise<void>((resolve, reject) => socket.write(piece, (error) => (error ? reject(error) : resolve())));
      });
      // Awaited only when a buffer is reused; a failure also shows as the connection closing.
      lastWrite.catch(() => undefined);
      socket.uncork();
      // Keep up to FRAMED_QUEUE_BYTES queued, so the kernel has bytes to send while the next chunk is
      // read and framed (waiting for a full drain after every chunk left the connection idle half the time).
      if (socket.writableLength > FRAMED_QUEUE_BYTES) await drained(socket);
    };
    const sendUnit = async (unit: TransferUnit) => {
      if (unit.kind === 'eor') return write(encoder.eor());
      if (unit.kind !== 'data') return;
      let rest = unit.bytes;
      // A restart marker goes in at each multiple of `every` payload bytes (959 §3.5): the marker is that offset.
      while (payload + rest.length >= nextMark) {
        const cut = nextMark - payload;
        const marker = String(base + nextMark);
        await write([...encoder.data(rest.subarray(0, cut)), ...encoder.restart!(marker)]);
        this.#marker('sent', 'restart', '', nextMark, marker);
        payload = nextMark;
        rest = rest.subarray(cut);
        nextMark += every;
      }
      await write(encoder.data(rest));
      payload += rest.length;
    };
    // A store's file can fill two buffers in turn, the next read running while the last one's blocks
    // go out (as a STREAM send does): no fresh buffer per chunk. Otherwise the stream's own chunks.
    const filling = !convertAscii && !records && pauseAfterBytes === Infinity ? bufferFilling(source) : undefined;
    const chunks = filling ? twoBufferChunks(filling, () => lastWrite) : (input as AsyncIterable<Buffer>);
    try {
      for await (const chunk of chunks) {
        // The client is about to send ABOR: nothing past `pauseAfterBytes`, and no EOF marker.
        const room = pauseAfterBytes - payload;
        const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
        if (records) for (const unit of records.push(piece)) await sendUnit(unit);
        else await sendUnit({ kind: 'data', bytes: piece });
        if (payload >= pauseAfterBytes) {
          source.destroy();
          return { bytes: this.bytes, complete: false, paused: true };
        }
      }
      for (const unit of records?.end() ?? []) await sendUnit(unit);
    } finally {
      // Read through readInto, the stream itself was never read (nor closed by a for await): destroying
      // it closes the file, whether the send finished or failed.
      if (filling) source.destroy();
    }
    const eof = encoder.eof();
    // The file's bytes are recorded before the EOF marker that ends them, as they travel.
    const keptOpen = !transferModes[settings.mode].eofByClose;
    const wire = this.bytes + eof.reduce((n, piece) => n + piece.length, 0);
    this.#record(true, keptOpen, wire, payload);
    await write(eof);
    this.#marker('sent', 'eof', toHex(eof), payload);
    // Everything queued has reached the kernel, or the connection failed and the transfer did too.
    await new Promise<void>((resolve, reject) => socket.write(Buffer.alloc(0), (error) => (error ? reject(error) : resolve())));
    this.#activeSource = undefined;
    return this.#finish(true, keptOpen, wire, payload);
  }

  /**
   * Framed receive: decode units until the EOF marker. Under STRU R each EOR becomes a line end.
   * In BLOCK/COMPRESSED the connection then stays open; in STREAM (records) the sender closes it
   * anyway (facts §0 item 10), so the transfer ends with the peer's FIN. A close before the EOF
   * marker is a lost transfer; the sink keeps what arrived.
   */
  #receiveFramed(sink: Writable, settings: TransferSettings, convertAscii: boolean, framing: Framing): Promise<TransferResult> {
    const socket = this.traced.socket;
    const decoder = framing.decoder();
    const records = settings.structure === 'R' ? createRecordLineJoiner() : undefined;
    const ascii = convertAscii && !records ? createAsciiDecoder() : undefined;
    const keepsOpen = !transferModes[settings.mode].eofByClose;
    this.#activeSink = sink;
    this.traced.peerCloseMeaning = keepsOpen ? undefined : 'eof';
    // Payload straight from the decoded bytes (no records to join, no line ends to convert) into a sink
    // that takes whole buffers: one positional write per socket read, a few in flight. With large reads
    // (and nobody else watching the bytes) the reads are decoded in the buffers they were read into.
    const draining = !records && !ascii ? bufferDraining(sink) : undefined;
    const reads = draining && socket.listenerCount('data') === 0 ? this.traced.reads : undefined;
    let written = 0;
    /** The file's bytes as they travelled (data units), for the summary: the wire count adds the framing. */
    let payloadIn = 0;
    let inFlight = 0;
    let pausedForWrites = false;
    /** finish() waits for the writes in flight; this runs it when the last one is done. */
    let finishWhenWritten: (() => void) | undefined;
    return new Promise((resolve, reject) => {
      const stop = () => {
        socket.off('data', onData);
        socket.off('end', onEnd);
      };
      const fail = (error: Error) => {
        stop();
        reads?.giveBack();
        if (!sink.destroyed) sink.end();
        reject(error);
      };
      // A write that fails (a full disk) fails the transfer; unheard, the sink's 'error' would end the process.
      sink.once('error', fail);
      const finish = () => {
        if (inFlight > 0) {
          finishWhenWritten = finish;
          return;
        }
        stop();
        const tail = ascii?.end();
        if (tail && tail.length > 0) sink.write(tail);
        sink.once('error', reject);
        sink.end(() => {
          this.#activeSink = undefined;
          // The decoder's count: the socket's would also hold what followed the EOF marker (the next file).
          resolve(this.#finish(true, keepsOpen, decoder.bytesConsumed, payloadIn));
        });
      };
      // STREAM with records: the EOF marker comes first, then the sender's close ends the transfer.
      const onEnd = () => (decoder.done && !keepsOpen ? finish() : fail(new Error('the data connection closed before the EOF marker')));
      /** Decodes one read; `release` gives its buffer back once nothing refers to it. False: stop reading for now. */
      const onChunk = (chunk: Buffer, release: () => void): boolean => {
        let units;
        try {
          units = decoder.push(chunk);
          // COMPRESSED: an EOF escape ending what has arrived is taken as the trailing form FTP Lab
          // sends (design.md); the literal form (00 40 before the last unit) decodes when the unit
          // comes in the same segment, as a sender writes them together.
          if (decoder.eofPending) units.push(...decoder.end());
        } catch (error) {
          release();
          fail(error as Error);
          return true;
        }
        let ok = true;
        // One socket read can hold many small units (a BLOCK header every 64 KiB): corking lets the
        // sink take them in one vectored write instead of one write each.
        sink.cork();
        for (const unit of units) {
          if (unit.kind === 'data') payloadIn += unit.bytes.length;
          if (draining && unit.kind === 'data') {
            // Counted here, in order, so a restart marker after it names the right offset; written below.
            written += unit.bytes.length;
          } else if (unit.kind === 'data' || unit.kind === 'eor') {
            const raw = records ? records.push(unit) : unit.kind === 'data' ? unit.bytes : undefined;
            const bytes = raw && ascii ? ascii.push(raw) : raw;
            if (bytes && bytes.length > 0) {
              written += bytes.length;
              ok = sink.write(bytes) && ok;
            }
          } else if (unit.kind === 'restart') {
            // The marker's offset is in the data as it travelled; the 110 MARK reply names the receiver's file position.
            this.#marker('received', 'restart', '', payloadIn, unit.marker);
            this.onRestartMarker?.(unit.marker, written);
          } else if (unit.kind === 'eof') {
            // The file's bytes are recorded before the marker that ends them, as on the wire.
            this.#record(true, keepsOpen, decoder.bytesConsumed, payloadIn);
            this.#marker('received', 'eof', framing.eofHex, payloadIn);
          }
        }
        sink.uncork();
        // The decoder keeps nothing of the chunk but what follows the EOF marker (copied out below).
        const rest = decoder.done && keepsOpen ? Buffer.from(decoder.takeRest()) : undefined;
        const payload = draining ? contiguousPayload(chunk, units) : undefined;
        if (draining && payload && payload.length > 0) {
          inFlight += 1;
          draining.writeFrom(payload, payload.length).then(() => {
            release();
            inFlight -= 1;
            if (pausedForWrites && inFlight < RECEIVE_WRITES_IN_FLIGHT) {
              pausedForWrites = false;
              socket.resume();
            }
            if (inFlight === 0 && finishWhenWritten) finishWhenWritten();
          }, fail);
        } else {
          release();
        }
        if (decoder.done) {
          if (!keepsOpen) {
            // STREAM with records: nothing after the EOF marker counts; the sender's FIN ends the transfer.
            socket.off('data', onData);
            reads?.giveBack();
            return true;
          }
          // The file is complete: a FIN from now on ends the connection, not this transfer (whose last
          // writes may still be in flight when it comes).
          socket.off('end', onEnd);
          // The connection stays open for the next file: what followed the EOF marker, and whatever
          // arrives until the next transfer, is kept for it (the socket flows on, so a FIN is seen).
          if (this.traced.reads) this.traced.reads.hold(rest);
          else if (rest && rest.length > 0) socket.unshift(rest);
          finish();
          return true;
        }
        if (!ok) {
          sink.once('drain', () => socket.resume());
          if (reads) return false;
          socket.pause();
        } else if (inFlight >= RECEIVE_WRITES_IN_FLIGHT) {
          pausedForWrites = true;
          if (reads) return false;
          socket.pause();
        }
        return true;
      };
      const onData = (chunk: Buffer) => void onChunk(chunk, () => undefined);
      socket.once('end', onEnd);
      this.#detachReceive = () => {
        stop();
        reads?.giveBack();
      };
      if (reads) {
        // Bytes that arrived before this transfer began wait in the socket's buffer: they come first.
        for (let chunk = socket.read() as Buffer | null; chunk !== null && !decoder.done; chunk = socket.read() as Buffer | null) onChunk(chunk, () => undefined);
        if (!decoder.done) reads.takeReads((buffer, length, release) => onChunk(buffer.subarray(0, length), release));
      } else {
        // Bytes held since the last transfer on this connection come first, as 'data'.
        this.traced.reads?.giveBack();
        socket.on('data', onData);
      }
      socket.resume();
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
    this.#activeSource?.unpipe();
    this.#activeSource?.destroy();
    // Stop filling the sink (it keeps what arrived), then read on and discard: the peer's FIN must
    // be seen for the connection to finish closing, and it queues behind any bytes still in flight.
    this.#detachReceive?.();
    this.#detachReceive = undefined;
    this.#activeSink?.end();
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
    this.#activeSource?.destroy();
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
    return result;
  }

}

/**
 * The decoded payload of one socket read as one buffer. Payload that lies in the read's own bytes
 * (BLOCK: everything between the headers) is moved together inside it, which the receiver may do: the
 * read is its own copy (largeReads.ts) or Node's fresh buffer. Anything else is concatenated.
 */
function contiguousPayload(chunk: Buffer, units: readonly TransferUnit[]): Buffer {
  const data = units.filter((u): u is Extract<TransferUnit, { kind: 'data' }> => u.kind === 'data' && u.bytes.length > 0).map((u) => u.bytes);
  if (data.length === 0) return Buffer.alloc(0);
  const inside = data.every((d) => d.buffer === chunk.buffer && d.byteOffset >= chunk.byteOffset && d.byteOffset + d.length <= chunk.byteOffset + chunk.length);
  if (!inside) return Buffer.concat(data);
  let end = 0;
  for (const d of data) {
    const from = d.byteOffset - chunk.byteOffset;
    // Each piece moves left (or stays): later pieces lie beyond it, so none is overwritten before it moves.
    if (from !== end) chunk.copyWithin(end, from, from + d.length);
    end += d.length;
  }
  return chunk.subarray(0, end);
}

/** Waits for a socket's 'drain', or rejects if it closes first; leaves no listener behind. */
function drained(socket: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      socket.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      socket.off('drain', onDrain);
      reject(new Error('the data connection closed during the transfer'));
    };
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}
