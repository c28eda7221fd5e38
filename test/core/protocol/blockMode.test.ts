// Tests BLOCK mode framing (RFC 959 §3.4.2): encoder vectors, decoder vectors for any chunking, malformed input, round trips.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { BlockDecoder, BlockFormatError, MAX_BLOCK_DATA, createBlockEncoder } from '../../../core/protocol/blockMode';
import { TransferFormatError } from '../../../core/protocol/transferUnits';
import { bytesOf, bytesWithRuns, callsArb, concat, cutsArb, decodeChunks, decodeOutcome, encodeCalls, expectedUnits, fromHex, hex } from './transferCodecKit';
import { split } from './split';
import type { Call } from './transferCodecKit';

const data = (text: string): Call => ({ kind: 'data', bytes: bytesOf(text) });
const eor: Call = { kind: 'eor' };
const restart = (marker: string): Call => ({ kind: 'restart', marker });

const encode = (calls: Call[], eofOnLastBlock = false) => hex(concat(encodeCalls(createBlockEncoder({ eofOnLastBlock }), calls)));
const decodeHex = (chunks: string[], callEnd = true) => decodeChunks(new BlockDecoder(), chunks.map(fromHex), callEnd);

describe('createBlockEncoder', () => {
  const rows: { title: string; calls: Call[]; eofOnLastBlock?: boolean; wire: string }[] = [
    { title: 'STRU F "hello", then a separate empty EOF block (facts §3.4)', calls: [data('hello')], wire: '00 00 05 68 65 6c 6c 6f 40 00 00' },
    {
      title: 'eofOnLastBlock: the same file with EOF on the data block (facts §3.4)',
      calls: [data('hello')],
      eofOnLastBlock: true,
      wire: '40 00 05 68 65 6c 6c 6f',
    },
    {
      title: 'eofOnLastBlock: records "abc" and "de" as 80 .. C0 .. (facts §3.4)',
      calls: [data('abc'), eor, data('de'), eor],
      eofOnLastBlock: true,
      wire: '80 00 03 61 62 63 c0 00 02 64 65',
    },
    {
      title: 'default: records "abc" and "de" with empty EOR blocks and an empty EOF block',
      calls: [data('abc'), eor, data('de'), eor],
      wire: '00 00 03 61 62 63 80 00 00 00 00 02 64 65 80 00 00 40 00 00',
    },
    { title: 'a restart-marker block: 10 00 06 + the marker (facts §3.4)', calls: [restart('MARK01')], wire: '10 00 06 4d 41 52 4b 30 31 40 00 00' },
    { title: 'an empty file is one empty EOF block', calls: [], wire: '40 00 00' },
    { title: 'eofOnLastBlock: an empty file is still one empty EOF block', calls: [], eofOnLastBlock: true, wire: '40 00 00' },
    { title: 'empty data sends nothing', calls: [data(''), data('a'), data('')], wire: '00 00 01 61 40 00 00' },
    {
      title: 'eofOnLastBlock: an EOR with no data block before it is an empty block, EOR+EOF merge to C0',
      calls: [eor],
      eofOnLastBlock: true,
      wire: 'c0 00 00',
    },
    {
      title: 'eofOnLastBlock: an empty record after a full one gets its own empty block',
      calls: [data('a'), eor, eor],
      eofOnLastBlock: true,
      wire: '80 00 01 61 c0 00 00',
    },
    {
      title: 'eofOnLastBlock: the held block goes out plain when more data follows',
      calls: [data('ab'), data('cd')],
      eofOnLastBlock: true,
      wire: '00 00 02 61 62 40 00 02 63 64',
    },
    {
      title: 'eofOnLastBlock: a restart marker flushes the held block; EOF then gets an empty block',
      calls: [data('a'), restart('M1')],
      eofOnLastBlock: true,
      wire: '00 00 01 61 10 00 02 4d 31 40 00 00',
    },
    {
      title: 'eofOnLastBlock: a held EOR block goes out before a restart marker',
      calls: [data('a'), eor, restart('M1'), data('b')],
      eofOnLastBlock: true,
      wire: '80 00 01 61 10 00 02 4d 31 40 00 01 62',
    },
    {
      title: 'a data byte equal to a descriptor value is just data',
      calls: [{ kind: 'data', bytes: fromHex('40 00 00') }],
      wire: '00 00 03 40 00 00 40 00 00',
    },
  ];
  it.each(rows)('$title', ({ calls, eofOnLastBlock, wire }) => {
    expect(encode(calls, eofOnLastBlock)).toBe(wire);
  });

  it('cuts data into blocks of at most 65,535 bytes, passing the payload through uncopied', () => {
    const payload = new Uint8Array(70_000).fill(0x61);
    const pieces = createBlockEncoder().data(payload);
    expect(pieces.map((p) => p.length)).toEqual([3, 65_535, 3, 4_465]);
    expect(hex(pieces[0] as Uint8Array)).toBe('00 ff ff');
    expect(hex(pieces[2] as Uint8Array)).toBe('00 11 71');
    expect(pieces[1]?.buffer).toBe(payload.buffer);
    expect(pieces[3]?.buffer).toBe(payload.buffer);
    expect(pieces[3]?.byteOffset).toBe(65_535);
  });

  it('exactly 65,535 bytes fit one block; 65,536 need two', () => {
    expect(
      createBlockEncoder()
        .data(new Uint8Array(MAX_BLOCK_DATA))
        .map((p) => p.length),
    ).toEqual([3, 65_535]);
    expect(
      createBlockEncoder()
        .data(new Uint8Array(MAX_BLOCK_DATA + 1))
        .map((p) => p.length),
    ).toEqual([3, 65_535, 3, 1]);
  });

  it('eofOnLastBlock: data() holds back only the last block of a call', () => {
    const encoder = createBlockEncoder({ eofOnLastBlock: true });
    expect(encoder.data(new Uint8Array(70_000)).map((p) => p.length)).toEqual([3, 65_535]);
    expect(encoder.eof().map(hex)[0]).toBe('40 11 71');
  });

  const badMarkers = [
    { title: 'a marker with a space', marker: 'MARK 1', message: /0x20 \(space\) at index 4/ },
    { title: 'an empty marker', marker: '', message: /cannot be empty/ },
    { title: 'a marker with a control character', marker: 'A\tB', message: /0x09 at index 1/ },
    { title: 'a marker with a non-ASCII character', marker: 'Aé', message: /0xE9 at index 1/ },
  ];
  it.each(badMarkers)('restart() refuses $title', ({ marker, message }) => {
    expect(() => createBlockEncoder().restart(marker)).toThrow(RangeError);
    expect(() => createBlockEncoder().restart(marker)).toThrow(message);
  });

  it('refuses calls after eof()', () => {
    const encoder = createBlockEncoder();
    encoder.eof();
    expect(() => encoder.data(bytesOf('x'))).toThrow(/data\(\) after eof\(\)/);
    expect(() => encoder.eof()).toThrow(/after eof/);
  });
});

describe('BlockDecoder', () => {
  const rows: { title: string; wire: string[]; units: string[]; rest?: string }[] = [
    {
      title: 'STRU F "hello", then a separate empty EOF block (facts §3.4)',
      wire: ['00 00 05 68 65 6c 6c 6f 40 00 00'],
      units: ['data 68 65 6c 6c 6f', 'eof'],
    },
    { title: 'EOF on the data block (facts §3.4)', wire: ['40 00 05 68 65 6c 6c 6f'], units: ['data 68 65 6c 6c 6f', 'eof'] },
    {
      title: 'records "abc" and "de": 80 then C0 = EOR + EOF (facts §3.4)',
      wire: ['80 00 03 61 62 63 c0 00 02 64 65'],
      units: ['data 61 62 63', 'eor', 'data 64 65', 'eor', 'eof'],
    },
    { title: 'a restart-marker block 10 00 06 (facts §3.4)', wire: ['10 00 06 4d 41 52 4b 30 31 40 00 00'], units: ['restart MARK01', 'eof'] },
    { title: 'suspect data (0x20): reported, data kept', wire: ['20 00 02 61 62 40 00 00'], units: ['suspect', 'data 61 62', 'eof'] },
    { title: 'suspect + EOF on one block (0x60)', wire: ['60 00 01 61'], units: ['suspect', 'data 61', 'eof'] },
    { title: 'an empty EOR+EOF block', wire: ['00 00 01 61 c0 00 00'], units: ['data 61', 'eor', 'eof'] },
    { title: 'the four low descriptor bits mean nothing and are ignored', wire: ['0f 00 01 61 4f 00 00'], units: ['data 61', 'eof'] },
    { title: 'a restart block that also ends the file (0x50)', wire: ['50 00 02 4d 31'], units: ['restart M1', 'eof'] },
    { title: 'empty data blocks are allowed and give nothing', wire: ['00 00 00 00 00 01 61 00 00 00 40 00 00'], units: ['data 61', 'eof'] },
    { title: 'a header split across three chunks', wire: ['00', '00', '02 61 62 40', '00 00'], units: ['data 61 62', 'eof'] },
    { title: 'a count larger than what has arrived: the rest comes later', wire: ['40 00 05 68 65', '6c', '6c 6f'], units: ['data 68 65 6c 6c 6f', 'eof'] },
    { title: 'a restart marker split across chunks', wire: ['10 00 04 4d', '41 52', '4b 40 00 00'], units: ['restart MARK', 'eof'] },
    { title: 'bytes after EOF in the same chunk are left for takeRest()', wire: ['40 00 01 61 00 00 02'], units: ['data 61', 'eof'], rest: '00 00 02' },
    { title: 'bytes after an empty EOF block are left too', wire: ['40 00', '00 10 00'], units: ['eof'], rest: '10 00' },
    { title: 'no EOF: end() gives nothing more and done stays false', wire: ['00 00 01 61'], units: ['data 61'] },
  ];
  it.each(rows)('$title', ({ wire, units, rest }) => {
    const result = decodeHex(wire);
    expect(result.units).toEqual(units);
    expect(result.rest).toBe(rest ?? '');
    expect(result.done).toBe(units.includes('eof'));
  });

  it('a full 65,535-byte block (count ff ff) followed by an empty EOF block', () => {
    const payload = new Uint8Array(MAX_BLOCK_DATA).fill(0x7a);
    const result = decodeChunks(new BlockDecoder(), [fromHex('00 ff ff'), payload.subarray(0, 1000), payload.subarray(1000), fromHex('40 00 00')]);
    expect(result.units).toEqual([`data ${hex(payload)}`, 'eof']);
    expect(result.consumed).toBe(3 + MAX_BLOCK_DATA + 3);
  });

  it('data units are subarrays of the pushed chunk, not copies', () => {
    const chunk = fromHex('00 00 03 61 62 63 40 00 00');
    const [unit] = new BlockDecoder().push(chunk);
    expect(unit?.kind).toBe('data');
    if (unit?.kind === 'data') {
      expect(unit.bytes.buffer).toBe(chunk.buffer);
      expect(unit.bytes.byteOffset).toBe(3);
    }
  });

  it('bytesConsumed stops at the EOF; takeRest() hands the rest out once', () => {
    const decoder = new BlockDecoder();
    decoder.push(fromHex('00 00 01 61'));
    expect(decoder.bytesConsumed).toBe(4);
    expect(decoder.done).toBe(false);
    decoder.push(fromHex('40 00 00 99 98'));
    expect(decoder.done).toBe(true);
    expect(decoder.bytesConsumed).toBe(7);
    expect(hex(decoder.takeRest())).toBe('99 98');
    expect(decoder.takeRest()).toHaveLength(0);
    expect(() => decoder.push(fromHex('00'))).toThrow(/after EOF/);
  });

  const malformed = [
    { title: 'a space inside a restart marker', wire: ['10 00 03 41 20 42'], message: /^BLOCK mode, byte offset 4: restart marker byte 0x20 \(space\)/ },
    { title: 'a control character in a restart marker', wire: ['10 00 02 41', '07'], message: /^BLOCK mode, byte offset 4: restart marker byte 0x07 / },
    { title: 'a non-ASCII byte in a restart marker', wire: ['00 00 00 10 00 01 c3'], message: /^BLOCK mode, byte offset 6: restart marker byte 0xC3/ },
    {
      title: 'a restart-marker block with count 0',
      wire: ['00 00 01 61 10 00 00'],
      message: /^BLOCK mode, byte offset 4: restart-marker block .* with count 0/,
    },
    {
      title: 'the stream ends inside a header',
      wire: ['00 00 01 61 00 00'],
      message: /^BLOCK mode, byte offset 6: the stream ended inside a block header \(2 of 3 bytes, header at offset 4\)/,
    },
    {
      title: 'the stream ends inside a block',
      wire: ['00 00 05 61', '62'],
      message: /^BLOCK mode, byte offset 5: the stream ended inside a block: 2 of 5 bytes arrived \(header at offset 0\)/,
    },
    { title: 'the stream ends inside a restart marker', wire: ['10 00 04 41 42'], message: /byte offset 5: the stream ended inside a block: 2 of 4 bytes/ },
  ];
  it.each(malformed)('throws BlockFormatError for $title', ({ wire, message }) => {
    const decoder = new BlockDecoder();
    let caught: unknown;
    try {
      for (const chunk of wire) decoder.push(fromHex(chunk));
      decoder.end();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BlockFormatError);
    expect(caught).toBeInstanceOf(TransferFormatError);
    expect((caught as Error).message).toMatch(message);
    // The decoder stays failed.
    expect(() => decoder.end()).toThrow(message);
  });

  it('the error offset is the byte offset in the stream', () => {
    const decoder = new BlockDecoder();
    decoder.push(fromHex('00 00 02 61 62'));
    try {
      decoder.push(fromHex('10 00 02 41 20'));
      expect.unreachable();
    } catch (error) {
      expect((error as BlockFormatError).offset).toBe(9);
    }
  });
});

describe('BLOCK mode (properties)', () => {
  it('decode(encode(calls)) gives the same units for any calls, either EOF style and any chunking; bytes after EOF are left over', () => {
    fc.assert(
      fc.property(callsArb(true), fc.boolean(), cutsArb, fc.uint8Array({ maxLength: 10 }), (calls, eofOnLastBlock, cuts, after) => {
        const wire = concat(encodeCalls(createBlockEncoder({ eofOnLastBlock }), calls));
        const result = decodeChunks(new BlockDecoder(), split(concat([wire, after]), cuts));
        expect(result.units).toEqual(expectedUnits(calls));
        expect(result.rest).toBe(hex(after));
        expect(result.consumed).toBe(wire.length);
      }),
      { numRuns: 400 },
    );
  });

  it('round trips data longer than one block (70,000-byte runs)', () => {
    fc.assert(
      fc.property(callsArb(true, 70_000), fc.boolean(), cutsArb, (calls, eofOnLastBlock, cuts) => {
        const wire = concat(encodeCalls(createBlockEncoder({ eofOnLastBlock }), calls));
        expect(decodeChunks(new BlockDecoder(), split(wire, cuts)).units).toEqual(expectedUnits(calls));
      }),
      { numRuns: 15 },
    );
  });

  it('decoding any bytes does not depend on the chunking (same units, or the same error)', () => {
    const wireArb = fc.oneof(
      bytesWithRuns(8),
      fc.uint8Array({ maxLength: 60 }),
      // Valid streams with one byte changed: mostly near-misses.
      fc.tuple(callsArb(true, 20), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([calls, at, value]) => {
        const wire = concat(encodeCalls(createBlockEncoder(), calls));
        wire[at % wire.length] = value;
        return wire;
      }),
    );
    fc.assert(
      fc.property(wireArb, cutsArb, (wire, cuts) => {
        expect(decodeOutcome(() => new BlockDecoder(), split(wire, cuts))).toEqual(decodeOutcome(() => new BlockDecoder(), [wire]));
      }),
      { numRuns: 500 },
    );
  });

  it('the two EOF styles decode to the same units', () => {
    fc.assert(
      fc.property(callsArb(true), (calls) => {
        const separate = concat(encodeCalls(createBlockEncoder(), calls));
        const merged = concat(encodeCalls(createBlockEncoder({ eofOnLastBlock: true }), calls));
        expect(merged.length).toBeLessThanOrEqual(separate.length);
        expect(decodeChunks(new BlockDecoder(), [merged]).units).toEqual(decodeChunks(new BlockDecoder(), [separate]).units);
      }),
    );
  });

  it('every header count is at most 65,535 and payload pieces are subarrays of the input', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200_000 }), (length) => {
        const payload = new Uint8Array(length);
        const pieces = createBlockEncoder().data(payload);
        for (let k = 0; k < pieces.length; k += 2) {
          const head = pieces[k] as Uint8Array;
          const body = pieces[k + 1] as Uint8Array;
          expect(((head[1] as number) << 8) | (head[2] as number)).toBe(body.length);
          expect(body.buffer).toBe(payload.buffer);
        }
        expect(pieces.reduce((n, p, k) => n + (k % 2 === 1 ? p.length : 0), 0)).toBe(length);
      }),
      { numRuns: 50 },
    );
  });
});
