// Tests core's UTF-8 codec against RFC 3629 examples and against Node's TextEncoder/TextDecoder.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { decodeUtf8, encodeUtf8 } from '../../../core/protocol/utf8';

const bytes = (...values: number[]) => Uint8Array.from(values);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

/** What a string becomes after an encode/decode round trip: lone surrogates turn into U+FFFD. */
const wellFormed = (s: string) => s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

// Any code point except surrogates (fc's own 'binary' unit does the same, but is slow to generate).
const codePointString = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0, max: 0x7ff }), fc.integer({ min: 0x800, max: 0xffff }), fc.integer({ min: 0x10000, max: 0x10ffff }))
    .filter((cp) => cp < 0xd800 || cp > 0xdfff)
    .map((cp) => String.fromCodePoint(cp)),
});

// Any UTF-16 code unit, so lone surrogates appear too.
const codeUnitString = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)) });

// Bytes drawn from lead/continuation boundaries, so random input often holds (nearly) valid sequences.
const edgyBytes = fc
  .array(fc.constantFrom(0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff), {
    maxLength: 64,
  })
  .map((values) => Uint8Array.from(values));

describe('encodeUtf8', () => {
  const rows = [
    { title: 'ASCII stays one byte per character', input: 'RETR a.txt', expected: '52 45 54 52 20 61 2e 74 78 74' },
    { title: 'empty string', input: '', expected: '' },
    { title: 'two-byte form (é, U+00E9)', input: 'é', expected: 'c3 a9' },
    { title: 'three-byte form (€, U+20AC)', input: '€', expected: 'e2 82 ac' },
    { title: 'RFC 3629 §7 example: 日本語', input: '日本語', expected: 'e6 97 a5 e6 9c ac e8 aa 9e' },
    { title: 'four-byte form from a surrogate pair (U+233B4)', input: '\u{233B4}', expected: 'f0 a3 8e b4' },
    { title: 'largest code point U+10FFFF', input: '\u{10FFFF}', expected: 'f4 8f bf bf' },
    { title: 'lone high surrogate becomes U+FFFD', input: 'a\uD800b', expected: '61 ef bf bd 62' },
    { title: 'lone low surrogate becomes U+FFFD', input: '\uDC00', expected: 'ef bf bd' },
    { title: 'high surrogate at the end becomes U+FFFD', input: 'x\uDBFF', expected: '78 ef bf bd' },
  ];
  it.each(rows)('$title', ({ input, expected }) => {
    expect(hex(encodeUtf8(input))).toBe(expected);
  });

  it('matches TextEncoder for any string of code units (property)', () => {
    fc.assert(
      fc.property(codeUnitString, (s) => {
        expect(hex(encodeUtf8(s))).toBe(hex(new TextEncoder().encode(s)));
      }),
    );
  });
});

describe('decodeUtf8', () => {
  const rows = [
    { title: 'ASCII', input: bytes(0x50, 0x57, 0x44), expected: 'PWD' },
    { title: 'empty input', input: bytes(), expected: '' },
    { title: 'multi-byte characters', input: bytes(0x63, 0x61, 0x66, 0xc3, 0xa9, 0x20, 0xe2, 0x82, 0xac), expected: 'café €' },
    { title: 'four-byte form gives a surrogate pair', input: bytes(0xf0, 0x9f, 0x98, 0x80), expected: '\u{1F600}' },
    { title: 'stray continuation byte', input: bytes(0x61, 0x80, 0x62), expected: 'a\uFFFDb' },
    { title: '0xFF never appears in UTF-8 (RFC 3629 §1)', input: bytes(0xff), expected: '\uFFFD' },
    { title: 'overlong "/" (C0 AF) is two errors', input: bytes(0xc0, 0xaf), expected: '\uFFFD\uFFFD' },
    { title: 'overlong three-byte form E0 80 AF', input: bytes(0xe0, 0x80, 0xaf), expected: '\uFFFD\uFFFD\uFFFD' },
    { title: 'encoded surrogate ED A0 80 is refused (RFC 3629 §3)', input: bytes(0xed, 0xa0, 0x80), expected: '\uFFFD\uFFFD\uFFFD' },
    { title: 'above U+10FFFF (F4 90 80 80)', input: bytes(0xf4, 0x90, 0x80, 0x80), expected: '\uFFFD\uFFFD\uFFFD\uFFFD' },
    { title: 'truncated sequence at the end', input: bytes(0x61, 0xe2, 0x82), expected: 'a\uFFFD' },
    { title: 'truncated sequence followed by ASCII keeps the ASCII', input: bytes(0xe2, 0x82, 0x41), expected: '\uFFFDA' },
  ];
  it.each(rows)('$title', ({ input, expected }) => {
    expect(decodeUtf8(input)).toBe(expected);
  });

  it('decodes a long input without overflowing the call stack', () => {
    const long = 'ü'.repeat(100_000);
    expect(decodeUtf8(encodeUtf8(long))).toBe(long);
  });

  it('round-trips any string of code points (property)', () => {
    fc.assert(
      fc.property(codePointString, (s) => {
        expect(decodeUtf8(encodeUtf8(s))).toBe(s);
      }),
    );
  });

  it('round-trips any string of code units, lone surrogates becoming U+FFFD (property)', () => {
    fc.assert(
      fc.property(codeUnitString, (s) => {
        expect(decodeUtf8(encodeUtf8(s))).toBe(wellFormed(s));
      }),
    );
  });

  it('matches TextDecoder on arbitrary bytes, valid or not (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), edgyBytes), (b) => {
        expect(decodeUtf8(b)).toBe(new TextDecoder().decode(b));
      }),
      { numRuns: 2000 },
    );
  });
});
