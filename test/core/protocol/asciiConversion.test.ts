// Tests TYPE A line-end conversion (RFC 959 §3.1.1.1) and the TYPE A SIZE (RFC 3659 §4), any chunking.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { asciiWireSize, createAsciiDecoder, createAsciiEncoder } from '../../../core/protocol/asciiConversion';
import { split } from './split';
import { bytesOf, concat, hex } from './transferCodecKit';

const encodeChunks = (chunks: Uint8Array[]) => {
  const encode = createAsciiEncoder();
  return concat(chunks.map((c) => encode(c)));
};
const decodeChunks = (chunks: Uint8Array[]) => {
  const decoder = createAsciiDecoder();
  return concat([...chunks.map((c) => decoder.push(c)), decoder.end()]);
};

// Bytes rich in CR and LF, so random inputs hit the interesting cases.
const lineyBytes = fc.array(fc.oneof(fc.constantFrom(0x0d, 0x0a, 0x61), fc.integer({ min: 0, max: 255 })), { maxLength: 200 }).map((a) => Uint8Array.from(a));
const anyBytes = fc.oneof(lineyBytes, fc.uint8Array({ maxLength: 200 }));
const cutsArb = fc.array(fc.nat(), { maxLength: 10 });

describe('createAsciiEncoder', () => {
  const rows = [
    { title: "Unix 'a\\nb\\n' goes out as 61 0D 0A 62 0D 0A (facts §3.1)", input: ['a\nb\n'], wire: '61 0d 0a 62 0d 0a' },
    { title: 'no line ends: unchanged', input: ['abc'], wire: '61 62 63' },
    { title: 'empty file', input: [''], wire: '' },
    { title: 'empty lines', input: ['\n\n'], wire: '0d 0a 0d 0a' },
    { title: 'a stored CR LF still gets its own CR, so decoding gives it back', input: ['a\r\nb'], wire: '61 0d 0d 0a 62' },
    { title: 'a lone CR is sent as is', input: ['a\rb'], wire: '61 0d 62' },
    { title: 'chunks are converted independently', input: ['a\n', '\nb', '\n'], wire: '61 0d 0a 0d 0a 62 0d 0a' },
  ];
  it.each(rows)('$title', ({ input, wire }) => {
    expect(hex(encodeChunks(input.map(bytesOf)))).toBe(wire);
  });

  it('returns the input chunk itself when it has no LF', () => {
    const chunk = bytesOf('no line end \r here');
    expect(createAsciiEncoder()(chunk)).toBe(chunk);
  });
});

describe('createAsciiDecoder', () => {
  const rows = [
    { title: 'CRLF back to LF', input: ['a\r\nb\r\n'], stored: '61 0a 62 0a' },
    { title: 'no CR: unchanged', input: ['a\nb'], stored: '61 0a 62' },
    { title: 'a lone CR is kept', input: ['a\rb'], stored: '61 0d 62' },
    { title: 'CR CR LF gives CR LF', input: ['\r\r\n'], stored: '0d 0a' },
    { title: 'CR at the end of one chunk, LF at the start of the next', input: ['a\r', '\nb'], stored: '61 0a 62' },
    { title: 'CR at the end of one chunk, something else next', input: ['a\r', 'b'], stored: '61 0d 62' },
    { title: 'held CR followed by another CR LF', input: ['a\r', '\r\n'], stored: '61 0d 0a' },
    { title: 'held CR followed by a chunk that ends in CR', input: ['\r', '\r'], stored: '0d 0d' },
    { title: 'an empty chunk between CR and LF', input: ['a\r', '', '\n'], stored: '61 0a' },
    { title: 'CR as the very last byte is released by end()', input: ['a\r'], stored: '61 0d' },
    { title: 'a chunk that is just CR LF', input: ['\r\n'], stored: '0a' },
    { title: 'one byte per chunk', input: ['a', '\r', '\n', '\r', 'b', '\n'], stored: '61 0a 0d 62 0a' },
  ];
  it.each(rows)('$title', ({ input, stored }) => {
    expect(hex(decodeChunks(input.map(bytesOf)))).toBe(stored);
  });

  it('returns the input chunk itself when it has no CR and nothing is held', () => {
    const chunk = bytesOf('line\nline\n');
    expect(createAsciiDecoder().push(chunk)).toBe(chunk);
  });

  it('end() gives nothing when no CR is held', () => {
    const decoder = createAsciiDecoder();
    decoder.push(bytesOf('a\r\n'));
    expect(decoder.end()).toHaveLength(0);
  });

  it('converts 1 MiB chunks whole (speed is measured by npm run bench, not here)', () => {
    // 1 MiB of 63-byte lines: about 16,000 line ends per chunk.
    const line = bytesOf('x'.repeat(63) + '\n');
    const stored = new Uint8Array(1024 * 1024);
    for (let i = 0; i < stored.length; i += line.length) stored.set(line.subarray(0, Math.min(line.length, stored.length - i)), i);
    const encode = createAsciiEncoder();
    const decoder = createAsciiDecoder();
    let total = 0;
    for (let round = 0; round < 8; round++) {
      const wire = encode(stored);
      const back = decoder.push(wire);
      total += back.length;
    }
    expect(total).toBe(8 * stored.length);
  });
});

describe('asciiWireSize', () => {
  const rows = [
    { title: "'a\\nb\\n' is 6 bytes in TYPE A", input: 'a\nb\n', size: 6 },
    { title: 'no line ends', input: 'abc', size: 3 },
    { title: 'empty file', input: '', size: 0 },
    { title: 'CR is not counted', input: 'a\r\n', size: 4 },
  ];
  it.each(rows)('$title', ({ input, size }) => {
    expect(asciiWireSize(bytesOf(input))).toBe(size);
  });

  it('RFC 3659 §4.4: 112 lines in 1830 octets report 1942 in TYPE A', () => {
    const lines = Array.from({ length: 112 }, (_, i) => 'x'.repeat(i < 38 ? 16 : 15) + '\n').join('');
    expect(lines.length).toBe(1830);
    expect(asciiWireSize(bytesOf(lines))).toBe(1942);
  });
});

describe('TYPE A conversion (properties)', () => {
  it('decode(encode(x)) = x for any bytes and any chunking on both sides', () => {
    fc.assert(
      fc.property(anyBytes, cutsArb, cutsArb, (stored, encodeCuts, decodeCuts) => {
        const wire = encodeChunks(split(stored, encodeCuts));
        expect(hex(decodeChunks(split(wire, decodeCuts)))).toBe(hex(stored));
      }),
      { numRuns: 500 },
    );
  });

  it('encoding does not depend on the chunking, and its size is asciiWireSize', () => {
    fc.assert(
      fc.property(anyBytes, cutsArb, (stored, cuts) => {
        const whole = encodeChunks([stored]);
        expect(hex(encodeChunks(split(stored, cuts)))).toBe(hex(whole));
        expect(whole.length).toBe(asciiWireSize(stored));
      }),
    );
  });

  it('decoding does not depend on the chunking', () => {
    fc.assert(
      fc.property(anyBytes, cutsArb, (wire, cuts) => {
        expect(hex(decodeChunks(split(wire, cuts)))).toBe(hex(decodeChunks([wire])));
      }),
      { numRuns: 500 },
    );
  });

  it('the wire form never has an LF without a CR before it', () => {
    fc.assert(
      fc.property(anyBytes, (stored) => {
        const wire = encodeChunks([stored]);
        wire.forEach((b, i) => {
          if (b === 0x0a) expect(wire[i - 1]).toBe(0x0d);
        });
      }),
    );
  });
});
