// Tests the pcapng block writer against the format (draft-ietf-opsawg-pcapng): block lengths at both ends,
// padding to 32 bits, the byte-order magic, option encoding, timestamps split in two halves; and, as a
// property, that any file it writes walks back block by block into what went in. Wireshark's own reading
// of the files is in test/main/export/pcapngExport.test.ts.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockType, LinkType } from '../../../core/capture/pcapng.table';
import {
  encodeOptions,
  enhancedPacketBlock,
  interfaceDescriptionBlock,
  pcapngFile,
  sectionHeaderBlock,
  type EnhancedPacket,
} from '../../../core/capture/pcapngWriter';
import { decodeUtf8, encodeUtf8 } from '../../../core/protocol/utf8';

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const u16 = (bytes: Uint8Array, at: number) => view(bytes).getUint16(at, true);
const u32 = (bytes: Uint8Array, at: number) => view(bytes).getUint32(at, true);
const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');

/** A reader written from the format, not from the writer: each block's type, body, and its options decoded. */
function readBlocks(file: Uint8Array): { type: number; body: Uint8Array }[] {
  const blocks: { type: number; body: Uint8Array }[] = [];
  for (let at = 0; at < file.length;) {
    const type = u32(file, at);
    const total = u32(file, at + 4);
    expect(total % 4, 'every block is a multiple of 32 bits').toBe(0);
    expect(u32(file, at + total - 4), 'the trailing length repeats the leading one').toBe(total);
    blocks.push({ type, body: file.subarray(at + 8, at + total - 4) });
    at += total;
  }
  return blocks;
}

function readOptions(bytes: Uint8Array): { code: number; value: Uint8Array }[] {
  const options: { code: number; value: Uint8Array }[] = [];
  // The field may be left out altogether (§3.5).
  if (bytes.length === 0) return options;
  for (let at = 0; at < bytes.length;) {
    const code = u16(bytes, at);
    const length = u16(bytes, at + 2);
    if (code === 0) {
      expect(length).toBe(0);
      expect(at + 4, 'opt_endofopt ends the options').toBe(bytes.length);
      return options;
    }
    options.push({ code, value: bytes.subarray(at + 4, at + 4 + length) });
    at += 4 + Math.ceil(length / 4) * 4;
  }
  throw new Error('options without opt_endofopt');
}

const text = decodeUtf8;

describe('option encoding (§3.5)', () => {
  const rows: { title: string; options: { code: number; value: Uint8Array }[]; hex: string }[] = [
    { title: 'no options: no field at all, not even opt_endofopt', options: [], hex: '' },
    { title: 'a 4-byte value needs no padding', options: [{ code: 1, value: encodeUtf8('abcd') }], hex: '01 00 04 00 61 62 63 64 00 00 00 00' },
    {
      title: 'a 5-byte value is padded to 8, the length says 5',
      options: [{ code: 1, value: encodeUtf8('abcde') }],
      hex: '01 00 05 00 61 62 63 64 65 00 00 00 00 00 00 00',
    },
    { title: 'an empty value takes no room', options: [{ code: 2, value: new Uint8Array(0) }], hex: '02 00 00 00 00 00 00 00' },
    {
      title: 'two options, then the end',
      options: [
        { code: 9, value: Uint8Array.of(9) },
        { code: 1, value: encodeUtf8('x') },
      ],
      hex: '09 00 01 00 09 00 00 00 01 00 01 00 78 00 00 00 00 00 00 00',
    },
    { title: 'UTF-8 text counts bytes, not characters', options: [{ code: 1, value: encodeUtf8('é') }], hex: '01 00 02 00 c3 a9 00 00 00 00 00 00' },
  ];
  it.each(rows)('$title', ({ options, hex: expected }) => {
    expect(hex(encodeOptions(options))).toBe(expected);
  });

  it('refuses a value longer than its 16-bit length can say', () => {
    expect(() => encodeOptions([{ code: 1, value: new Uint8Array(65536) }])).toThrow(/at most 65535 bytes/);
  });
});

describe('Section Header Block (§4.1)', () => {
  it('type 0x0A0D0D0A, the byte-order magic 1A2B3C4D written little-endian, version 1.0, length unspecified (-1)', () => {
    const block = sectionHeaderBlock();
    expect(hex(block)).toBe('0a 0d 0d 0a 1c 00 00 00 4d 3c 2b 1a 01 00 00 00 ff ff ff ff ff ff ff ff 1c 00 00 00');
  });

  it('carries the comment and the application as options, padded', () => {
    const [block] = readBlocks(sectionHeaderBlock({ comment: 'rebuilt, not captured', application: 'ftp-lab 0.1.0' }));
    expect(block!.type).toBe(BlockType.sectionHeader);
    const options = readOptions(block!.body.subarray(16));
    expect(options.map((o) => [o.code, text(o.value)])).toEqual([
      [1, 'rebuilt, not captured'],
      [4, 'ftp-lab 0.1.0'],
    ]);
  });
});

describe('Interface Description Block (§4.2)', () => {
  it('link type, reserved, snap length; microseconds need no if_tsresol', () => {
    expect(hex(interfaceDescriptionBlock({ linkType: LinkType.raw }))).toBe('01 00 00 00 14 00 00 00 65 00 00 00 00 00 00 00 14 00 00 00');
  });

  it('names the interface, and states a resolution other than microseconds', () => {
    const [block] = readBlocks(interfaceDescriptionBlock({ linkType: LinkType.ethernet, snapLength: 262144, name: 'lo', timestampExponent: 9 }));
    expect(u16(block!.body, 0)).toBe(1);
    expect(u32(block!.body, 4)).toBe(262144);
    expect(readOptions(block!.body.subarray(8)).map((o) => [o.code, hex(o.value)])).toEqual([
      [2, '6c 6f'],
      [9, '09'],
    ]);
  });
});

describe('Enhanced Packet Block (§4.3)', () => {
  it('a 5-byte packet: lengths 5, data padded to 8, the timestamp as high and low 32 bits', () => {
    const timestamp = 1_796_309_984_952_148; // 2026-12-03T14:59:44.952148Z in microseconds
    const block = enhancedPacketBlock({ interfaceId: 0, timestamp, data: Uint8Array.of(1, 2, 3, 4, 5) });
    expect(block.length).toBe(12 + 20 + 8);
    const [read] = readBlocks(block);
    expect(read!.type).toBe(BlockType.enhancedPacket);
    expect(u32(read!.body, 4) * 2 ** 32 + u32(read!.body, 8)).toBe(timestamp);
    expect([u32(read!.body, 12), u32(read!.body, 16)]).toEqual([5, 5]);
    expect(hex(read!.body.subarray(20))).toBe('01 02 03 04 05 00 00 00');
  });

  it('a packet comment follows the padded data', () => {
    const [read] = readBlocks(enhancedPacketBlock({ interfaceId: 0, timestamp: 0, data: Uint8Array.of(0x45), comment: 'trace #7' }));
    expect(readOptions(read!.body.subarray(24)).map((o) => text(o.value))).toEqual(['trace #7']);
  });

  it.each([
    ['a negative timestamp', { timestamp: -1 }, /non-negative integer/],
    ['a fractional timestamp', { timestamp: 1.5 }, /non-negative integer/],
    ['an original length below the captured one', { originalLength: 0 }, /longer .* than it was on the wire/],
  ])('refuses %s', (_title, change, message) => {
    expect(() => enhancedPacketBlock({ interfaceId: 0, timestamp: 0, data: Uint8Array.of(1), ...change })).toThrow(message);
  });

  it('a file refuses a packet on an interface it does not describe', () => {
    expect(() => pcapngFile({}, [], [{ interfaceId: 0, timestamp: 0, data: new Uint8Array(1) }])).toThrow(/interface 0, but the section describes 0/);
  });
});

describe('a whole file, as a property', () => {
  const packetArb = fc.record({
    timestamp: fc.maxSafeNat(),
    data: fc.uint8Array({ maxLength: 70 }),
    comment: fc.option(fc.string({ unit: 'grapheme', maxLength: 30 }), { nil: undefined }),
  });

  it('walks back into the section, the interface and each packet: lengths, data, timestamps and comments as given', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.array(packetArb, { maxLength: 12 }), (comment, packets) => {
        const input: EnhancedPacket[] = packets.map((p) => ({
          interfaceId: 0,
          timestamp: p.timestamp,
          data: p.data,
          ...(p.comment !== undefined ? { comment: p.comment } : {}),
        }));
        const file = pcapngFile({ comment }, [{ linkType: LinkType.raw }], input);
        const blocks = readBlocks(file);
        expect(blocks.map((b) => b.type)).toEqual([BlockType.sectionHeader, BlockType.interfaceDescription, ...input.map(() => BlockType.enhancedPacket)]);
        expect(text(readOptions(blocks[0]!.body.subarray(16))[0]!.value)).toBe(comment);
        input.forEach((packet, i) => {
          const body = blocks[i + 2]!.body;
          expect(u32(body, 4) * 2 ** 32 + u32(body, 8)).toBe(packet.timestamp);
          expect(u32(body, 12)).toBe(packet.data.length);
          expect(body.subarray(20, 20 + packet.data.length)).toEqual(packet.data);
          const padding = body.subarray(20 + packet.data.length, 20 + Math.ceil(packet.data.length / 4) * 4);
          expect(
            [...padding].every((b) => b === 0),
            'padding is zeros',
          ).toBe(true);
          const options = readOptions(body.subarray(20 + Math.ceil(packet.data.length / 4) * 4));
          expect(options.map((o) => text(o.value))).toEqual(packet.comment !== undefined ? [packet.comment] : []);
        });
      }),
    );
  });
});
