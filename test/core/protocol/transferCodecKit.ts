// Shared helpers for the transfer-codec tests (BLOCK, COMPRESSED, STREAM+STRU R, TYPE A): hex, unit arbitraries.
import fc from 'fast-check';
import { concatBytes, mergeDataUnits } from '../../../core/protocol/transferUnits';
import type { TransferUnit } from '../../../core/protocol/transferUnits';

export const bytesOf = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
export const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
export const fromHex = (text: string) =>
  Uint8Array.from(
    text.split(/\s+/).filter((s) => s.length > 0),
    (s) => parseInt(s, 16),
  );
export const concat = concatBytes;

/** Units as short strings ('data 61 62', 'eor', 'restart M1'), adjacent data merged: easy to compare and read. */
export function describeUnits(units: readonly TransferUnit[]): string[] {
  return mergeDataUnits(units).map((u) => {
    if (u.kind === 'data') return `data ${hex(u.bytes)}`;
    if (u.kind === 'restart') return `restart ${u.marker}`;
    return u.kind;
  });
}

export interface Decoder {
  push(chunk: Uint8Array): TransferUnit[];
  end(): TransferUnit[];
  readonly done: boolean;
  readonly bytesConsumed: number;
  takeRest(): Uint8Array;
}

export interface Decoded {
  units: string[];
  /** takeRest() plus every chunk not pushed because EOF came first. */
  rest: string;
  consumed: number;
  done: boolean;
}

/** Pushes the chunks until EOF, then end() unless told not to (or EOF came first). */
export function decodeChunks(decoder: Decoder, chunks: Uint8Array[], callEnd = true): Decoded {
  const units: TransferUnit[] = [];
  const rest: Uint8Array[] = [];
  for (const chunk of chunks) {
    if (decoder.done) {
      rest.push(chunk);
      continue;
    }
    units.push(...decoder.push(chunk));
    if (decoder.done) rest.push(decoder.takeRest());
  }
  if (callEnd && !decoder.done) units.push(...decoder.end());
  return { units: describeUnits(units), rest: hex(concat(rest)), consumed: decoder.bytesConsumed, done: decoder.done };
}

/** Decoded units, or the error's message: for comparing decodes of any bytes, well-formed or not. */
export function decodeOutcome(makeDecoder: () => Decoder, chunks: Uint8Array[]): Decoded | { error: string } {
  try {
    return decodeChunks(makeDecoder(), chunks);
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

// A sender's calls, for round trips.
export type Call = { kind: 'data'; bytes: Uint8Array } | { kind: 'eor' } | { kind: 'restart'; marker: string };

export interface Encoder {
  data(bytes: Uint8Array): Uint8Array[];
  eor(): Uint8Array[];
  restart?(marker: string): Uint8Array[];
  eof(): Uint8Array[];
}

/** Runs the calls and eof() through an encoder; returns every piece in order. */
export function encodeCalls(encoder: Encoder, calls: readonly Call[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (const call of calls) {
    if (call.kind === 'data') pieces.push(...encoder.data(call.bytes));
    else if (call.kind === 'eor') pieces.push(...encoder.eor());
    else if (encoder.restart) pieces.push(...encoder.restart(call.marker));
    else throw new Error('this encoder has no restart markers');
  }
  pieces.push(...encoder.eof());
  return pieces;
}

/** What a decoder should give back for the calls: the same units, data merged, then EOF. */
export function expectedUnits(calls: readonly Call[]): string[] {
  return [...describeUnits(calls), 'eof'];
}

/** Bytes built from random stretches and runs of the bytes that mean something somewhere (00 20 40 FF ...). */
export const bytesWithRuns = (maxRun = 200) =>
  fc
    .array(
      fc.oneof(
        fc.uint8Array({ maxLength: 40 }),
        fc
          .record({
            byte: fc.oneof(fc.constantFrom(0x00, 0x20, 0x40, 0xff, 0x80, 0xc0, 0x0a, 0x10), fc.integer({ min: 0, max: 255 })),
            length: fc.integer({ min: 1, max: maxRun }),
          })
          .map(({ byte, length }) => new Uint8Array(length).fill(byte)),
      ),
      { maxLength: 8 },
    )
    .map((parts) => concat(parts));

/** Restart markers: 1..20 characters in 33..126 (RFC 959 §5.3.2). */
export const markerArb = fc.string({ unit: fc.integer({ min: 33, max: 126 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 20 });

/** A sender's call sequence; restart markers only when the mode has them. */
export const callsArb = (withRestart: boolean, maxRun = 200) => {
  const data = { weight: 4, arbitrary: bytesWithRuns(maxRun).map((bytes): Call => ({ kind: 'data', bytes })) };
  const eor = { weight: 2, arbitrary: fc.constant<Call>({ kind: 'eor' }) };
  const restart = { weight: 1, arbitrary: markerArb.map((marker): Call => ({ kind: 'restart', marker })) };
  return fc.array(withRestart ? fc.oneof(data, eor, restart) : fc.oneof(data, eor), { maxLength: 10 });
};

export const cutsArb = fc.array(fc.nat(), { maxLength: 12 });
