// Tests STRU R in STREAM mode (RFC 959 §3.4.1 FF escapes) and the mapping between Unix lines and records (959 §3.4).
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  RecordFormatError,
  StreamRecordDecoder,
  createLineRecordSplitter,
  createRecordLineJoiner,
  createStreamRecordEncoder,
} from '../../../core/protocol/recordStructure';
import { TransferFormatError } from '../../../core/protocol/transferUnits';
import type { TransferUnit } from '../../../core/protocol/transferUnits';
import {
  bytesOf,
  bytesWithRuns,
  callsArb,
  concat,
  cutsArb,
  decodeChunks,
  decodeOutcome,
  describeUnits,
  encodeCalls,
  expectedUnits,
  fromHex,
  hex,
} from './transferCodecKit';
import { split } from './split';
import type { Call } from './transferCodecKit';

const data = (text: string): Call => ({ kind: 'data', bytes: bytesOf(text) });
const raw = (wire: string): Call => ({ kind: 'data', bytes: fromHex(wire) });
const eor: Call = { kind: 'eor' };

const encode = (calls: Call[]) => hex(concat(encodeCalls(createStreamRecordEncoder(), calls)));
const decodeHex = (chunks: string[], callEnd = true) => decodeChunks(new StreamRecordDecoder(), chunks.map(fromHex), callEnd);

/** Runs bytes (cut into chunks) through a line splitter. */
function splitLines(chunks: Uint8Array[]): TransferUnit[] {
  const splitter = createLineRecordSplitter();
  return [...chunks.flatMap((c) => splitter.push(c)), ...splitter.end()];
}
function joinLines(units: TransferUnit[]): Uint8Array {
  const joiner = createRecordLineJoiner();
  return concat(units.map((u) => joiner.push(u)).filter((b): b is Uint8Array => b !== undefined));
}

describe('createStreamRecordEncoder', () => {
  const rows: { title: string; calls: Call[]; wire: string }[] = [
    {
      title: 'records "abc" and "de": FF 01 between, FF 03 = EOR+EOF at the end (facts §3.3)',
      calls: [data('abc'), eor, data('de'), eor],
      wire: '61 62 63 ff 01 64 65 ff 03',
    },
    { title: 'a data byte FF is sent twice', calls: [raw('ff 61 ff ff')], wire: 'ff ff 61 ff ff ff ff ff 02' },
    { title: 'an unterminated last record: plain EOF FF 02', calls: [data('ab'), eor, data('c')], wire: '61 62 ff 01 63 ff 02' },
    { title: 'an empty file is just FF 02', calls: [], wire: 'ff 02' },
    { title: 'empty records: FF 01 then FF 03', calls: [eor, eor], wire: 'ff 01 ff 03' },
    { title: 'empty data sends nothing and does not release a held EOR early', calls: [data('a'), eor, data(''), data('b'), eor], wire: '61 ff 01 62 ff 03' },
    { title: 'the control codes as data bytes: only FF is escaped', calls: [raw('01 02 03 ff 01')], wire: '01 02 03 ff ff 01 ff 02' },
  ];
  it.each(rows)('$title', ({ calls, wire }) => {
    expect(encode(calls)).toBe(wire);
  });

  it('eor() sends nothing itself: its FF 01 goes out with the next call', () => {
    const encoder = createStreamRecordEncoder();
    encoder.data(bytesOf('a'));
    expect(encoder.eor()).toEqual([]);
    expect(encoder.data(bytesOf('b')).map(hex)).toEqual(['ff 01', '62']);
  });

  it('data() returns the input itself when it has no FF', () => {
    const chunk = bytesOf('no escape here');
    expect(createStreamRecordEncoder().data(chunk)[0]).toBe(chunk);
  });

  it('refuses calls after eof()', () => {
    const encoder = createStreamRecordEncoder();
    encoder.eof();
    expect(() => encoder.data(bytesOf('x'))).toThrow(/after eof/);
  });
});

describe('StreamRecordDecoder', () => {
  const rows: { title: string; wire: string[]; units: string[]; rest?: string }[] = [
    { title: 'records "abc" and "de" (facts §3.3)', wire: ['61 62 63 ff 01 64 65 ff 03'], units: ['data 61 62 63', 'eor', 'data 64 65', 'eor', 'eof'] },
    { title: 'FF FF is one data byte FF', wire: ['ff ff 61 ff ff ff ff ff 02'], units: ['data ff 61 ff ff', 'eof'] },
    { title: 'FF 02: EOF without EOR', wire: ['61 ff 02'], units: ['data 61', 'eof'] },
    { title: 'an FF at the end of a chunk is held: FF | 01', wire: ['61 ff', '01 62 ff 03'], units: ['data 61', 'eor', 'data 62', 'eor', 'eof'] },
    { title: 'an FF at the end of a chunk is held: FF | FF', wire: ['61 ff', 'ff 62 ff 02'], units: ['data 61 ff 62', 'eof'] },
    { title: 'a chunk that is a single FF, then one that is a single FF', wire: ['ff', 'ff', 'ff', '02'], units: ['data ff', 'eof'] },
    {
      title: 'held FF resolved to EOF at the start of the next chunk; the rest is left over',
      wire: ['61 ff', '02 63 64'],
      units: ['data 61', 'eof'],
      rest: '63 64',
    },
    { title: 'an empty chunk between FF and its code', wire: ['ff', '', '01'], units: ['eor'] },
    { title: 'bytes after FF 03 are left for takeRest()', wire: ['ff 03 41 42'], units: ['eor', 'eof'], rest: '41 42' },
    { title: 'no FF 02: the close (end()) ends the stream and done stays false', wire: ['61 ff 01'], units: ['data 61', 'eor'] },
  ];
  it.each(rows)('$title', ({ wire, units, rest }) => {
    const result = decodeHex(wire);
    expect(result.units).toEqual(units);
    expect(result.rest).toBe(rest ?? '');
    expect(result.done).toBe(units.includes('eof'));
  });

  it('data comes out as subarrays of the pushed chunk; bytesConsumed stops at the EOF', () => {
    const chunk = fromHex('61 62 ff ff 63 ff 02 99');
    const decoder = new StreamRecordDecoder();
    const units = decoder.push(chunk);
    expect(units.every((u) => u.kind !== 'data' || u.bytes.buffer === chunk.buffer)).toBe(true);
    expect(describeUnits(units)).toEqual(['data 61 62 ff 63', 'eof']);
    expect(decoder.bytesConsumed).toBe(7);
    expect(hex(decoder.takeRest())).toBe('99');
    expect(() => decoder.push(fromHex('00'))).toThrow(/after EOF/);
  });

  const malformed = [
    { title: 'FF followed by 04', wire: ['61 ff 04'], message: /^STREAM \(STRU R\) mode, byte offset 1: escape byte FF followed by 0x04/ },
    {
      title: 'FF followed by 00, split across chunks',
      wire: ['61 62 ff', '00'],
      message: /^STREAM \(STRU R\) mode, byte offset 2: escape byte FF followed by 0x00/,
    },
    { title: "FF followed by 'a'", wire: ['ff 61'], message: /byte offset 0: escape byte FF followed by 0x61 'a'/ },
    { title: 'the stream ends after a lone FF', wire: ['61 ff'], message: /^STREAM \(STRU R\) mode, byte offset 1: the stream ended after the escape byte FF/ },
  ];
  it.each(malformed)('throws RecordFormatError for $title', ({ wire, message }) => {
    const decoder = new StreamRecordDecoder();
    let caught: unknown;
    try {
      for (const chunk of wire) decoder.push(fromHex(chunk));
      decoder.end();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RecordFormatError);
    expect(caught).toBeInstanceOf(TransferFormatError);
    expect((caught as Error).message).toMatch(message);
    expect(() => decoder.end()).toThrow(message);
  });
});

describe('createLineRecordSplitter', () => {
  const rows: { title: string; input: string[]; units: string[] }[] = [
    { title: "'a\\nb\\n' is two records", input: ['a\nb\n'], units: ['data 61', 'eor', 'data 62', 'eor'] },
    { title: 'a last line without LF is still a record with its EOR (959 §3.4)', input: ['a\nb'], units: ['data 61', 'eor', 'data 62', 'eor'] },
    { title: 'an empty file has no records', input: [''], units: [] },
    { title: "'\\n' is one empty record", input: ['\n'], units: ['eor'] },
    { title: 'empty lines are empty records', input: ['\n\na\n'], units: ['eor', 'eor', 'data 61', 'eor'] },
    { title: 'a line split across chunks', input: ['ab', 'c\nd', 'e'], units: ['data 61 62 63', 'eor', 'data 64 65', 'eor'] },
    { title: 'a chunk ending right after LF leaves no open record', input: ['a\n', ''], units: ['data 61', 'eor'] },
    { title: 'CR is data (TYPE A conversion is a separate step)', input: ['a\r\n'], units: ['data 61 0d', 'eor'] },
  ];
  it.each(rows)('$title', ({ input, units }) => {
    expect(describeUnits(splitLines(input.map(bytesOf)))).toEqual(units);
  });
});

describe('createRecordLineJoiner', () => {
  const rows: { title: string; units: TransferUnit[]; file: string }[] = [
    { title: 'EOR becomes LF', units: [{ kind: 'data', bytes: bytesOf('ab') }, { kind: 'eor' }, { kind: 'eor' }], file: '61 62 0a 0a' },
    {
      title: 'eof, restart and suspect write nothing',
      units: [{ kind: 'suspect' }, { kind: 'data', bytes: bytesOf('a') }, { kind: 'restart', marker: 'M1' }, { kind: 'eor' }, { kind: 'eof' }],
      file: '61 0a',
    },
    { title: 'an unterminated record stays unterminated', units: [{ kind: 'data', bytes: bytesOf('a') }], file: '61' },
  ];
  it.each(rows)('$title', ({ units, file }) => {
    expect(hex(joinLines(units))).toBe(file);
  });

  it('returns data bytes as they are and undefined for units that write nothing', () => {
    const joiner = createRecordLineJoiner();
    const bytes = bytesOf('x');
    expect(joiner.push({ kind: 'data', bytes })).toBe(bytes);
    expect(joiner.push({ kind: 'eof' })).toBeUndefined();
  });
});

describe('STREAM+STRU R (properties)', () => {
  const linesArb = fc.oneof(
    bytesWithRuns(),
    fc.array(fc.constantFrom('', 'a', 'bc', '\n', '\n\n', 'x\ny', '\xff'), { maxLength: 20 }).map((parts) => bytesOf(parts.join(''))),
  );

  it('decode(encode(calls)) gives the same units for any calls and any chunking; bytes after EOF are left over', () => {
    fc.assert(
      fc.property(callsArb(false), cutsArb, fc.uint8Array({ maxLength: 10 }), (calls, cuts, after) => {
        const wire = concat(encodeCalls(createStreamRecordEncoder(), calls));
        const result = decodeChunks(new StreamRecordDecoder(), split(concat([wire, after]), cuts));
        expect(result.units).toEqual(expectedUnits(calls));
        expect(result.rest).toBe(hex(after));
        expect(result.consumed).toBe(wire.length);
      }),
      { numRuns: 400 },
    );
  });

  it('decoding any bytes does not depend on the chunking (same units, or the same error)', () => {
    const wireArb = fc.oneof(
      bytesWithRuns(6),
      fc.array(fc.constantFrom(0xff, 0x01, 0x02, 0x03, 0x61, 0x00), { maxLength: 40 }).map((a) => Uint8Array.from(a)),
    );
    fc.assert(
      fc.property(wireArb, cutsArb, (wire, cuts) => {
        const make = () => new StreamRecordDecoder();
        expect(decodeOutcome(make, split(wire, cuts))).toEqual(decodeOutcome(make, [wire]));
      }),
      { numRuns: 500 },
    );
  });

  it('lines -> records -> lines gives the file back, with an LF added to an unterminated last line', () => {
    fc.assert(
      fc.property(linesArb, cutsArb, (file, cuts) => {
        const expected = file.length === 0 || file[file.length - 1] === 0x0a ? file : concat([file, Uint8Array.of(0x0a)]);
        expect(hex(joinLines(splitLines(split(file, cuts))))).toBe(hex(expected));
      }),
      { numRuns: 400 },
    );
  });

  it('the splitter gives one EOR per line and records that do not depend on the chunking', () => {
    fc.assert(
      fc.property(linesArb, cutsArb, (file, cuts) => {
        const units = splitLines(split(file, cuts));
        const lfs = file.filter((b) => b === 0x0a).length;
        const unterminated = file.length > 0 && file[file.length - 1] !== 0x0a ? 1 : 0;
        expect(units.filter((u) => u.kind === 'eor')).toHaveLength(lfs + unterminated);
        expect(describeUnits(units)).toEqual(describeUnits(splitLines([file])));
      }),
    );
  });

  it('a Unix file survives the whole STRU R path: lines -> records -> FF escapes -> any chunking -> records -> lines', () => {
    fc.assert(
      fc.property(linesArb, cutsArb, cutsArb, (file, fileCuts, wireCuts) => {
        const encoder = createStreamRecordEncoder();
        const pieces: Uint8Array[] = [];
        for (const unit of splitLines(split(file, fileCuts))) {
          if (unit.kind === 'data') pieces.push(...encoder.data(unit.bytes));
          else if (unit.kind === 'eor') pieces.push(...encoder.eor());
        }
        pieces.push(...encoder.eof());
        const decoder = new StreamRecordDecoder();
        const units = split(concat(pieces), wireCuts).flatMap((c) => (decoder.done ? [] : decoder.push(c)));
        expect(decoder.done).toBe(true);
        const expected = file.length === 0 || file[file.length - 1] === 0x0a ? file : concat([file, Uint8Array.of(0x0a)]);
        expect(hex(joinLines(units))).toBe(hex(expected));
      }),
    );
  });
});
