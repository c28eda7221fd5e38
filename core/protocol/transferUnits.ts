// The event vocabulary shared by the data-connection codecs of STREAM+STRU R, BLOCK and COMPRESSED mode (RFC 959 §3.4).

/**
 * What a mode's framing says, independent of its bytes (959 §3.4.1 to §3.4.3). Decoders produce
 * these; encoders are driven by the same vocabulary (data/eor/restart/eof calls).
 */
export type TransferUnit =
  /** Payload bytes. Decoders hand out zero-copy subarrays of the pushed chunk where they can. */
  | { kind: 'data'; bytes: Uint8Array }
  /** End of record (STRU R, 959 §3.1.2.2 and §3.4). */
  | { kind: 'eor' }
  /** The explicit end of file: BLOCK/COMPRESSED descriptor 0x40, or FF 02 / FF 03 in STREAM+STRU R. */
  | { kind: 'eof' }
  /** A restart marker (959 §3.5): a BLOCK 0x10 block or a COMPRESSED 00 10 escape plus byte string. */
  | { kind: 'restart'; marker: string }
  /** Descriptor bit 0x20 (959 §3.4.2): the data that follows is suspected to have errors. It is kept. */
  | { kind: 'suspect' };

/** The calls a BLOCK or COMPRESSED sender makes; each returns the pieces to write, in order. */
export interface TransferEncoder {
  data(bytes: Uint8Array): Uint8Array[];
  eor(): Uint8Array[];
  restart(marker: string): Uint8Array[];
  eof(): Uint8Array[];
}

/** The bit values of a BLOCK descriptor; COMPRESSED escapes reuse them (959 §3.4.2, §3.4.3). */
export const DESCRIPTOR_EOR = 0x80;
export const DESCRIPTOR_EOF = 0x40;
export const DESCRIPTOR_SUSPECT = 0x20;
export const DESCRIPTOR_RESTART = 0x10;

/**
 * A malformed data stream. `offset` counts bytes from the first byte pushed into the decoder (the
 * first byte of the transfer) and is part of the message, so a trace line can point at the byte.
 */
export class TransferFormatError extends Error {
  /** Byte offset of the offending byte (or of the end of the stream when it ended too early). */
  readonly offset: number;

  constructor(mode: string, offset: number, detail: string) {
    super(`${mode} mode, byte offset ${offset}: ${detail}`);
    this.name = 'TransferFormatError';
    this.offset = offset;
  }
}

/** A restart-marker byte: printable NVT-ASCII without space, 33..126 (959 §3.4.2, §5.3.2 <marker>). */
export function isMarkerByte(byte: number): boolean {
  return byte >= 0x21 && byte <= 0x7e;
}

/**
 * Checks a marker an encoder is asked to send and returns its bytes. Throws a RangeError for an
 * empty marker, one longer than `maxLength`, or one with a character outside 33..126 (no spaces).
 */
export function restartMarkerBytes(marker: string, maxLength: number, mode: string): Uint8Array {
  if (marker.length === 0) throw new RangeError(`${mode} mode: a restart marker cannot be empty`);
  if (marker.length > maxLength) throw new RangeError(`${mode} mode: a restart marker has at most ${maxLength} characters, got ${marker.length}`);
  const bytes = new Uint8Array(marker.length);
  for (let i = 0; i < marker.length; i++) {
    const code = marker.charCodeAt(i);
    if (!isMarkerByte(code)) {
      throw new RangeError(
        `${mode} mode: restart marker ${JSON.stringify(marker)} has ${describeByte(code)} at index ${i}; markers are printable ASCII 33-126 with no spaces (RFC 959 §5.3.2)`,
      );
    }
    bytes[i] = code;
  }
  return bytes;
}

/** A received marker's text (its bytes are all 33..126: one character per byte). Loops, so any length works. */
export function markerText(bytes: ArrayLike<number>): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i] as number);
  return text;
}

/** A byte for an error message: '0x20 (space)', '0x41 'A'', '0x07'. */
export function describeByte(byte: number): string {
  const hex = `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  if (byte === 0x20) return `${hex} (space)`;
  if (byte > 0x20 && byte < 0x7f) return `${hex} '${String.fromCharCode(byte)}'`;
  return hex;
}

/**
 * Joins adjacent data units into one and drops empty ones, so unit sequences can be compared
 * however the bytes were chunked. Units that are already alone are passed through unchanged.
 */
export function mergeDataUnits(units: readonly TransferUnit[]): TransferUnit[] {
  const out: TransferUnit[] = [];
  let run: Uint8Array[] = [];
  const flush = () => {
    if (run.length === 1) out.push({ kind: 'data', bytes: run[0] as Uint8Array });
    else if (run.length > 1) out.push({ kind: 'data', bytes: concatBytes(run) });
    run = [];
  };
  for (const unit of units) {
    if (unit.kind === 'data') {
      if (unit.bytes.length > 0) run.push(unit.bytes);
    } else {
      flush();
      out.push(unit);
    }
  }
  flush();
  return out;
}

/** One array holding the pieces one after another (for callers that want a single buffer). */
export function concatBytes(pieces: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const piece of pieces) length += piece.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}
