// STREAM receive with file structure (959 §3.4.1): every byte until the sender's close, which is the end of file.

import type { Writable } from 'node:stream';
import type { TransferSettings } from '../../../core/machines/channelEvents';
import type { FileSink } from '../../store/fileStore';
import type { ReadRouter } from '../largeReads';
import { asciiDecodeStream } from './asciiStreams';
import { WritesInFlight } from './backPressure';
import type { TransferContext, TransferResult } from './transferContext';

/**
 * The connection piped into any sink, TYPE A's line ends converted on the way if asked, until the peer's
 * FIN and the sink has flushed. Rejects if the connection breaks first; the sink keeps what arrived.
 */
export function receivePiped(transfer: TransferContext, sink: Writable, settings: TransferSettings, convertAscii: boolean): Promise<TransferResult> {
  const traced = transfer.traced;
  const socket = traced.socket;
  transfer.activeSink = sink;
  // In STREAM mode the sender's close is the end of file (959 §3.4.1): say so when it comes.
  traced.peerCloseMeaning = settings.mode === 'S' ? 'eof' : undefined;
  // Bytes held since a last transfer on this connection come first, as 'data'.
  traced.reads?.giveBack();
  const stream = convertAscii ? socket.pipe(asciiDecodeStream()) : socket;
  // The peer's FIN ends the file: its bytes are in the trace before the FIN is (the wire's order).
  if (settings.mode === 'S') traced.beforePeerFin = () => transfer.record(true);
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
      transfer.activeSink = undefined;
      resolve(transfer.finish(true));
    });
    stream.pipe(sink);
    transfer.detachReceive = () => {
      socket.unpipe();
      if (stream !== socket) stream.unpipe(sink);
    };
  });
}

/**
 * The connection's reads straight into a store's file: each socket read (up to 1 MiB, largeReads.ts) goes
 * to the file in the buffer it was read into, a few writes in flight at their own offsets, and the buffer
 * is read into again once written. No copy and no fresh buffer per read.
 */
export function receiveDrained(transfer: TransferContext, sink: FileSink, reads: ReadRouter, settings: TransferSettings): Promise<TransferResult> {
  const traced = transfer.traced;
  const socket = traced.socket;
  traced.peerCloseMeaning = settings.mode === 'S' ? 'eof' : undefined;
  if (settings.mode === 'S') traced.beforePeerFin = () => transfer.record(true);
  return new Promise((resolve, reject) => {
    let ended = false;
    let detached = false;
    let failed = false;
    // After the end of file (or an abort) and the last write: close the file, then the transfer is done.
    const settle = () => {
      if (failed || writes.count > 0 || !(ended || detached)) return;
      reads.giveBack();
      sink.once('finish', () => resolve(transfer.finish(true)));
      sink.end();
    };
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      reads.giveBack();
      sink.destroy();
      reject(error);
    };
    const writes = new WritesInFlight(socket, settle, fail);
    const put = (buffer: Buffer, length: number, release: () => void): boolean => {
      if (detached || failed) {
        release();
        return true;
      }
      writes.add(sink.writeFrom(buffer, length), release);
      return !writes.stopReadingIfFull();
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
    transfer.detachReceive = () => {
      detached = true;
      reads.giveBack();
      settle();
    };
    socket.resume();
    settle();
  });
}
