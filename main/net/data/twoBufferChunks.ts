// A store's file read as chunks into two buffers used in turn, for the senders that take it whole.

import type { BufferFillingSource } from '../../store/fileStore';

/** Each of the two buffers: this size (or the file's, if smaller), reused for the whole file. */
const SEND_BUFFER_BYTES = 1024 * 1024;

/**
 * A store's file as chunks in two buffers used in turn: the next read runs while the last chunk goes
 * out, and no fresh buffer per chunk. A buffer is read into again only once the write the consumer
 * made of it (`lastWrite()`, asked after each chunk) has settled.
 */
export async function* twoBufferChunks(fill: BufferFillingSource, lastWrite: () => Promise<unknown> | undefined): AsyncGenerator<Buffer> {
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
