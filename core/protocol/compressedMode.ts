// COMPRESSED mode (MODE C) framing: byte strings, replicated bytes, filler strings and 00-escapes, RFC 959 §3.4.3.

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

/** Longest byte string: a 7-bit count (959 §3.4.3, `0nnnnnnn`). Also the longest restart marker. */
export const MAX_BYTE_STRING = 127;
/** Longest replicated or filler run: a 6-bit count (`10nnnnnn`, `11nnnnnn`). */
export const MAX_RUN = 63;
/** A replicated-byte unit is used for runs of at least this many bytes (see createCompressedEncoder). */
export const MIN_REPLICATED_RUN = 3;
/** A filler unit is used for runs of at least this many filler bytes. */
export const MIN_FILLER_RUN = 2;

const ESCAPE = 0x00;
const REPLICATED = 0x80;
const FILLER = 0xc0;
const COUNT_6 = 0x3f;

/** Malformed COMPRESSED-mode bytes; the message names the byte offset (from the start of the transfer). */
export class CompressedFormatError extends TransferFormatError {
  constructor(offset: number, detail: string) {
    super('COMPRESSED', offset, detail);
    this.name = 'CompressedFormatError';
  }
}

export interface CompressedModeOptions {
  /**
   * The filler byte (959 §3.4.3): space for TYPE A (0x20) and TYPE E (0x40 in EBCDIC), 0x00 for
   * TYPE I and L. See fillerFor().
   */
  filler: number;
}

/** The filler byte for a representation type (959 §3.4.3). */
export function fillerFor(type: 'A' | 'E' | 'I' | 'L'): number {
  if (type === 'A') return 0x20;
  if (type === 'E') return 0x40;
  return 0x00;
}

function checkFiller(filler: number): number {
  if (!Number.isInteger(filler) || filler < 0 || filler > 0xff) throw new RangeError(`COMPRESSED mode: the filler must be a byte value 0..255, got ${filler}`);
  return filler;
}

/**
 * The sender's side. Encoding choices:
 * - a run of the filler byte of 2 or more bytes becomes filler units (`11nnnnnn`, 1 byte each);
 * - a run of any other byte of 3 or more becomes replicated units (`10nnnnnn d`, 2 bytes each);
 * - everything else goes into byte strings (`0nnnnnnn` + up to 127 bytes);
 * - runs longer than 63 are cut into units of 63; a tail shorter than the minimum joins the literal
 *   bytes around it.
 * Why these minimums: pulling a run out of the middle of a byte string can cost a new byte-string
 * header after it. A 2-byte filler run (1 + 1) or a 3-byte replicated run (2 + 1) then costs at most
 * what it would have cost inside the string, so a run unit never makes the output longer; a
 * replicated 2-byte run (2 + 1 > 2) or a lone filler byte (1 + 1 > 1) could. One consequence: the
 * output of a data() call is never longer than n + ceil(n / 127), the all-literal case, which is the
 * size of the buffer it is built in.
 * Each data() call is encoded on its own (a run split across two calls is two runs: still correct,
 * just less compact) and returns one piece. eor() is `00 80`, restart(marker) is `00 10` followed by
 * the marker as one byte string (1..127 characters, ASCII 33-126), eof() is `00 40` after the last
 * data unit (design.md: FTP Lab sends the EOF escape last). Any call after eof() throws.
 */
export function createCompressedEncoder(options: CompressedModeOptions): TransferEncoder {
  const filler = checkFiller(options.filler);
  let finished = false;
  const check = (call: string) => {
    if (finished) throw new Error(`COMPRESSED encoder: ${call}() after eof()`);
  };
  return {
    data(bytes) {
      check('data');
      if (bytes.length === 0) return [];
      return [compress(bytes, filler)];
    },
    eor() {
      check('eor');
      return [Uint8Array.of(ESCAPE, DESCRIPTOR_EOR)];
    },
    restart(marker) {
      check('restart');
      const text = restartMarkerBytes(marker, MAX_BYTE_STRING, 'COMPRESSED');
      const out = new Uint8Array(3 + text.length);
      out[0] = ESCAPE;
      out[1] = DESCRIPTOR_RESTART;
      out[2] = text.length;
      out.set(text, 3);
      return [out];
    },
    eof() {
      check('eof');
      finished = true;
      return [Uint8Array.of(ESCAPE, DESCRIPTOR_EOF)];
    },
  };
}

/** One data() call's units, built in a buffer of the worst-case size (see createCompressedEncoder). */
function compress(bytes: Uint8Array, filler: number): Uint8Array {
  const n = bytes.length;
  const out = new Uint8Array(n + Math.ceil(n / MAX_BYTE_STRING));
  let o = 0;
  let literalFrom = 0;
  let i = 0;
  while (i < n) {
    const b = bytes[i] as number;
    let j = i + 1;
    while (j < n && bytes[j] === b) j++;
    const isFiller = b === filler;
    const min = isFiller ? MIN_FILLER_RUN : MIN_REPLICATED_RUN;
    let left = j - i;
    if (left >= min) {
      o = writeByteStrings(bytes, literalFrom, i, out, o);
      while (left >= min) {
        const count = Math.min(left, MAX_RUN);
        if (isFiller) {
          out[o++] = FILLER | count;
        } else {
          out[o++] = REPLICATED | count;
          out[o++] = b;
        }
        left -= count;
      }
      // A tail too short for a unit of its own stays literal, with what follows.
      literalFrom = j - left;
    }
    i = j;
  }
  o = writeByteStrings(bytes, literalFrom, n, out, o);
  return out.subarray(0, o);
}

function writeByteStrings(bytes: Uint8Array, from: number, to: number, out: Uint8Array, o: number): number {
  while (from < to) {
    const count = Math.min(MAX_BYTE_STRING, to - from);
    out[o++] = count;
    if (count < 16) {
      for (let k = 0; k < count; k++) out[o + k] = bytes[from + k] as number;
    } else {
      out.set(bytes.subarray(from, from + count), o);
    }
    o += count;
    from += count;
  }
  return o;
}

// Decoder states: what the next byte is.
/** The leading byte of a unit. */
const LEADING = 0;
/** The descriptor after an escape byte 00. */
const DESCRIPTOR = 1;
/** One of the bytes of a byte string (data or a restart marker). */
const STRING_BYTE = 2;
/** The byte d of a replicated-byte unit. */
const REPLICATED_BYTE = 3;

/**
 * The receiver's side, for any chunking of the bytes. Byte strings come out as zero-copy
 * subarrays (a string split across chunks comes out in parts); replicated and filler units as new
 * arrays. A zero count in a replicated or filler unit (`80 d`, `C0`) is accepted and gives no bytes.
 *
 * Escapes (`00` + descriptor, bits as in BLOCK mode): 0x20 gives 'suspect' at once; 0x10 says a
 * restart marker follows, which must be the next unit and a byte string of bytes 33..126
 * (CompressedFormatError otherwise), giving 'restart'; 0x80 alone gives 'eor' at once (the EOR
 * belongs where the escape stands); the four low bits have no meaning in 959 and are ignored.
 *
 * The EOF rule (design.md: "accepts it in either position"). 959 says an escape's descriptor
 * applies to the bytes that follow it, so a literal sender puts `00 40` before the last data unit;
 * FTP Lab puts it after the last unit. On an escape with the EOF bit (`00 40`, or `00 C0` = EOR+EOF,
 * or the bits left over after a restart marker), the decoder holds the EOF (and EOR) pending, and
 * `eofPending` is true. Then:
 * 1. the next byte is 00 (an escape): the EOF stood after the last unit. 'eor' (if set) and 'eof'
 *    are emitted, and that 00 and everything after it is left for takeRest();
 * 2. the next byte starts a data unit (01..FF): the literal reading. That one unit is decoded,
 *    then 'eor' (if set) and 'eof' are emitted; bytes after the unit are left for takeRest();
 * 3. end() is called first: 'eor' (if set) and 'eof' are emitted.
 * Because the data connection stays open in COMPRESSED mode, a receiver whose sender uses the
 * trailing form sees no next byte: once `eofPending` is true it can call end() to settle it as soon
 * as it knows the sender is done (FTP Lab's own sender always uses the trailing form).
 */
export class CompressedDecoder {
  readonly #filler: number;
  #state = LEADING;
  /** Bytes still to come in the current byte string, or the count of the replicated unit. */
  #count = 0;
  /** The restart marker collected so far, while its byte string is being read. */
  #marker: number[] | undefined;
  /** An escape with bit 0x10 was read: the next unit must be the marker byte string. */
  #markerExpected = false;
  /** EOR/EOF bits of that escape, applied after the marker. */
  #afterMarker = 0;
  /** The EOR/EOF bits of an EOF escape waiting to be placed (0 when none). */
  #pendingEnd = 0;
  /** The unit now being decoded is the one after a pending EOF (the literal reading). */
  #closingUnit = false;
  /** Offset of the current unit's leading byte, and of the last escape, for messages. */
  #unitOffset = 0;
  #escapeOffset = 0;
  #consumed = 0;
  #done = false;
  #ended = false;
  #rest: Uint8Array = new Uint8Array(0);
  #error: CompressedFormatError | undefined;

  constructor(options: CompressedModeOptions) {
    this.#filler = checkFiller(options.filler);
  }

  /** True once the EOF has been placed (see the EOF rule above). */
  get done(): boolean {
    return this.#done;
  }

  /** An EOF escape has been read and the decoder is waiting to see whether one more unit follows. */
  get eofPending(): boolean {
    return this.#pendingEnd !== 0 && !this.#done;
  }

  /** Bytes taken in so far; bytes after the EOF (see takeRest) are not counted. */
  get bytesConsumed(): number {
    return this.#consumed;
  }

  push(chunk: Uint8Array): TransferUnit[] {
    if (this.#error !== undefined) throw this.#error;
    if (this.#done) throw new Error('COMPRESSED decoder: push() after EOF; the bytes after it are in takeRest(), the next transfer needs a new decoder');
    if (this.#ended) throw new Error('COMPRESSED decoder: push() after end()');
    const out: TransferUnit[] = [];
    let i = 0;
    try {
      while (i < chunk.length) {
        if (this.#state === LEADING) {
          const b = chunk[i] as number;
          if (this.#pendingEnd !== 0 && !this.#closingUnit) {
            if (b === ESCAPE) {
              this.#finish(out);
              break;
            }
            this.#closingUnit = true;
          }
          this.#unitOffset = this.#consumed + i;
          i++;
          this.#leading(b, out);
        } else if (this.#state === DESCRIPTOR) {
          this.#state = LEADING;
          this.#descriptor(chunk[i++] as number, out);
        } else if (this.#state === STRING_BYTE) {
          const take = Math.min(this.#count, chunk.length - i);
          if (this.#marker !== undefined) {
            for (let k = i; k < i + take; k++) {
              const byte = chunk[k] as number;
              if (!isMarkerByte(byte)) {
                throw new CompressedFormatError(
                  this.#consumed + k,
                  `restart marker byte ${describeByte(byte)} is not allowed: a marker is printable ASCII 33-126 with no spaces (RFC 959 §3.4.3, §5.3.2)`,
                );
              }
              this.#marker.push(byte);
            }
          } else {
            out.push({ kind: 'data', bytes: chunk.subarray(i, i + take) });
          }
          i += take;
          this.#count -= take;
          if (this.#count === 0) {
            this.#state = LEADING;
            if (this.#marker !== undefined) {
              out.push({ kind: 'restart', marker: markerText(this.#marker) });
              this.#marker = undefined;
              this.#applyEnds(this.#afterMarker, out);
            }
            this.#unitDone(out);
          }
        } else {
          this.#state = LEADING;
          const d = chunk[i++] as number;
          if (this.#count > 0) out.push({ kind: 'data', bytes: new Uint8Array(this.#count).fill(d) });
          this.#unitDone(out);
        }
        if (this.#done) break;
      }
    } catch (error) {
      if (error instanceof CompressedFormatError) this.#error = error;
      throw error;
    }
    if (this.#done) this.#rest = chunk.subarray(i);
    this.#consumed += i;
    return out;
  }

  /**
   * The sender has finished (or the caller has decided it has: see the EOF rule). Returns the
   * 'eor'/'eof' of a pending EOF escape, else nothing. Throws CompressedFormatError if the stream
   * stopped inside a unit or an escape. Ending without any EOF escape is not a format error;
   * `done` stays false and the caller decides.
   */
  end(): TransferUnit[] {
    if (this.#error !== undefined) throw this.#error;
    if (this.#ended || this.#done) return [];
    this.#ended = true;
    const at = this.#consumed;
    let problem: string | undefined;
    if (this.#state === DESCRIPTOR) problem = `the stream ended after the escape byte 00 at offset ${this.#escapeOffset}, before its descriptor byte`;
    else if (this.#state === STRING_BYTE && this.#marker !== undefined)
      problem = `the stream ended inside a restart marker (unit at offset ${this.#unitOffset}): ${this.#count} more bytes were announced`;
    else if (this.#state === STRING_BYTE)
      problem = `the stream ended inside a byte string (unit at offset ${this.#unitOffset}): ${this.#count} more bytes were announced`;
    else if (this.#state === REPLICATED_BYTE) problem = `the stream ended before the byte of the replicated-byte unit at offset ${this.#unitOffset}`;
    else if (this.#markerExpected) problem = `the stream ended before the restart marker announced by the escape at offset ${this.#escapeOffset}`;
    if (problem !== undefined) {
      this.#error = new CompressedFormatError(at, problem);
      throw this.#error;
    }
    const out: TransferUnit[] = [];
    if (this.#pendingEnd !== 0) this.#finish(out);
    return out;
  }

  /** The bytes of the last pushed chunk that came after the EOF. Empty before EOF, and after the first call. */
  takeRest(): Uint8Array {
    const rest = this.#rest;
    this.#rest = new Uint8Array(0);
    return rest;
  }

  #leading(b: number, out: TransferUnit[]): void {
    if (this.#markerExpected) {
      if (b === ESCAPE || b >= REPLICATED) {
        throw new CompressedFormatError(
          this.#unitOffset,
          `the restart-marker escape at offset ${this.#escapeOffset} must be followed by a byte string holding the marker (leading byte 01..7F), got ${describeByte(b)} (RFC 959 §3.4.3)`,
        );
      }
      this.#markerExpected = false;
      this.#marker = [];
      this.#state = STRING_BYTE;
      this.#count = b;
      return;
    }
    if (b === ESCAPE) {
      this.#escapeOffset = this.#unitOffset;
      this.#state = DESCRIPTOR;
    } else if (b < REPLICATED) {
      this.#state = STRING_BYTE;
      this.#count = b;
    } else if (b < FILLER) {
      this.#state = REPLICATED_BYTE;
      this.#count = b & COUNT_6;
    } else {
      const count = b & COUNT_6;
      if (count > 0) out.push({ kind: 'data', bytes: new Uint8Array(count).fill(this.#filler) });
      this.#unitDone(out);
    }
  }

  #descriptor(d: number, out: TransferUnit[]): void {
    if (d & DESCRIPTOR_SUSPECT) out.push({ kind: 'suspect' });
    const ends = d & (DESCRIPTOR_EOR | DESCRIPTOR_EOF);
    if (d & DESCRIPTOR_RESTART) {
      this.#markerExpected = true;
      this.#afterMarker = ends;
    } else {
      this.#applyEnds(ends, out);
    }
  }

  /** EOR alone takes effect here; with EOF, both wait for the EOF rule. */
  #applyEnds(ends: number, out: TransferUnit[]): void {
    if (ends & DESCRIPTOR_EOF) this.#pendingEnd = ends;
    else if (ends & DESCRIPTOR_EOR) out.push({ kind: 'eor' });
  }

  /** A data unit is complete: if it was the unit after a pending EOF, the file ends here. */
  #unitDone(out: TransferUnit[]): void {
    if (this.#closingUnit) this.#finish(out);
  }

  #finish(out: TransferUnit[]): void {
    if (this.#pendingEnd & DESCRIPTOR_EOR) out.push({ kind: 'eor' });
    out.push({ kind: 'eof' });
    this.#pendingEnd = 0;
    this.#closingUnit = false;
    this.#done = true;
  }
}
