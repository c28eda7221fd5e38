// Sizes on the command line (serve --quota): bytes, or K, M, G counted in 1024s; anything else is a sentence saying how to write one.

import { describe, expect, it } from 'vitest';
import { byteSizeText, parseByteSize } from '../../../main/cli/byteSize';

describe('parseByteSize', () => {
  it.each([
    { title: 'plain bytes', text: '1000', bytes: 1000 },
    { title: 'zero', text: '0', bytes: 0 },
    { title: 'K is 1024', text: '500K', bytes: 512_000 },
    { title: 'lower case', text: '10m', bytes: 10 * 1024 ** 2 },
    { title: 'G', text: '2G', bytes: 2 * 1024 ** 3 },
    { title: 'MiB says the same as M', text: '10MiB', bytes: 10 * 1024 ** 2 },
    { title: 'spaces around it are ignored', text: ' 64K ', bytes: 65_536 },
  ])('$title: $text → $bytes', ({ text, bytes }) => {
    expect(parseByteSize(text)).toBe(bytes);
  });

  it.each([
    { title: 'MB (1000 or 1024? not guessed)', text: '10MB' },
    { title: 'a fraction', text: '1.5M' },
    { title: 'negative', text: '-5' },
    { title: 'a word', text: 'lots' },
    { title: 'a unit alone', text: 'K' },
    { title: 'T is not offered', text: '1T' },
  ])('$title ($text) is refused with a sentence showing how to write a size', ({ text }) => {
    expect(() => parseByteSize(text)).toThrow(`"${text}" is not a size: write a number of bytes, or one with K, M or G (1024-based), for example 500K or 2G.`);
  });

  it('a size past what a double counts exactly is refused, not rounded', () => {
    expect(() => parseByteSize('99999999999G')).toThrow('"99999999999G" is more bytes than this server can count.');
  });
});

describe('byteSizeText', () => {
  it.each([
    { bytes: 1024 ** 2, text: '1 MiB (1048576 bytes)' },
    { bytes: 3 * 1024 ** 3, text: '3 GiB (3221225472 bytes)' },
    { bytes: 512_000, text: '500 KiB (512000 bytes)' },
    { bytes: 1000, text: '1000 bytes' },
    { bytes: 1536 * 1024, text: '1536 KiB (1572864 bytes)' },
  ])('$bytes → $text', ({ bytes, text }) => {
    expect(byteSizeText(bytes)).toBe(text);
  });
});
