// Record structure (STRU R) in STREAM mode: the FF escapes for EOR/EOF (RFC 959 §3.4.1), and Unix lines as records.

import { TransferFormatError, describeByte } from './transferUnits';
import type { TransferUnit } from './transferUnits';

const ESCAPE = 0xff;
const EOR = 0x01;
const EOF = 0x02;
const EOR_EOF = 0x03;
const LF = 0x0a;

/** Malformed STREAM+STRU R bytes; the message names the byte offset (from the start of the transfer). */
export class RecordFormatError extends TransferFormatError {
  constructor(offset: number, detail: string) {
    super('STREAM (STRU R)', offset, detail);
    this.name = 'RecordFormatError';
  }
}

/** The calls a STREAM+STRU R sender makes. STREAM mode has no restart markers (959 §3.5). */
export interface StreamRecordEncoder {
  data(bytes: Uint8Array): Uint8Array[];
  eor(): Uint8Array[];
  eof(): Uint8Array[];
}

/**
 * The sender's side (959 §3.4.1): a data byte FF is sent twice (`FF FF`), EOR is `FF 01`, EOF is
 * `FF 02`, and an EOR directly followed by EOF is the one code `FF 03`. To merge them, eor() returns
 * nothing and its `FF 01` goes out in front of the next call's bytes, or becomes `FF 03` in eof().
 * Records "abc" and "de" are `61 62 63 FF 01 64 65 FF 03`.
 * data() returns the input itself when it holds no FF, else one new array with the FFs doubled.
 * The connection is still closed after EOF (ftp-facts §0 item 10). Any call after eof() throws.
 */
export function createStreamRecordEncoder(): StreamRecordEncoder {
  let eorHeld = false;
  let finished = false;
  const check = (call: string) => {
    if (finished) throw new Error(`STREAM (STRU R) encoder: ${call}() after eof()`);
  };
  const releaseEor = (out: Uint8Array[]) => {
    if (!eorHeld) return;
    out.push(Uint8Array.of(ESCAPE, EOR));
    eorHeld = false;
  };
  return {
    data(bytes) {
      check('data');
      const out: Uint8Array[] = [];
      if (bytes.length === 0) return out;
      releaseEor(out);
      out.push(escapeFf(bytes));
      return out;
    },
    eor() {
      check('eor');
      const out: Uint8Array[] = [];
      releaseEor(out);
      eorHeld = true;
      return out;
    },
    eof() {
      check('eof');
      finished = true;
      const code = eorHeld ? EOR_EOF : EOF;
      eorHeld = false;
      return [Uint8Array.of(ESCAPE, code)];
    },
  };
}

function escapeFf(bytes: Uint8Array): Uint8Array {
  let count = 0;
  for (let i = bytes.indexOf(ESCAPE); i >= 0; i = bytes.indexOf(ESCAPE, i + 1)) count++;
  if (count === 0) return bytes;
  const out = new Uint8Array(bytes.length + count);
  let o = 0;
  let from = 0;
  for (let i = bytes.indexOf(ESCAPE); i >= 0; i = bytes.indexOf(ESCAPE, i + 1)) {
    out.set(bytes.subarray(from, i + 1), o);
    o += i + 1 - from;
    out[o++] = ESCAPE;
    from = i + 1;
  }
  out.set(bytes.subarray(from), o);
  return out;
}

/**
 * The receiver's side, for any chunking: data comes out as zero-copy subarrays (an `FF FF` gives
 * its second FF as data), `FF 01` gives 'eor', `FF 02` 'eof', `FF 03` 'eor' then 'eof'. An FF at the
 * end of a chunk is held until the next chunk shows the second byte. FF followed by anything else
 * is a RecordFormatError. After the EOF the decoder stops; the bytes after it in the same chunk are
 * kept for takeRest() (in STREAM mode the sender should close instead of sending more).
 */
export class StreamRecordDecoder {
  /** The previous chunk ended with an escape byte FF. */
  #heldEscape = false;
  #consumed = 0;
  #done = false;
  #ended = false;
  #rest: Uint8Array = new Uint8Array(0);
  #error: RecordFormatError | undefined;

  /** True once FF 02 or FF 03 has been decoded. */
  get done(): boolean {
    return this.#done;
  }

  /** Bytes taken in so far; bytes after the EOF (see takeRest) are not counted. */
  get bytesConsumed(): number {
    return this.#consumed;
  }

  push(chunk: Uint8Array): TransferUnit[] {
    if (this.#error !== undefined) throw this.#error;
    if (this.#done) throw new Error('STREAM (STRU R) decoder: push() after EOF; the bytes after it are in takeRest()');
    if (this.#ended) throw new Error('STREAM (STRU R) decoder: push() after end()');
    const out: TransferUnit[] = [];
    if (chunk.length === 0) return out;
    // `at`: where to look for the next escape; `from`: start of the data not yet handed out.
    let at = 0;
    let from = 0;
    if (this.#heldEscape) {
      this.#heldEscape = false;
      const code = chunk[0] as number;
      this.#code(code, this.#consumed - 1, out);
      at = 1;
      // FF FF: the second FF is a data byte and starts the next data run.
      from = code === ESCAPE ? 0 : 1;
    }
    while (!this.#done) {
      const escapeAt = chunk.indexOf(ESCAPE, at);
      if (escapeAt < 0) break;
      if (escapeAt > from) out.push({ kind: 'data', bytes: chunk.subarray(from, escapeAt) });
      if (escapeAt === chunk.length - 1) {
        this.#heldEscape = true;
        at = from = chunk.length;
        break;
      }
      const code = chunk[escapeAt + 1] as number;
      this.#code(code, this.#consumed + escapeAt, out);
      at = escapeAt + 2;
      from = code === ESCAPE ? escapeAt + 1 : at;
    }
    if (this.#done) {
      this.#rest = chunk.subarray(at);
      this.#consumed += at;
      return out;
    }
    if (from < chunk.length) out.push({ kind: 'data', bytes: chunk.subarray(from) });
    this.#consumed += chunk.length;
    return out;
  }

  /**
   * The sender closed the connection. Throws RecordFormatError if the last byte was a lone escape
   * FF. Closing without FF 02 is not a format error here (STREAM mode's EOF is the close, 959
   * §3.3); `done` stays false and the caller decides.
   */
  end(): TransferUnit[] {
    if (this.#error !== undefined) throw this.#error;
    this.#ended = true;
    if (this.#heldEscape) {
      this.#error = new RecordFormatError(this.#consumed - 1, 'the stream ended after the escape byte FF, before its control code (RFC 959 §3.4.1)');
      throw this.#error;
    }
    return [];
  }

  /** The bytes of the last pushed chunk that came after the EOF. Empty before EOF, and after the first call. */
  takeRest(): Uint8Array {
    const rest = this.#rest;
    this.#rest = new Uint8Array(0);
    return rest;
  }

  /** Handles the byte after an FF found at stream offset `escapeOffset`. */
  #code(code: number, escapeOffset: number, out: TransferUnit[]): void {
    if (code === EOR) {
      out.push({ kind: 'eor' });
    } else if (code === EOF) {
      out.push({ kind: 'eof' });
      this.#done = true;
    } else if (code === EOR_EOF) {
      out.push({ kind: 'eor' }, { kind: 'eof' });
      this.#done = true;
    } else if (code !== ESCAPE) {
      this.#error = new RecordFormatError(
        escapeOffset,
        `escape byte FF followed by ${describeByte(code)}: only FF 01 (EOR), FF 02 (EOF), FF 03 (EOR+EOF) and FF FF (a data byte FF) exist (RFC 959 §3.4.1)`,
      );
      throw this.#error;
    }
  }
}

/**
 * A Unix text file as records (STRU R, 959 §3.1.2.2 and §3.4): each line without its LF is a
 * record, and every record ends with EOR, including the last one, also when the file does not end
 * in LF. An empty file has no records; "\n" is one empty record. push() gives 'data' (zero-copy
 * subarrays, no empty ones) and 'eor' units; end() gives the EOR of an unterminated last line.
 */
export function createLineRecordSplitter(): { push(bytes: Uint8Array): TransferUnit[]; end(): TransferUnit[] } {
  let midLine = false;
  return {
    push(bytes) {
      const out: TransferUnit[] = [];
      let from = 0;
      for (let lf = bytes.indexOf(LF); lf >= 0; lf = bytes.indexOf(LF, from)) {
        if (lf > from) out.push({ kind: 'data', bytes: bytes.subarray(from, lf) });
        out.push({ kind: 'eor' });
        from = lf + 1;
      }
      if (from < bytes.length) {
        out.push({ kind: 'data', bytes: bytes.subarray(from) });
        midLine = true;
      } else if (from > 0) {
        midLine = false;
      }
      return out;
    },
    end() {
      if (!midLine) return [];
      midLine = false;
      return [{ kind: 'eor' }];
    },
  };
}

/**
 * Records back to a Unix text file: data is written as is, each EOR becomes an LF; other units
 * (eof, restart, suspect) write nothing and give undefined. So a file whose last line had no LF
 * comes back with one: records cannot tell the difference.
 */
export function createRecordLineJoiner(): { push(unit: TransferUnit): Uint8Array | undefined } {
  return {
    push(unit) {
      if (unit.kind === 'data') return unit.bytes;
      if (unit.kind === 'eor') return Uint8Array.of(LF);
      return undefined;
    },
  };
}
