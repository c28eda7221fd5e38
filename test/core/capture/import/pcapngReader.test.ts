// The pcapng reader against files written from the format (draft-ietf-opsawg-pcapng), not by FTP Lab's
// writer alone: a big-endian section, several interfaces with their own link types and timestamp
// resolutions (if_tsresol, powers of ten and of two), Simple Packet Blocks, blocks it skips, and a second
// section in the other byte order.

import { describe, expect, it } from 'vitest';
import { readPcapng } from '../../../../core/capture/import/pcapngReader';
import { ImportNotes } from '../../../../core/capture/import/importNotes';
import { BlockType, InterfaceOption, LinkType } from '../../../../core/capture/pcapng.table';

/** A block in either byte order: type, total length, the body padded to 32 bits, total length. */
function block(little: boolean, type: number, body: number[]): number[] {
  const padded = [...body, ...new Array<number>((4 - (body.length % 4)) % 4).fill(0)];
  const total = 12 + padded.length;
  return [...u32(little, type), ...u32(little, total), ...padded, ...u32(little, total)];
}
function u32(little: boolean, n: number): number[] {
  const b = [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  return little ? b.reverse() : b;
}
const u16 = (little: boolean, n: number) => (little ? [n & 0xff, n >> 8] : [n >> 8, n & 0xff]);

const section = (little: boolean) =>
  block(little, BlockType.sectionHeader, [...u32(little, 0x1a2b3c4d), ...u16(little, 1), ...u16(little, 0), ...new Array<number>(8).fill(0xff)]);
const iface = (little: boolean, linkType: number, resolution?: number) =>
  block(little, BlockType.interfaceDescription, [
    ...u16(little, linkType),
    0,
    0,
    ...u32(little, 0),
    ...(resolution === undefined ? [] : [...u16(little, InterfaceOption.timestampResolution), ...u16(little, 1), resolution, 0, 0, 0, 0, 0, 0, 0]),
  ]);
const epb = (little: boolean, id: number, units: number, data: number[]) =>
  block(little, BlockType.enhancedPacket, [
    ...u32(little, id),
    ...u32(little, Math.floor(units / 2 ** 32)),
    ...u32(little, units % 2 ** 32),
    ...u32(little, data.length),
    ...u32(little, data.length),
    ...data,
  ]);
const spb = (little: boolean, data: number[]) => block(little, BlockType.simplePacket, [...u32(little, data.length), ...data]);
/** A Name Resolution Block (type 4): nothing a packet reader needs, skipped. */
const nrb = (little: boolean) => block(little, 4, [0, 0, 0, 0]);

describe('readPcapng', () => {
  it('reads a big-endian section with two interfaces, microseconds and 2^-10 s, EPB and SPB, skipping other blocks', () => {
    const big = false;
    const file = Uint8Array.from([
      ...section(big),
      ...iface(big, LinkType.ethernet),
      ...iface(big, LinkType.linuxSll2, 0x80 | 10),
      ...nrb(big),
      ...epb(big, 0, 1_700_000_000_000_000, [1, 2, 3]),
      ...epb(big, 1, 1024 * 5, [4, 5]),
      ...spb(big, [6, 7, 8, 9, 10]),
    ]);
    const notes = new ImportNotes();
    const packets = [...readPcapng(file, notes)];
    expect(packets.map((p) => ({ frame: p.frame, linkType: p.linkType, data: [...p.data], timeMs: p.timeMs }))).toEqual([
      { frame: 1, linkType: LinkType.ethernet, data: [1, 2, 3], timeMs: 1_700_000_000_000 },
      { frame: 2, linkType: LinkType.linuxSll2, data: [4, 5], timeMs: 5000 },
      // A simple packet is on interface 0 and carries no time: the one before it lends its own.
      { frame: 3, linkType: LinkType.ethernet, data: [6, 7, 8, 9, 10], timeMs: 5000 },
    ]);
    expect(notes.sentences).toEqual(['1 packet came in simple packet blocks, which carry no time: each is given the time of the packet before it.']);
  });

  it('a second section in the other byte order starts its own interfaces', () => {
    const file = Uint8Array.from([
      ...section(true),
      ...iface(true, LinkType.raw, 9),
      ...epb(true, 0, 2_000_000_000, [0x45]),
      ...section(false),
      ...iface(false, LinkType.null),
      ...epb(false, 0, 3_000_000, [2, 0, 0, 0]),
      ...epb(false, 1, 0, [1]),
    ]);
    const notes = new ImportNotes();
    const packets = [...readPcapng(file, notes)];
    expect(packets.map((p) => [p.linkType, p.timeMs])).toEqual([
      [LinkType.raw, 2000],
      [LinkType.null, 3000],
    ]);
    expect(notes.sentences).toEqual(['1 packet named an interface the file never described, and was skipped.']);
  });

  it('a block whose two lengths differ stops the reading there, with a sentence', () => {
    const good = [...section(true), ...iface(true, LinkType.raw), ...epb(true, 0, 0, [1, 2, 3, 4])];
    const bad = epb(true, 0, 0, [5, 6, 7, 8]);
    bad[bad.length - 4] = 0x99;
    const notes = new ImportNotes();
    expect([...readPcapng(Uint8Array.from([...good, ...bad]), notes)]).toHaveLength(1);
    expect(notes.sentences[0]).toMatch(/^The file is damaged at byte \d+ \(a block whose two lengths differ\): the 1 packet before it is imported\.$/);
  });
});
