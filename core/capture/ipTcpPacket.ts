// One TCP segment as a raw IP packet (LINKTYPE_RAW): an IPv4 or IPv6 header, the TCP header with its
// checksum over the pseudo-header (RFC 9293 §3.1, RFC 8200 §8.1), and the payload.

import type { IpAddress } from './ipAddress';
import { IP_PROTOCOL_TCP, IPV4, IPV4_MAX_PACKET_BYTES, IPV6, TCP_HEADER_BYTES, TcpOption } from './tcpIp.table';

export interface TcpSegment {
  readonly source: IpAddress;
  readonly destination: IpAddress;
  readonly sourcePort: number;
  readonly destinationPort: number;
  /** Sequence and acknowledgment numbers, already wrapped to 32 bits. */
  readonly seq: number;
  readonly ack: number;
  /** TcpFlag bits. */
  readonly flags: number;
  readonly window: number;
  /** The MSS option, on a SYN. */
  readonly mss?: number;
  readonly payload: Uint8Array;
}

/** The Internet checksum's running sum (RFC 1071 §4.1): 16-bit big-endian words, an odd last byte padded with zero. */
function sumWords(bytes: Uint8Array, sum = 0): number {
  const even = bytes.length & ~1;
  for (let i = 0; i < even; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (even < bytes.length) sum += bytes[even]! << 8;
  return sum;
}

/** The one's-complement of the folded sum (RFC 1071 §4.1). */
function checksumOf(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** The bytes the TCP checksum covers besides the segment: addresses, protocol and TCP length (RFC 9293 §3.1; RFC 8200 §8.1 for IPv6). */
function pseudoHeaderSum(segment: TcpSegment, tcpLength: number): number {
  const sum = sumWords(segment.destination.bytes, sumWords(segment.source.bytes));
  return sum + IP_PROTOCOL_TCP + (tcpLength >>> 16) + (tcpLength & 0xffff);
}

function tcpBytes(segment: TcpSegment): Uint8Array {
  const optionBytes = segment.mss === undefined ? 0 : TcpOption.maximumSegmentSize.length;
  const headerBytes = TCP_HEADER_BYTES + optionBytes;
  const out = new Uint8Array(headerBytes + segment.payload.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, segment.sourcePort);
  view.setUint16(2, segment.destinationPort);
  view.setUint32(4, segment.seq >>> 0);
  view.setUint32(8, segment.ack >>> 0);
  // Data offset in 32-bit words, in the high nibble; the flags in the next byte.
  view.setUint8(12, (headerBytes / 4) << 4);
  view.setUint8(13, segment.flags);
  view.setUint16(14, segment.window);
  if (segment.mss !== undefined) {
    view.setUint8(20, TcpOption.maximumSegmentSize.kind);
    view.setUint8(21, TcpOption.maximumSegmentSize.length);
    view.setUint16(22, segment.mss);
  }
  out.set(segment.payload, headerBytes);
  view.setUint16(16, checksumOf(sumWords(out, pseudoHeaderSum(segment, out.length))));
  return out;
}

function ipv4Header(segment: TcpSegment, tcpLength: number): Uint8Array {
  const out = new Uint8Array(IPV4.headerBytes);
  const view = new DataView(out.buffer);
  view.setUint8(0, (IPV4.version << 4) | (IPV4.headerBytes / 4));
  view.setUint16(2, IPV4.headerBytes + tcpLength);
  view.setUint16(4, IPV4.identification);
  view.setUint16(6, IPV4.dontFragment);
  view.setUint8(8, IPV4.timeToLive);
  view.setUint8(9, IP_PROTOCOL_TCP);
  out.set(segment.source.bytes, 12);
  out.set(segment.destination.bytes, 16);
  view.setUint16(10, checksumOf(sumWords(out)));
  return out;
}

function ipv6Header(segment: TcpSegment, tcpLength: number): Uint8Array {
  const out = new Uint8Array(IPV6.headerBytes);
  const view = new DataView(out.buffer);
  // Version, then traffic class and flow label left 0.
  view.setUint32(0, IPV6.version << 28);
  view.setUint16(4, tcpLength);
  view.setUint8(6, IP_PROTOCOL_TCP);
  view.setUint8(7, IPV6.hopLimit);
  out.set(segment.source.bytes, 8);
  out.set(segment.destination.bytes, 24);
  return out;
}

/** The segment as one raw IP packet. Both addresses must be of one IP version. */
export function encodeIpTcpPacket(segment: TcpSegment): Uint8Array {
  if (segment.source.version !== segment.destination.version) throw new RangeError('A packet cannot go from one IP version to another.');
  const tcp = tcpBytes(segment);
  const header = segment.source.version === 4 ? ipv4Header(segment, tcp.length) : ipv6Header(segment, tcp.length);
  // IPv6's 16-bit payload length leaves its own header out (RFC 8200 §3).
  const maxLength = segment.source.version === 4 ? IPV4_MAX_PACKET_BYTES : IPV6.headerBytes + 0xffff;
  if (header.length + tcp.length > maxLength)
    throw new RangeError(`A TCP segment of ${segment.payload.length} bytes does not fit one IPv${segment.source.version} packet.`);
  const out = new Uint8Array(header.length + tcp.length);
  out.set(header);
  out.set(tcp, header.length);
  return out;
}
