// Framed receive (BLOCK, COMPRESSED, or STREAM with records, 959 §3.4): units decoded until the EOF marker, restart markers reported as they come.

import { createAsciiDecoder } from '../../../core/protocol/asciiConversion';
import { createRecordLineJoiner } from '../../../core/protocol/recordStructure';
import { transferModes } from '../../../core/protocol/transferModes';
import type { TransferUnit } from '../../../core/protocol/transferUnits';
import type { TransferSettings } from '../../../core/machines/channelEvents';
import type { TransferSink } from '../../store/transferEnds';
import { WritesInFlight } from './backPressure';
import type { Framing } from '../../../core/protocol/framing';
import type { TransferContext, TransferResult } from './transferContext';

/**
 * Under STRU R each EOR becomes a line end. In BLOCK/COMPRESSED the connection then stays open; in STREAM
 * (records) the sender closes it anyway (facts §0 item 10), so the transfer ends with the peer's FIN. A close
 * before the EOF marker is a lost transfer; the sink keeps what arrived.
 */
export function receiveFramed(
  transfer: TransferContext,
  into: TransferSink,
  settings: TransferSettings,
  convertAscii: boolean,
  framing: Framing,
): Promise<TransferResult> {
  const sink = into.stream;
  const traced = transfer.traced;
  const socket = traced.socket;
  const decoder = framing.decoder();
  const records = settings.structure === 'R' ? createRecordLineJoiner() : undefined;
  const ascii = convertAscii && !records ? createAsciiDecoder() : undefined;
  const keepsOpen = !transferModes[settings.mode].eofByClose;
  transfer.activeSink = sink;
  traced.peerCloseMeaning = keepsOpen ? undefined : 'eof';
  // Payload straight from the decoded bytes (no records to join, no line ends to convert) into a store's
  // file, which takes whole buffers: one positional write per socket read, a few in flight. With large reads
  // (and nobody else watching the bytes) the reads are decoded in the buffers they were read into.
  const draining = into.kind === 'file' && !records && !ascii ? into.stream : undefined;
  const reads = draining && socket.listenerCount('data') === 0 ? traced.reads : undefined;
  let written = 0;
  /** The file's bytes as they travelled (data units), for the summary: the wire count adds the framing. */
  let payloadIn = 0;
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
    const writes = new WritesInFlight(
      socket,
      () => {
        if (writes.count === 0 && finishWhenWritten) finishWhenWritten();
      },
      fail,
    );
    const finish = () => {
      if (writes.count > 0) {
        finishWhenWritten = finish;
        return;
      }
      stop();
      const tail = ascii?.end();
      if (tail && tail.length > 0) sink.write(tail);
      sink.once('error', reject);
      sink.end(() => {
        transfer.activeSink = undefined;
        // The decoder's count: the socket's would also hold what followed the EOF marker (the next file).
        resolve(transfer.finish(true, keepsOpen, decoder.bytesConsumed, payloadIn));
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
          transfer.marker('received', 'restart', '', payloadIn, unit.marker);
          transfer.restartMarker(unit.marker, written);
        } else if (unit.kind === 'eof') {
          // The file's bytes are recorded before the marker that ends them, as on the wire.
          transfer.record(true, keepsOpen, decoder.bytesConsumed, payloadIn);
          transfer.marker('received', 'eof', framing.eofHex, payloadIn);
        }
      }
      sink.uncork();
      // The decoder keeps nothing of the chunk but what follows the EOF marker (copied out below).
      const rest = decoder.done && keepsOpen ? Buffer.from(decoder.takeRest()) : undefined;
      const payload = draining ? contiguousPayload(chunk, units) : undefined;
      if (draining && payload && payload.length > 0) writes.add(draining.writeFrom(payload, payload.length), release);
      else release();
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
        if (traced.reads) traced.reads.hold(rest);
        else if (rest && rest.length > 0) socket.unshift(rest);
        finish();
        return true;
      }
      if (!ok) {
        sink.once('drain', () => socket.resume());
        if (reads) return false;
        socket.pause();
      } else if (writes.stopReadingIfFull()) {
        if (reads) return false;
        socket.pause();
      }
      return true;
    };
    const onData = (chunk: Buffer) => void onChunk(chunk, () => undefined);
    socket.once('end', onEnd);
    transfer.detachReceive = () => {
      stop();
      reads?.giveBack();
    };
    if (reads) {
      // Bytes that arrived before this transfer began wait in the socket's buffer: they come first.
      for (let chunk = socket.read() as Buffer | null; chunk !== null && !decoder.done; chunk = socket.read() as Buffer | null) onChunk(chunk, () => undefined);
      if (!decoder.done) reads.takeReads((buffer, length, release) => onChunk(buffer.subarray(0, length), release));
    } else {
      // Bytes held since the last transfer on this connection come first, as 'data'.
      traced.reads?.giveBack();
      socket.on('data', onData);
    }
    socket.resume();
  });
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
