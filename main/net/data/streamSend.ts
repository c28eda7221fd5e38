// STREAM send with file structure (959 §3.4.1): the file's bytes as they are, or as TYPE A converts them; the sender's close then ends the file.

import type { Readable } from 'node:stream';
import { createAsciiEncoder } from '../../../core/protocol/asciiConversion';
import type { FileSource } from '../../store/fileStore';
import { asciiEncodeStream } from './asciiStreams';
import { written } from './backPressure';
import type { TransferContext, TransferResult } from './transferContext';
import { twoBufferChunks } from './twoBufferChunks';

/**
 * Any stream piped to the connection (without closing it), TYPE A's line ends converted on the way if asked.
 * Resolves once every byte has been handed to the kernel, or, with `pauseAfterBytes`, once that many have
 * gone out (the rest is not sent). Rejects if the connection breaks first.
 */
export function sendPiped(transfer: TransferContext, source: Readable, convertAscii: boolean, pauseAfterBytes: number | undefined): Promise<TransferResult> {
  const socket = transfer.traced.socket;
  const input = convertAscii ? source.pipe(asciiEncodeStream()) : source;
  transfer.activeSource = source;
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
        if (transfer.bytes < pauseAfterBytes) return;
        input.off('data', check);
        input.unpipe(socket);
        input.pause();
        socket.off('close', onClose);
        resolve({ bytes: transfer.bytes, complete: false, paused: true });
      };
      input.on('data', check);
    }
    input.pipe(socket, { end: false });
    input.once('end', () => {
      // An empty write's callback runs once everything queued before it has been flushed.
      socket.write(Buffer.alloc(0), () => {
        socket.off('close', onClose);
        transfer.activeSource = undefined;
        resolve(transfer.finish(true));
      });
    });
  });
}

/**
 * Bytes already in memory (a small file, a listing): one write, TYPE A's line ends converted first.
 * Resolves once the kernel has them; rejects if the connection breaks first.
 */
export function sendInOneWrite(transfer: TransferContext, bytes: Buffer, convertAscii: boolean): Promise<TransferResult> {
  const wire = convertAscii ? Buffer.from(createAsciiEncoder()(bytes)) : bytes;
  const socket = transfer.traced.socket;
  return new Promise((resolve, reject) => {
    if (socket.destroyed || transfer.traced.finSent) return reject(new Error('the data connection closed during the transfer'));
    socket.write(wire, (error) => (error ? reject(error) : resolve(transfer.finish(true))));
  });
}

/**
 * A store's file, whole and unconverted: two buffers reused for the whole file, the next read running
 * while the previous write goes out, and no more than one write queued on the socket. No allocation per
 * chunk (a fresh 1 MiB buffer per read is what makes a piped file stream slow).
 */
export function sendFilled(transfer: TransferContext, source: FileSource): Promise<TransferResult> {
  const socket = transfer.traced.socket;
  transfer.activeSource = source;
  return new Promise((resolve, reject) => {
    const onClose = () => reject(new Error('the data connection closed during the transfer'));
    socket.once('close', onClose);
    // abort() destroys the source: stop at once; the socket's close then settles the transfer.
    const stopped = () => source.destroyed || socket.destroyed;
    const run = async () => {
      let writing: Promise<boolean> | undefined;
      for await (const chunk of twoBufferChunks(source, () => writing)) {
        // No more than one write queued on the socket: the last one reached the kernel first.
        if (writing && !(await writing)) return;
        if (stopped()) return;
        writing = written(socket, chunk);
      }
      if (writing && !(await writing)) return;
      if (stopped()) return;
      socket.off('close', onClose);
      transfer.activeSource = undefined;
      source.destroy();
      resolve(transfer.finish(true));
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
