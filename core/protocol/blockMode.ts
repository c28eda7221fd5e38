// BLOCK mode (MODE B) framing: 3-byte block headers with descriptor bits and a 16-bit count, RFC 959 §3.4.2.

import {
  DESCRIPTOR_EOF,
  DESCRIPTOR_EOR,
  DESCRIPTOR_RESTART,
  DESCRIPTOR_SUSPECT,
  TransferFormatError,
  describeByte,
  isMarkerByte,
  markerText,
  restartMarkerBytes,
} from './transferUnits';
import type { TransferEncoder, TransferUnit } from './transferUnits';

/** The largest count a header can hold: 16 bits (959 §3.4.2). */
export const MAX_BLOCK_DATA = 0xffff;

const HEADER_LENGTH = 3;

/** Malformed BLOCK-mode bytes; the message names the byte offset (from the start of the transfer). */
export class BlockFormatError extends TransferFormatError {
  constructor(offset: number, detail: string) {
    super('BLOCK', offset, detail);
    this.name = 'BlockFormatError';
  }
}

export interface BlockEncoderOptions {
  /**
   * Put EOF (0x40) on the last data block instead of sending a separate empty EOF block
   * (`40 00 00`). Both are legal (959 §3.4.2: "the end of this block is EOF"). To do it the encoder
   * holds back the last block of each data() call, and an EOR, until the next call shows what comes
   * next; so data() then returns one block less than it could. Default false.
   */
  eofOnLastBlock?: boolean;
}

function header(descriptor: number, count: number): Uint8Array {
  return Uint8Array.of(descriptor, count >>> 8, count & 0xff);
}

/**
 * The sender's side. data() cuts the payload into blocks of at most 65,535 bytes and returns
 * header, payload subarray, header, payload subarray, ...: the payload is never copied, so the
 * caller must not change a buffer it passed in until the pieces are written.
 *
 * Default framing (every choice is legal under 959 §3.4.2, and the simplest to read in a trace):
 * - data: `00 nn nn` + bytes; empty data sends nothing (no empty data blocks);
 * - eor(): an empty block `80 00 00`;
 * - restart(marker): `10 00 nn` + the marker (ASCII 33-126, no spaces, 1..65535 characters);
 * - eof(): an empty block `40 00 00`.
 * With eofOnLastBlock the held-back last block gets 0x80 for an eor() that follows it and 0x40 for
 * the eof(), so records "abc" and "de" go out as `80 00 03 61 62 63 C0 00 02 64 65`; an EOR or EOF
 * with no data block to ride on is still an empty block (`80 00 00`, `C0 00 00`, `40 00 00`).
 * Any call after eof() throws.
 */
export function createBlockEncoder(options: BlockEncoderOptions = {}): TransferEncoder {
  const merge = options.eofOnLastBlock === true;
  // eofOnLastBlock only: the block not yet sent (payload may be empty) and the descriptor so far.
  let held: { bytes: Uint8Array; descriptor: number } | undefined;
  let finished = false;

  const check = (call: string) => {
    if (finished) throw new Error(`BLOCK encoder: ${call}() after eof()`);
  };
  /** Appends the held block, if any, to `out`. */
  const release = (out: Uint8Array[]) => {
    if (held === undefined) return;
    out.push(header(held.descriptor, held.bytes.length));
    if (held.bytes.length > 0) out.push(held.bytes);
    held = undefined;
  };

  return {
    data(bytes) {
      check('data');
      const out: Uint8Array[] = [];
      if (bytes.length === 0) return out;
      release(out);
      for (let from = 0; from < bytes.length; from += MAX_BLOCK_DATA) {
        const block = bytes.subarray(from, Math.min(from + MAX_BLOCK_DATA, bytes.length));
        if (merge && from + MAX_BLOCK_DATA >= bytes.length) {
          held = { bytes: block, descriptor: 0 };
        } else {
          out.push(header(0, block.length), block);
        }
      }
      return out;
    },
    eor() {
      check('eor');
      if (!merge) return [header(DESCRIPTOR_EOR, 0)];
      const out: Uint8Array[] = [];
      // A held block that already ends a record cannot end another one: the new record is empty.
      if (held !== undefined && (held.descriptor & DESCRIPTOR_EOR) === 0) {
        held.descriptor |= DESCRIPTOR_EOR;
        return out;
      }
      release(out);
      held = { bytes: new Uint8Array(0), descriptor: DESCRIPTOR_EOR };
      return out;
    },
    restart(marker) {
      check('restart');
      const bytes = restartMarkerBytes(marker, MAX_BLOCK_DATA, 'BLOCK');
      const out: Uint8Array[] = [];
      release(out);
      out.push(header(DESCRIPTOR_RESTART, bytes.length), bytes);
      return out;
    },
    eof() {
      check('eof');
      finished = true;
      if (held === undefined) return [header(DESCRIPTOR_EOF, 0)];
      held.descriptor |= DESCRIPTOR_EOF;
      const out: Uint8Array[] = [];
      release(out);
      return out;
    },
  };
}

/**
 * The receiver's side, for any chunking of the bytes (a header may be split anywhere). For each
 * block, in this order: 'suspect' when bit 0x20 is set (as soon as the header is complete); the
 * payload as 'data' units as it arrives (zero-copy subarrays; a count larger than what has
 * arrived just means more is coming), or, with bit 0x10, one 'restart' unit once the whole marker
 * is in; then 'eor' for bit 0x80 and 'eof' for bit 0x40. So EOF on the last data block, a separate
 * empty EOF block, and EOR+EOF (0xC0) all decode. The four low bits have no meaning in 959 and
 * are ignored. A restart block must hold 1..65535 bytes in 33..126 (no space), else BlockFormatError.
 *
 * After EOF the decoder stops: the bytes after it in the same chunk (normally none, but the data
 * connection stays open in BLOCK mode, 959 §3.3) are kept for takeRest(), and push() throws.
 */
export class BlockDecoder {
  readonly #header = new Uint8Array(HEADER_LENGTH);
  #headerLength = 0;
  /** Inside a block: its descriptor and the payload bytes still to come. */
  #inBlock = false;
  #descriptor = 0;
  #remaining = 0;
  /** Offset of the current block's header, for messages. */
  #blockOffset = 0;
  /** The restart marker collected so far (only for a 0x10 block). */
  #marker: number[] | undefined;
  #consumed = 0;
  #done = false;
  #ended = false;
  #rest: Uint8Array = new Uint8Array(0);
  #error: BlockFormatError | undefined;

  /** True once a block with the EOF bit has been decoded completely. */
  get done(): boolean {
    return this.#done;
  }

  /** Bytes taken in so far; bytes after the EOF (see takeRest) are not counted. */
  get bytesConsumed(): number {
    return this.#consumed;
  }

  push(chunk: Uint8Array): TransferUnit[] {
    this.#checkUsable('push');
    const out: TransferUnit[] = [];
    let i = 0;
    try {
      while (i < chunk.length) {
        if (!this.#inBlock) {
          if (this.#headerLength === 0) this.#blockOffset = this.#consumed + i;
          while (this.#headerLength < HEADER_LENGTH && i < chunk.length) this.#header[this.#headerLength++] = chunk[i++] as number;
          if (this.#headerLength < HEADER_LENGTH) break;
          this.#startBlock(out);
        }
        const take = Math.min(this.#remaining, chunk.length - i);
        if (this.#marker !== undefined) {
          for (let k = i; k < i + take; k++) {
            const byte = chunk[k] as number;
            if (!isMarkerByte(byte)) {
              throw new BlockFormatError(
                this.#consumed + k,
                `restart marker byte ${describeByte(byte)} is not allowed: a marker is printable ASCII 33-126 with no spaces (RFC 959 §3.4.2, §5.3.2)`,
              );
            }
            this.#marker.push(byte);
          }
        } else if (take > 0) {
          out.push({ kind: 'data', bytes: chunk.subarray(i, i + take) });
        }
        i += take;
        this.#remaining -= take;
        if (this.#remaining === 0) {
          this.#endBlock(out);
          if (this.#done) {
            this.#rest = chunk.subarray(i);
            break;
          }
        }
      }
    } catch (error) {
      if (error instanceof BlockFormatError) this.#error = error;
      throw error;
    }
    this.#consumed += i;
    return out;
  }

  /**
   * The sender has finished (the connection closed). Returns no units: BLOCK mode has nothing held
   * back. Throws BlockFormatError if the stream stopped inside a header or inside a block. Ending
   * without an EOF block is not a format error; `done` stays false and the caller decides.
   */
  end(): TransferUnit[] {
    this.#checkUsable('end');
    this.#ended = true;
    if (this.#headerLength > 0) {
      this.#error = new BlockFormatError(
        this.#consumed,
        `the stream ended inside a block header (${this.#headerLength} of 3 bytes, header at offset ${this.#blockOffset})`,
      );
      throw this.#error;
    }
    if (this.#inBlock) {
      const count = this.#count();
      this.#error = new BlockFormatError(
        this.#consumed,
        `the stream ended inside a block: ${count - this.#remaining} of ${count} bytes arrived (header at offset ${this.#blockOffset})`,
      );
      throw this.#error;
    }
    return [];
  }

  /** The bytes of the last pushed chunk that came after the EOF block. Empty before EOF, and after the first call. */
  takeRest(): Uint8Array {
    const rest = this.#rest;
    this.#rest = new Uint8Array(0);
    return rest;
  }

  #count(): number {
    return ((this.#header[1] as number) << 8) | (this.#header[2] as number);
  }

  #startBlock(out: TransferUnit[]): void {
    this.#headerLength = 0;
    this.#inBlock = true;
    this.#descriptor = this.#header[0] as number;
    this.#remaining = this.#count();
    if (this.#descriptor & DESCRIPTOR_SUSPECT) out.push({ kind: 'suspect' });
    if (this.#descriptor & DESCRIPTOR_RESTART) {
      if (this.#remaining === 0) {
        throw new BlockFormatError(
          this.#blockOffset,
          `restart-marker block (descriptor ${describeByte(this.#descriptor)}) with count 0: a marker has at least one character (RFC 959 §3.4.2)`,
        );
      }
      this.#marker = [];
    }
  }

  #endBlock(out: TransferUnit[]): void {
    this.#inBlock = false;
    if (this.#marker !== undefined) {
      out.push({ kind: 'restart', marker: markerText(this.#marker) });
      this.#marker = undefined;
    }
    if (this.#descriptor & DESCRIPTOR_EOR) out.push({ kind: 'eor' });
    if (this.#descriptor & DESCRIPTOR_EOF) {
      out.push({ kind: 'eof' });
      this.#done = true;
    }
  }

  #checkUsable(call: string): void {
    if (this.#error !== undefined) throw this.#error;
    if (this.#done && call === 'push')
      throw new Error('BLOCK decoder: push() after EOF; the bytes after it are in takeRest(), the next transfer needs a new decoder');
    if (this.#ended && call === 'push') throw new Error('BLOCK decoder: push() after end()');
  }
}
