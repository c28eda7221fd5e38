// Tests a TCP segment as a raw IP packet: the header fields where RFC 791, RFC 8200 and RFC 9293 put them,
// and checksums a receiver accepts (the one's-complement sum over what they cover, checksum included, is
// 0xFFFF: RFC 1071 §1), for any payload. Wireshark's own check is in test/main/export/pcapngExport.test.ts.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpAddress } from '../../../core/capture/ipAddress';
import { encodeIpTcpPacket, type TcpSegment } from '../../../core/capture/ipTcpPacket';
import { TcpFlag } from '../../../core/capture/tcpIp.table';

const v4a = parseIpAddress('127.0.0.1')!;
const v4b = parseIpAddress('10.1.2.3')!;
const v6a = parseIpAddress('::1')!;
const v6b = parseIpAddress('2001:db8::2')!;

const segment = (change: Partial<TcpSegment> = {}): TcpSegment => ({
  source: v4a,
  destination: v4b,
  sourcePort: 2121,
  destinationPort: 50000,
  seq: 0xfffffff0,
  ack: 7,
  flags: TcpFlag.PSH | TcpFlag.ACK,
  window: 65535,
  payload: new Uint8Array([0x32, 0x32, 0x30, 0x0d, 0x0a]),
  ...change,
});

/** The verifying sum of RFC 1071 §1, written here on its own: 16-bit big-endian words, end-around carry. */
function onesComplementSum(...parts: Uint8Array[]): number {
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) + (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

const be = (...values: [number, number][]) => {
  const out: number[] = [];
  for (const [value, bytes] of values) for (let i = bytes - 1; i >= 0; i--) out.push(Math.floor(value / 256 ** i) & 0xff);
  return Uint8Array.from(out);
};

/** The TCP checksum's pseudo-header (RFC 9293 §3.1; RFC 8200 §8.1 for IPv6). */
function pseudoHeader(s: TcpSegment, tcpLength: number): Uint8Array {
  return s.source.version === 4
    ? Uint8Array.from([...s.source.bytes, ...s.destination.bytes, 0, 6, ...be([tcpLength, 2])])
    : Uint8Array.from([...s.source.bytes, ...s.destination.bytes, ...be([tcpLength, 4]), 0, 0, 0, 6]);
}

describe('IPv4', () => {
  const packet = encodeIpTcpPacket(segment());
  const view = new DataView(packet.buffer);

  it('version 4, 20-byte header, total length, DF, TTL 64, protocol 6, the addresses', () => {
    expect(packet[0]).toBe(0x45);
    expect(view.getUint16(2)).toBe(20 + 20 + 5);
    expect(view.getUint16(6)).toBe(0x4000);
    expect([packet[8], packet[9]]).toEqual([64, 6]);
    expect([...packet.subarray(12, 20)]).toEqual([127, 0, 0, 1, 10, 1, 2, 3]);
  });

  it('TCP: ports, sequence and acknowledgment numbers, data offset 5, flags, window, then the payload', () => {
    expect([view.getUint16(20), view.getUint16(22)]).toEqual([2121, 50000]);
    expect([view.getUint32(24), view.getUint32(28)]).toEqual([0xfffffff0, 7]);
    expect(packet[32]).toBe(5 << 4);
    expect(packet[33]).toBe(0x18);
    expect(view.getUint16(34)).toBe(65535);
    expect([...packet.subarray(40)]).toEqual([0x32, 0x32, 0x30, 0x0d, 0x0a]);
  });

  it('a SYN carries the MSS option: data offset 6, kind 2, length 4', () => {
    const syn = encodeIpTcpPacket(segment({ flags: TcpFlag.SYN, mss: 65495, payload: new Uint8Array(0) }));
    expect(syn[32]).toBe(6 << 4);
    expect([...syn.subarray(40, 44)]).toEqual([2, 4, 0xff, 0xd7]);
  });

  it('refuses a payload that does not fit the 16-bit total length', () => {
    expect(() => encodeIpTcpPacket(segment({ payload: new Uint8Array(65496) }))).toThrow(/does not fit one IPv4 packet/);
  });
});

describe('IPv6', () => {
  it('version 6, payload length without the 40-byte header, next header 6, hop limit 64, the addresses', () => {
    const packet = encodeIpTcpPacket(segment({ source: v6a, destination: v6b }));
    const view = new DataView(packet.buffer);
    expect(packet[0]! >> 4).toBe(6);
    expect(view.getUint16(4)).toBe(20 + 5);
    expect([packet[6], packet[7]]).toEqual([6, 64]);
    expect(packet.subarray(8, 24)).toEqual(v6a.bytes);
    expect(packet.subarray(24, 40)).toEqual(v6b.bytes);
    expect(view.getUint16(40)).toBe(2121);
  });

  it('refuses a segment between an IPv4 and an IPv6 address', () => {
    expect(() => encodeIpTcpPacket(segment({ destination: v6b }))).toThrow(/one IP version to another/);
  });
});

describe('checksums, any segment', () => {
  const arb = fc.record({
    v6: fc.boolean(),
    sourcePort: fc.integer({ min: 1, max: 65535 }),
    destinationPort: fc.integer({ min: 1, max: 65535 }),
    seq: fc.nat({ max: 2 ** 32 - 1 }),
    ack: fc.nat({ max: 2 ** 32 - 1 }),
    flags: fc.constantFrom(
      TcpFlag.SYN,
      TcpFlag.SYN | TcpFlag.ACK,
      TcpFlag.ACK,
      TcpFlag.PSH | TcpFlag.ACK,
      TcpFlag.FIN | TcpFlag.ACK,
      TcpFlag.RST | TcpFlag.ACK,
    ),
    payload: fc.uint8Array({ maxLength: 301 }),
  });

  it('the IPv4 header and the TCP segment each verify to 0xFFFF', () => {
    fc.assert(
      fc.property(arb, ({ v6, payload, flags, ...rest }) => {
        const s = segment({
          ...rest,
          flags,
          ...(v6 ? { source: v6a, destination: v6b } : {}),
          ...(flags & TcpFlag.SYN ? { mss: 1460, payload: new Uint8Array(0) } : { payload }),
        });
        const packet = encodeIpTcpPacket(s);
        const ipHeader = v6 ? 40 : 20;
        if (!v6) expect(onesComplementSum(packet.subarray(0, 20))).toBe(0xffff);
        const tcp = packet.subarray(ipHeader);
        expect(onesComplementSum(pseudoHeader(s, tcp.length), tcp)).toBe(0xffff);
      }),
    );
  });
});
