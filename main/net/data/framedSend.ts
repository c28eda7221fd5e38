// Framed send (BLOCK, COMPRESSED, or STREAM with records, 959 §3.4): the payload in the mode's units, restart markers if asked, then the EOF marker.

import { createLineRecordSplitter } from '../../../core/protocol/recordStructure';
import { transferModes } from '../../../core/protocol/transferModes';
import type { TransferUnit } from '../../../core/protocol/transferUnits';
import type { TransferSettings } from '../../../core/machines/channelEvents';
import type { TransferSource } from '../../store/transferEnds';
import { asciiEncodeStream } from './asciiStreams';
import { drained } from './backPressure';
import { toHex, type Framing } from '../../../core/protocol/framing';
import type { TransferContext, TransferResult } from './transferContext';
import { twoBufferChunks } from './twoBufferChunks';

/** Bytes queued on the socket before the sender waits for it to drain. */
const FRAMED_QUEUE_BYTES = 2 * 1024 * 1024;

/**
 * Each line an EOR-terminated record under STRU R, restart markers every `restartEvery` bytes if asked,
 * then the EOF marker. In BLOCK/COMPRESSED the connection then stays open (959 §3.3).
 */
export async function sendFramed(
  transfer: TransferContext,
  from: TransferSource,
  settings: TransferSettings,
  convertAscii: boolean,
  framing: Framing,
  pauseAfterBytes = Infinity,
): Promise<TransferResult> {
  const source = from.stream;
  const socket = transfer.traced.socket;
  const encoder = framing.encoder();
  // Under STRU R a line end becomes an EOR, so there is no line end left for TYPE A to convert.
  const records = settings.structure === 'R' ? createLineRecordSplitter() : undefined;
  const input = convertAscii && !records ? source.pipe(asciiEncodeStream()) : source;
  transfer.activeSource = source;
  const every = encoder.restart ? (settings.restartEvery ?? 0) : 0;
  // Markers name the sender's position in the whole file, also when this transfer resumes part-way.
  const base = settings.markerBase ?? 0;
  let payload = 0;
  let nextMark = every > 0 ? every - (base % every) : Infinity;
  /** Settles when the last piece written so far has been handed to the kernel (or failed). */
  let lastWrite: Promise<void> = Promise.resolve();
  const write = async (pieces: Uint8Array[]) => {
    if (pieces.length === 0) return;
    if (socket.destroyed || transfer.traced.finSent) throw new Error('the data connection closed during the transfer');
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
      transfer.marker('sent', 'restart', '', nextMark, marker);
      payload = nextMark;
      rest = rest.subarray(cut);
      nextMark += every;
    }
    await write(encoder.data(rest));
    payload += rest.length;
  };
  // A store's file can fill two buffers in turn, the next read running while the last one's blocks
  // go out (as a STREAM send does): no fresh buffer per chunk. Otherwise the stream's own chunks.
  const filling = from.kind === 'file' && !convertAscii && !records && pauseAfterBytes === Infinity ? from.stream : undefined;
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
        return { bytes: transfer.bytes, complete: false, paused: true };
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
  const wire = transfer.bytes + eof.reduce((n, piece) => n + piece.length, 0);
  transfer.record(true, keptOpen, wire, payload);
  await write(eof);
  transfer.marker('sent', 'eof', toHex(eof), payload);
  // Everything queued has reached the kernel, or the connection failed and the transfer did too.
  await new Promise<void>((resolve, reject) => socket.write(Buffer.alloc(0), (error) => (error ? reject(error) : resolve())));
  transfer.activeSource = undefined;
  return transfer.finish(true, keptOpen, wire, payload);
}
