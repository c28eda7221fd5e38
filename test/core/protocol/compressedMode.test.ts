// Tests COMPRESSED mode framing (RFC 959 §3.4.3): encoder vectors and run choices, the EOF rule, malformed input, round trips.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CompressedDecoder, CompressedFormatError, MAX_RUN, createCompressedEncoder, fillerFor } from '../../../core/protocol/compressedMode';
import { TransferFormatError } from '../../../core/protocol/transferUnits';
import { bytesOf, bytesWithRuns, callsArb, concat, cutsArb, decodeChunks, decodeOutcome, encodeCalls, expectedUnits, fromHex, hex } from './transferCodecKit';
import { split } from './split';
import type { Call } from './transferCodecKit';

const TYPE_A = { filler: 0x20 };
const TYPE_I = { filler: 0x00 };

const data = (text: string): Call => ({ kind: 'data', bytes: bytesOf(text) });
const eor: Call = { kind: 'eor' };
const restart = (marker: string): Call => ({ kind: 'restart', marker });

const encode = (calls: Call[], options = TYPE_A) => hex(concat(encodeCalls(createCompressedEncoder(options), calls)));
const encodeData = (bytes: Uint8Array, options = TYPE_A) => concat(createCompressedEncoder(options).data(bytes));
const decodeHex = (chunks: string[], options = TYPE_A, callEnd = true) => decodeChunks(new CompressedDecoder(options), chunks.map(fromHex), callEnd);
const repeat = (byte: number, length: number) => new Uint8Array(length).fill(byte);

describe('createCompressedEncoder', () => {
  const rows: { title: string; calls: Call[]; options?: { filler: number }; wire: string }[] = [
    {
      title: "TYPE A 'AAAAAAAAbc' + 5 spaces: 88 41, 02 62 63, C5, then EOF 00 40 (facts §3.5)",
      calls: [data('AAAAAAAAbc     ')],
      wire: '88 41 02 62 63 c5 00 40',
    },
    { title: 'EOR is 00 80 and EOF 00 40 (facts §3.5)', calls: [data('ab'), eor], wire: '02 61 62 00 80 00 40' },
    { title: 'a restart marker: 00 10 then one byte string (facts §3.5)', calls: [restart('MARK01')], wire: '00 10 06 4d 41 52 4b 30 31 00 40' },
    { title: 'an empty file is just 00 40', calls: [], wire: '00 40' },
    { title: 'empty data sends nothing', calls: [data(''), data('a')], wire: '01 61 00 40' },
    { title: 'TYPE A: one space stays in the byte string', calls: [data('a b')], wire: '03 61 20 62 00 40' },
    { title: 'TYPE A: two spaces become a filler unit (minimum 2)', calls: [data('a  b')], wire: '01 61 c2 01 62 00 40' },
    { title: 'two equal bytes stay in the byte string', calls: [data('aab')], wire: '03 61 61 62 00 40' },
    { title: 'three equal bytes become a replicated unit (minimum 3)', calls: [data('aaab')], wire: '83 61 01 62 00 40' },
    {
      title: 'TYPE I: zero bytes are filler (C4), spaces are replicated (85 20)',
      calls: [{ kind: 'data', bytes: fromHex('00 00 00 00 20 20 20 20 20') }],
      options: TYPE_I,
      wire: 'c4 85 20 00 40',
    },
    {
      title: 'TYPE A: zero bytes are ordinary data (literal 00 inside a byte string)',
      calls: [{ kind: 'data', bytes: fromHex('00 61') }],
      wire: '02 00 61 00 40',
    },
    { title: 'a run of exactly 63 is one unit', calls: [data('x'.repeat(63))], wire: 'bf 78 00 40' },
    { title: 'a run of 64: 63 replicated, the 1 left over is literal', calls: [data('x'.repeat(64))], wire: 'bf 78 01 78 00 40' },
    { title: 'a run of 66: 63 + 3, both replicated', calls: [data('x'.repeat(66))], wire: 'bf 78 83 78 00 40' },
    {
      title: 'TYPE A: 127 spaces = 63 + 63 filler, the last space literal with what follows',
      calls: [data(' '.repeat(127) + 'z')],
      wire: 'ff ff 02 20 7a 00 40',
    },
    { title: 'records: each EOR escape after the record', calls: [data('abc'), eor, data('de'), eor], wire: '03 61 62 63 00 80 02 64 65 00 80 00 40' },
    { title: 'runs split across data() calls are encoded separately', calls: [data('aa'), data('a')], wire: '02 61 61 01 61 00 40' },
  ];
  it.each(rows)('$title', ({ calls, options, wire }) => {
    expect(encode(calls, options)).toBe(wire);
  });

  it('byte strings hold at most 127 bytes', () => {
    const text = Uint8Array.from({ length: 128 }, (_, i) => 0x21 + (i % 2));
    const wire = encodeData(text);
    expect(wire.length).toBe(130);
    expect(wire[0]).toBe(0x7f);
    expect(wire[128]).toBe(0x01);
  });

  it('fillerFor: space for TYPE A, EBCDIC space 0x40 for TYPE E, 0x00 for TYPE I and L (959 §3.4.3)', () => {
    expect([fillerFor('A'), fillerFor('E'), fillerFor('I'), fillerFor('L')]).toEqual([0x20, 0x40, 0x00, 0x00]);
  });

  const badMarkers = [
    { title: 'a marker with a space', marker: 'A B', message: /0x20 \(space\) at index 1/ },
    { title: 'an empty marker', marker: '', message: /cannot be empty/ },
    { title: 'a marker longer than one byte string (128)', marker: 'M'.repeat(128), message: /at most 127 characters, got 128/ },
  ];
  it.each(badMarkers)('restart() refuses $title', ({ marker, message }) => {
    expect(() => createCompressedEncoder(TYPE_A).restart(marker)).toThrow(RangeError);
    expect(() => createCompressedEncoder(TYPE_A).restart(marker)).toThrow(message);
  });

  it('a 127-character marker fits', () => {
    expect(createCompressedEncoder(TYPE_A).restart('M'.repeat(127))[0]?.length).toBe(130);
  });

  it('refuses a filler that is not a byte, and calls after eof()', () => {
    expect(() => createCompressedEncoder({ filler: 256 })).toThrow(RangeError);
    expect(() => new CompressedDecoder({ filler: -1 })).toThrow(RangeError);
    const encoder = createCompressedEncoder(TYPE_A);
    encoder.eof();
    expect(() => encoder.eor()).toThrow(/eor\(\) after eof\(\)/);
  });
});

describe('CompressedDecoder', () => {
  const rows: { title: string; wire: string[]; options?: { filler: number }; units: string[]; rest?: string }[] = [
    {
      title: "TYPE A 'AAAAAAAAbc' + 5 spaces, EOF after the last unit (facts §3.5)",
      wire: ['88 41 02 62 63 c5 00 40'],
      units: ['data 41 41 41 41 41 41 41 41 62 63 20 20 20 20 20', 'eof'],
    },
    {
      title: 'the same with EOF before the last unit (the literal 959 reading)',
      wire: ['88 41 02 62 63 00 40 c5'],
      units: ['data 41 41 41 41 41 41 41 41 62 63 20 20 20 20 20', 'eof'],
    },
    { title: 'literal reading, the last unit a byte string', wire: ['00 40 05 68 65 6c 6c 6f'], units: ['data 68 65 6c 6c 6f', 'eof'] },
    { title: 'literal reading, the last unit a replicated byte', wire: ['01 61 00 40 83 62'], units: ['data 61 62 62 62', 'eof'] },
    { title: 'literal reading: bytes after the unit are left for takeRest()', wire: ['00 40 01 61 02 62 63'], units: ['data 61', 'eof'], rest: '02 62 63' },
    {
      title: 'trailing EOF followed by an escape: EOF stood after the last unit; the 00 is left over',
      wire: ['01 61 00 40 00 10 02 4d 31'],
      units: ['data 61', 'eof'],
      rest: '00 10 02 4d 31',
    },
    { title: 'TYPE I: filler is 0x00', wire: ['c3 00 40'], options: TYPE_I, units: ['data 00 00 00', 'eof'] },
    { title: 'a restart marker: 00 10 + byte string (facts §3.5)', wire: ['00 10 06 4d 41 52 4b 30 31 00 40'], units: ['restart MARK01', 'eof'] },
    { title: 'EOR 00 80 takes effect where it stands', wire: ['01 61 00 80 01 62 00 80 00 40'], units: ['data 61', 'eor', 'data 62', 'eor', 'eof'] },
    { title: 'EOR+EOF 00 C0 after the last unit', wire: ['01 61 00 c0'], units: ['data 61', 'eor', 'eof'] },
    { title: 'EOR+EOF 00 C0 before the last unit (literal reading): the unit ends the record', wire: ['00 c0 01 61'], units: ['data 61', 'eor', 'eof'] },
    { title: 'suspect 00 20: reported, the data kept', wire: ['00 20 03 61 62 63 00 40'], units: ['suspect', 'data 61 62 63', 'eof'] },
    { title: 'restart + EOF bits on one escape (00 50): EOF after the marker', wire: ['00 50 02 4d 31'], units: ['restart M1', 'eof'] },
    { title: 'zero counts in replicated (80 d) and filler (C0) units give nothing', wire: ['80 41 c0 01 61 00 40'], units: ['data 61', 'eof'] },
    { title: 'an escape with no bits (00 00) and the low bits (00 0F) are ignored', wire: ['00 00 01 61 00 0f 00 40'], units: ['data 61', 'eof'] },
    {
      title: 'every unit split across chunks',
      wire: ['88', '41 02', '62', '63 c5 00', '40'],
      units: ['data 41 41 41 41 41 41 41 41 62 63 20 20 20 20 20', 'eof'],
    },
    { title: 'a restart marker split across chunks', wire: ['00', '10', '03 41', '42', '43'], units: ['restart ABC'] },
    { title: 'no EOF escape: end() gives nothing more and done stays false', wire: ['01 61'], units: ['data 61'] },
  ];
  it.each(rows)('$title', ({ wire, options, units, rest }) => {
    const result = decodeHex(wire, options);
    expect(result.units).toEqual(units);
    expect(result.rest).toBe(rest ?? '');
    expect(result.done).toBe(units.includes('eof'));
  });

  it('after a trailing 00 40 the EOF is pending until end() (or a next byte) settles it', () => {
    const decoder = new CompressedDecoder(TYPE_A);
    expect(decoder.push(fromHex('01 61 00 40')).map((u) => u.kind)).toEqual(['data']);
    expect(decoder.eofPending).toBe(true);
    expect(decoder.done).toBe(false);
    expect(decoder.bytesConsumed).toBe(4);
    expect(decoder.end()).toEqual([{ kind: 'eof' }]);
    expect(decoder.done).toBe(true);
    expect(decoder.eofPending).toBe(false);
    expect(decoder.end()).toEqual([]);
  });

  it('a pending EOF settled by an escape in the next chunk: the rest starts at that 00', () => {
    const decoder = new CompressedDecoder(TYPE_A);
    decoder.push(fromHex('00 40'));
    expect(decoder.push(fromHex('00 40'))).toEqual([{ kind: 'eof' }]);
    expect(hex(decoder.takeRest())).toBe('00 40');
    expect(decoder.bytesConsumed).toBe(2);
    expect(() => decoder.push(fromHex('01'))).toThrow(/after EOF/);
  });

  it('byte strings come out as subarrays of the pushed chunk', () => {
    const chunk = fromHex('03 61 62 63');
    const [unit] = new CompressedDecoder(TYPE_A).push(chunk);
    expect(unit?.kind === 'data' && unit.bytes.buffer === chunk.buffer).toBe(true);
  });

  const malformed = [
    { title: 'a space inside a restart marker', wire: ['00 10 03 41 20 42'], message: /^COMPRESSED mode, byte offset 4: restart marker byte 0x20 \(space\)/ },
    {
      title: 'a non-printable byte inside a restart marker',
      wire: ['00 10 02 41', '7f'],
      message: /^COMPRESSED mode, byte offset 4: restart marker byte 0x7F/,
    },
    {
      title: 'a restart escape followed by a replicated unit',
      wire: ['00 10 83 41'],
      message: /^COMPRESSED mode, byte offset 2: the restart-marker escape at offset 0 must be followed by a byte string .* got 0x83/,
    },
    {
      title: 'a restart escape followed by another escape',
      wire: ['01 61 00 10 00 40'],
      message: /^COMPRESSED mode, byte offset 4: the restart-marker escape at offset 2 .* got 0x00/,
    },
    {
      title: 'the stream ends inside a byte string',
      wire: ['05 61 62'],
      message: /^COMPRESSED mode, byte offset 3: the stream ended inside a byte string \(unit at offset 0\): 3 more bytes/,
    },
    {
      title: 'the stream ends after an escape byte',
      wire: ['01 61 00'],
      message: /^COMPRESSED mode, byte offset 3: the stream ended after the escape byte 00 at offset 2, before its descriptor/,
    },
    {
      title: 'the stream ends before the byte of a replicated unit',
      wire: ['85'],
      message: /^COMPRESSED mode, byte offset 1: the stream ended before the byte of the replicated-byte unit at offset 0/,
    },
    {
      title: 'the stream ends before an announced restart marker',
      wire: ['00 10'],
      message: /^COMPRESSED mode, byte offset 2: the stream ended before the restart marker announced by the escape at offset 0/,
    },
    {
      title: 'the stream ends inside a restart marker',
      wire: ['00 10 04 41'],
      message: /byte offset 4: the stream ended inside a restart marker .* 3 more bytes/,
    },
    {
      title: 'the stream ends inside the unit after 00 40',
      wire: ['00 40 03 61'],
      message: /byte offset 4: the stream ended inside a byte string \(unit at offset 2\)/,
    },
  ];
  it.each(malformed)('throws CompressedFormatError for $title', ({ wire, message }) => {
    const decoder = new CompressedDecoder(TYPE_A);
    let caught: unknown;
    try {
      for (const chunk of wire) decoder.push(fromHex(chunk));
      decoder.end();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CompressedFormatError);
    expect(caught).toBeInstanceOf(TransferFormatError);
    expect((caught as Error).message).toMatch(message);
    expect(() => decoder.push(fromHex('01 61'))).toThrow(message);
  });
});

/** Size of one run of `length` bytes, alone in a data() call, by the choices documented in the encoder. */
function runSize(length: number, isFiller: boolean): number {
  const min = isFiller ? 2 : 3;
  const unit = isFiller ? 1 : 2;
  const left = length % MAX_RUN;
  const full = Math.floor(length / MAX_RUN) * unit;
  if (left === 0) return full;
  if (left >= min) return full + unit;
  return full + 1 + left;
}

describe('COMPRESSED mode (properties)', () => {
  const optionsArb = fc.constantFrom(TYPE_A, TYPE_I, { filler: 0x40 }, { filler: 0xff });

  it('decode(encode(calls)) gives the same units for any calls, filler and chunking', () => {
    fc.assert(
      fc.property(callsArb(true), optionsArb, cutsArb, (calls, options, cuts) => {
        const wire = concat(encodeCalls(createCompressedEncoder(options), calls));
        const result = decodeChunks(new CompressedDecoder(options), split(wire, cuts));
        expect(result.units).toEqual(expectedUnits(calls));
        expect(result.consumed).toBe(wire.length);
      }),
      { numRuns: 400 },
    );
  });

  it('with the EOF moved before the last data unit (literal reading) the units are the same', () => {
    fc.assert(
      fc.property(bytesWithRuns(), fc.constantFrom(TYPE_A, TYPE_I), cutsArb, (bytes, options, cuts) => {
        // Encode each byte on its own so the last unit is known: a 1-byte byte string.
        fc.pre(bytes.length > 0);
        const encoder = createCompressedEncoder(options);
        const head = concat(encoder.data(bytes.subarray(0, -1)));
        const last = concat(encoder.data(bytes.subarray(-1)));
        const wire = concat([head, fromHex('00 40'), last]);
        const result = decodeChunks(new CompressedDecoder(options), split(wire, cuts));
        expect(result.units).toEqual([`data ${hex(bytes)}`, 'eof']);
      }),
    );
  });

  it('bytes of a next transfer after a trailing EOF (starting with an escape) are left over', () => {
    fc.assert(
      fc.property(callsArb(true), fc.uint8Array({ maxLength: 10 }), cutsArb, (calls, next, cuts) => {
        const wire = concat(encodeCalls(createCompressedEncoder(TYPE_A), calls));
        const after = concat([fromHex('00 10'), next]);
        const result = decodeChunks(new CompressedDecoder(TYPE_A), split(concat([wire, after]), cuts), false);
        expect(result.units).toEqual(expectedUnits(calls));
        expect(result.rest).toBe(hex(after));
        expect(result.consumed).toBe(wire.length);
      }),
    );
  });

  it('decoding any bytes does not depend on the chunking (same units, or the same error)', () => {
    const wireArb = fc.oneof(
      bytesWithRuns(8),
      fc.uint8Array({ maxLength: 60 }),
      fc.tuple(callsArb(true, 20), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([calls, at, value]) => {
        const wire = concat(encodeCalls(createCompressedEncoder(TYPE_A), calls));
        wire[at % wire.length] = value;
        return wire;
      }),
    );
    fc.assert(
      fc.property(wireArb, cutsArb, (wire, cuts) => {
        const make = () => new CompressedDecoder(TYPE_A);
        expect(decodeOutcome(make, split(wire, cuts))).toEqual(decodeOutcome(make, [wire]));
      }),
      { numRuns: 500 },
    );
  });

  it('the encoding is never longer than n + ceil(n / 127), the all-literal size', () => {
    fc.assert(
      fc.property(fc.oneof(bytesWithRuns(), fc.uint8Array({ maxLength: 600 })), optionsArb, (bytes, options) => {
        expect(encodeData(bytes, options).length).toBeLessThanOrEqual(bytes.length + Math.ceil(bytes.length / 127));
      }),
      { numRuns: 500 },
    );
  });

  it('a single run of any byte and length encodes to the size the run rules give', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 5000 }), optionsArb, (byte, length, options) => {
        expect(encodeData(repeat(byte, length), options).length).toBe(runSize(length, byte === options.filler));
      }),
    );
  });

  it('runs of 4 or more bytes encode smaller than the input, at about 2 bytes per 63', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ byte: fc.integer({ min: 0, max: 255 }), length: fc.integer({ min: 4, max: 3000 }) }), { minLength: 1, maxLength: 10 }),
        optionsArb,
        (runs, options) => {
          const input = concat(runs.map(({ byte, length }) => repeat(byte, length)));
          const size = encodeData(input, options).length;
          expect(size).toBeLessThan(input.length);
          // Each run costs at most 2 bytes per 63 plus a 3-byte tail (2 literal bytes and their header).
          expect(size).toBeLessThanOrEqual(runs.reduce((n, r) => n + 2 * Math.ceil(r.length / MAX_RUN) + 3, 0));
        },
      ),
    );
  });

  it('encodes and decodes 4 MiB in one call each (speed is not asserted here)', () => {
    const input = new Uint8Array(4 * 1024 * 1024);
    let seed = 1;
    for (let i = 0; i < input.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      // Text-like: mostly letters, with stretches of spaces and repeated bytes.
      input[i] = (seed >>> 24) % 5 === 0 ? 0x20 : 0x61 + ((seed >>> 16) % 3);
    }
    const wire = encodeData(input);
    const units = new CompressedDecoder(TYPE_A).push(wire);
    const back = concat(units.map((u) => (u.kind === 'data' ? u.bytes : new Uint8Array(0))));
    expect(back.length).toBe(input.length);
    expect(back.every((b, i) => b === input[i])).toBe(true);
  });
});
